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
import { keysToCamel } from '../../modules/shared/key-case';
import { cursorPagination } from './pagination';
import type { RestHandler } from './router';

/** The creation answer is the only one that carries the signing secret. */
export const create: RestHandler = async (request) => {
  const endpoint = await createWebhook(request.context, keysToCamel(await request.json()));
  return { status: 201, body: { ...webhookBody(endpoint), secret: endpoint.secret } };
};

export const list: RestHandler = async (request) => {
  const page = await listWebhooks(request.context, {
    limit: request.query.get('limit') ?? undefined,
    cursor: request.query.get('cursor') ?? undefined,
  });
  return { status: 200, body: { data: page.data.map(webhookBody), pagination: cursorPagination(page) } };
};

export const get: RestHandler = async (request) => ({
  status: 200,
  body: webhookBody(await getWebhook(request.context, request.params.id!)),
});

export const update: RestHandler = async (request) => ({
  status: 200,
  body: webhookBody(await updateWebhook(request.context, request.params.id!, keysToCamel(await request.json()))),
});

export const remove: RestHandler = async (request) => {
  await deleteWebhook(request.context, request.params.id!);
  return { status: 200, body: { deleted: true } };
};

export const test: RestHandler = async (request) => {
  const result = await testWebhook(request.context, request.params.id!);
  return {
    status: 200,
    body: { delivered: result.delivered, status_code: result.statusCode, error: result.error, duration_ms: result.durationMs },
  };
};

export const deliveries: RestHandler = async (request) => {
  const page = await listDeliveries(request.context, request.params.id!, {
    status: request.query.get('status') ?? undefined,
    limit: request.query.get('limit') ?? undefined,
    cursor: request.query.get('cursor') ?? undefined,
  });
  return { status: 200, body: { data: page.data.map(deliveryBody), pagination: cursorPagination(page) } };
};
