import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../../graphql/builder';
import { assertForwardOnly, countedConnection, cursorConnection } from '../../graphql/connections';
import { databaseId } from '../../graphql/ids';
import { eventBody } from './payload';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  testWebhook,
  updateWebhook,
  type WebhookTestResult,
  type WebhookDelivery,
  type WebhookEndpoint,
} from './service';
import type { WebhookEvent } from '../../db/schema';
import type { EnumValues } from '../../graphql/enums';
import type { DeliveryStatus } from './validation';

const WebhookEventEnum = builder.enumType('WebhookEventType', {
  description: 'What a webhook endpoint can subscribe to: a run reaching a terminal state.',
  values: {
    RUN_COMPLETED: { value: 'run.completed', description: 'A run completed (`run.completed`).' },
    RUN_FAILED: { value: 'run.failed', description: 'A run failed (`run.failed`).' },
    RUN_CANCELLED: { value: 'run.cancelled', description: 'A run was cancelled (`run.cancelled`).' },
  } satisfies EnumValues<WebhookEvent>,
});

const DeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'pending (attempts left) → delivered (a 2xx answer) | failed (out of attempts, or the endpoint was disabled).',
  values: {
    PENDING: { value: 'pending', description: 'Not delivered yet; attempts remain.' },
    DELIVERED: { value: 'delivered', description: 'The endpoint answered 2xx.' },
    FAILED: { value: 'failed', description: 'Every attempt failed, or the endpoint was disabled meanwhile.' },
  } satisfies EnumValues<DeliveryStatus>,
});

const WebhookDeliveryRef = builder.objectRef<WebhookDelivery>('WebhookDelivery').implement({
  description: 'One event sent (or being sent) to one endpoint, with the outcome of its last attempt.',
  fields: (t) => ({
    id: t.id({ description: 'Global id.', resolve: (delivery) => encodeGlobalID('WebhookDelivery', delivery.id) }),
    databaseId: t.exposeString('id', { description: 'The UUID the REST API uses; also the event id and the Concord-Webhook-Id header.' }),
    event: t.field({ type: WebhookEventEnum, description: 'The event.', resolve: (delivery) => delivery.event }),
    runId: t.exposeString('runId', { nullable: true, description: 'The run the event is about (UUID).' }),
    status: t.field({ type: DeliveryStatusEnum, resolve: (delivery) => delivery.status as 'pending' | 'delivered' | 'failed' }),
    attempts: t.exposeInt('attempts', { description: 'Attempts made so far.' }),
    lastStatusCode: t.exposeInt('lastStatusCode', {
      nullable: true,
      description: 'HTTP status of the last attempt; null when there was no answer.',
    }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Why the last attempt failed, if it did.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When the event happened.', resolve: (delivery) => delivery.createdAt }),
    lastAttemptAt: t.field({ type: 'DateTime', nullable: true, resolve: (delivery) => delivery.lastAttemptAt }),
    deliveredAt: t.field({ type: 'DateTime', nullable: true, resolve: (delivery) => delivery.deliveredAt }),
    payload: t.field({ type: 'JSON', description: 'The JSON body POSTed to the endpoint.', resolve: (delivery) => eventBody(delivery) }),
  }),
});

export const WebhookRef = builder.objectRef<WebhookEndpoint>('WebhookEndpoint').implement({
  description: 'A URL that receives signed POSTs when runs of the workspace end.',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ description: 'Global id.', resolve: (endpoint) => encodeGlobalID('WebhookEndpoint', endpoint.id) }),
    databaseId: t.exposeString('id', { description: 'The UUID the REST API uses.' }),
    url: t.exposeString('url', { description: 'Where events are POSTed.' }),
    events: t.field({ type: [WebhookEventEnum], description: 'The subscribed events.', resolve: (endpoint) => endpoint.events }),
    active: t.exposeBoolean('active', { description: 'Inactive endpoints receive nothing.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (endpoint) => endpoint.createdAt }),
    deliveries: t.connection(
      {
        type: WebhookDeliveryRef,
        description: 'The delivery log, newest first (forward pagination: first ≤ 100, after).',
        args: { status: t.arg({ type: DeliveryStatusEnum, description: 'Only deliveries in this status.' }) },
        resolve: async (endpoint, args, context) => {
          assertForwardOnly(args);
          const page = await listDeliveries(context, endpoint.id, {
            status: args.status ?? undefined,
            limit: args.first ?? undefined,
            cursor: args.after ?? undefined,
          });
          return cursorConnection(page, args);
        },
      },
      countedConnection('WebhookDeliveryConnection', 'A page of deliveries.', 'How many deliveries match.'),
    ),
  }),
});

const CreatedWebhookRef = builder.objectRef<WebhookEndpoint>('CreatedWebhook').implement({
  description: 'A new endpoint and its signing secret (shown only here).',
  fields: (t) => ({
    webhook: t.field({ type: WebhookRef, resolve: (endpoint) => endpoint }),
    secret: t.exposeString('secret', {
      description: 'whsec_…: the HMAC-SHA256 key of the Concord-Webhook-Signature header. Keep it; it is not shown again.',
    }),
  }),
});

const DeletedWebhookRef = builder.objectRef<{ id: string }>('DeletedWebhook').implement({
  description: 'A deleted webhook endpoint (its delivery log is gone with it).',
  fields: (t) => ({ databaseId: t.exposeString('id', { description: 'The UUID of the deleted endpoint.' }) }),
});

const WebhookTestResultRef = builder.objectRef<WebhookTestResult>('WebhookTestResult').implement({
  description: 'The outcome of one signed `webhook.test` POST.',
  fields: (t) => ({
    delivered: t.exposeBoolean('delivered', { description: 'The endpoint answered 2xx within 10 s.' }),
    statusCode: t.exposeInt('statusCode', { nullable: true, description: 'The HTTP status; null when there was no answer.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why it was not delivered, if it was not.' }),
    durationMs: t.exposeInt('durationMs', { description: 'How long the attempt took.' }),
  }),
});

const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
  description: 'A new webhook endpoint.',
  fields: (t) => ({
    url: t.string({ required: true, description: 'An http(s) URL without credentials.' }),
    events: t.field({ type: [WebhookEventEnum], description: 'The events to receive (default: all).' }),
    active: t.boolean({ description: 'Default true.' }),
  }),
});

const UpdateWebhookInput = builder.inputType('UpdateWebhookInput', {
  description: 'The fields to change.',
  fields: (t) => ({
    url: t.string({ description: 'An http(s) URL without credentials.' }),
    events: t.field({ type: [WebhookEventEnum], description: 'The events to receive.' }),
    active: t.boolean({ description: 'false stops deliveries (pending ones end as failed).' }),
  }),
});

const webhookId = (id: string | number) => databaseId(String(id), 'WebhookEndpoint');
const defined = (input: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined));

builder.queryFields((t) => ({
  webhooks: t.connection(
    {
      type: WebhookRef,
      description: 'The webhook endpoints of your workspace, newest first (forward pagination: first ≤ 100, after).',
      resolve: async (_root, args, context) => {
        assertForwardOnly(args);
        return cursorConnection(await listWebhooks(context, { limit: args.first ?? undefined, cursor: args.after ?? undefined }), args);
      },
    },
    countedConnection('WebhookEndpointConnection', 'A page of webhook endpoints.', 'How many endpoints the workspace has.'),
  ),
  webhook: t.field({
    type: WebhookRef,
    description: 'One webhook endpoint by id (global id or UUID).',
    args: { id: t.arg.id({ required: true, description: 'Global id or UUID.' }) },
    errors: {},
    resolve: (_root, args, context) => getWebhook(context, webhookId(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createWebhook: t.field({
    type: CreatedWebhookRef,
    description: 'Create a webhook endpoint; the answer carries its secret, shown once.',
    args: { input: t.arg({ type: CreateWebhookInput, required: true, description: 'The endpoint.' }) },
    errors: {},
    resolve: (_root, { input }, context) => createWebhook(context, defined(input)),
  }),
  updateWebhook: t.field({
    type: WebhookRef,
    description: 'Change the URL, events or active flag of a webhook endpoint.',
    args: {
      id: t.arg.id({ required: true, description: 'Global id or UUID.' }),
      input: t.arg({ type: UpdateWebhookInput, required: true, description: 'The fields to change.' }),
    },
    errors: {},
    resolve: (_root, { id, input }, context) => updateWebhook(context, webhookId(id), defined(input)),
  }),
  testWebhook: t.field({
    type: WebhookTestResultRef,
    description: 'Send a signed `webhook.test` event to the endpoint now (not queued, retried or logged).',
    args: { id: t.arg.id({ required: true, description: 'Global id or UUID.' }) },
    errors: {},
    resolve: (_root, { id }, context) => testWebhook(context, webhookId(id)),
  }),
  deleteWebhook: t.field({
    type: DeletedWebhookRef,
    description: 'Delete a webhook endpoint and its delivery log.',
    args: { id: t.arg.id({ required: true, description: 'Global id or UUID.' }) },
    errors: {},
    resolve: async (_root, { id }, context) => {
      const uuid = webhookId(id);
      await deleteWebhook(context, uuid);
      return { id: uuid };
    },
  }),
}));
