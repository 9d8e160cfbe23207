import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  testWebhook,
  updateWebhook,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../../modules/webhooks/service';
import { eventBody } from '../../modules/webhooks/payload';
import { cursorPagination, keysToCamel } from './case';
import type { Router } from './router';

const base = '/v1/webhooks';
const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The webhook object; the secret is not part of it (only the creation answer carries it). */
export function webhookBody(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    active: endpoint.active,
    created_at: endpoint.createdAt.toISOString(),
    links: { self: `${base}/${endpoint.id}`, deliveries: `${base}/${endpoint.id}/deliveries` },
  };
}

/** A delivery of the log, with the event body the endpoint receives (`payload`). */
export function deliveryBody(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    webhook_id: delivery.endpointId,
    event: delivery.event,
    run_id: delivery.runId,
    status: delivery.status,
    attempts: delivery.attempts,
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    created_at: delivery.createdAt.toISOString(),
    last_attempt_at: iso(delivery.lastAttemptAt),
    delivered_at: iso(delivery.deliveredAt),
    payload: eventBody(delivery),
  };
}

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
