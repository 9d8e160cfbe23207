import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  testWebhook,
  updateWebhook,
} from '../../modules/webhooks/service';
import { deliveryBody, webhookBody } from '../../modules/webhooks/body';
import { keysToCamel } from '../../modules/key-case';
import { cursorPagination } from './pagination';
import type { Router } from './router';

const base = '/v1/webhooks';

export function registerWebhookRoutes(router: Router): void {
  router.add('POST', base, async (request) => {
    const endpoint = await createWebhook(request.context, keysToCamel(await request.json()));
    return { status: 201, body: { ...webhookBody(endpoint), secret: endpoint.secret } };
  });
  router.add('GET', base, async (request) => {
    const page = await listWebhooks(request.context, {
      limit: request.query.get('limit') ?? undefined,
      cursor: request.query.get('cursor') ?? undefined,
    });
    return { status: 200, body: { data: page.data.map(webhookBody), pagination: cursorPagination(page) } };
  });
  router.add('GET', `${base}/:id`, async (request) => ({
    status: 200,
    body: webhookBody(await getWebhook(request.context, request.params.id!)),
  }));
  router.add('PATCH', `${base}/:id`, async (request) => ({
    status: 200,
    body: webhookBody(await updateWebhook(request.context, request.params.id!, keysToCamel(await request.json()))),
  }));
  router.add('DELETE', `${base}/:id`, async (request) => {
    await deleteWebhook(request.context, request.params.id!);
    return { status: 200, body: { deleted: true } };
  });
  router.add('POST', `${base}/:id/test`, async (request) => {
    const result = await testWebhook(request.context, request.params.id!);
    return {
      status: 200,
      body: { delivered: result.delivered, status_code: result.statusCode, error: result.error, duration_ms: result.durationMs },
    };
  });
  router.add('GET', `${base}/:id/deliveries`, async (request) => {
    const page = await listDeliveries(request.context, request.params.id!, {
      status: request.query.get('status') ?? undefined,
      limit: request.query.get('limit') ?? undefined,
      cursor: request.query.get('cursor') ?? undefined,
    });
    return { status: 200, body: { data: page.data.map(deliveryBody), pagination: cursorPagination(page) } };
  });
}
