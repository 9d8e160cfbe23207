import { eventBody } from './payload';
import type { WebhookDelivery, WebhookEndpoint } from './service';

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
