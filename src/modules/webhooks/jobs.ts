/**
 * The `webhook_delivery` task (src/worker/tasks.ts): one attempt at POSTing one delivery. A non-2xx answer, a
 * redirect or a network error is recorded on the delivery and thrown, so graphile-worker retries with its
 * exponential backoff; the last attempt marks the delivery `failed` instead.
 */
import type { App } from '../../context';
import { eventBody } from './payload';
import type { WebhookDelivery } from './service';
import { post, type Attempt } from './transport';
import { parseAllowedHosts } from './validation';

/** Thrown after a failed attempt that will be retried (graphile-worker logs it and backs off). */
export class DeliveryAttemptError extends Error {}

export async function deliverWebhook(app: App, deliveryId: string, attempt: number, maxAttempts: number): Promise<void> {
  const [row] = await app.sql<Array<Record<string, unknown>>>`
    select d.id, d.event, d.created_at, d.payload, d.status, e.url, e.secret, e.active
    from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
    where d.id = ${deliveryId}`;
  // Deleted with its endpoint, or settled by an earlier run of this job: nothing to do.
  if (!row || row.status !== 'pending') return;
  const delivery = { id: String(row.id), event: row.event, createdAt: new Date(row.created_at as string), payload: row.payload } as WebhookDelivery;
  const url = String(row.url);
  let result: Attempt;
  let final = attempt >= maxAttempts;
  if (!row.active) {
    result = { statusCode: null, error: 'the endpoint was disabled' };
    final = true;
  } else {
    result = await post(url, String(row.secret), delivery.id, JSON.stringify(eventBody(delivery)), parseAllowedHosts(app.settings.WEBHOOK_ALLOWED_HOSTS));
    // Refused (WEBHOOK_ALLOWED_HOSTS may have changed since the endpoint was saved): retrying cannot help.
    if (result.refused) final = true;
  }
  const delivered = result.error === null;
  const status = delivered ? 'delivered' : final ? 'failed' : 'pending';
  await app.sql`
    update webhook_deliveries set attempts = attempts + 1, last_status_code = ${result.statusCode}, last_error = ${result.error},
      last_attempt_at = now(), status = ${status}, delivered_at = case when ${delivered}::boolean then now() end
    where id = ${delivery.id} and status = 'pending'`;
  if (status === 'pending') throw new DeliveryAttemptError(`webhook delivery ${delivery.id} to ${url} failed (attempt ${attempt} of ${maxAttempts}): ${result.error}`);
  if (status === 'failed') app.logger.warn({ deliveryId, url, error: result.error, attempts: attempt }, 'webhook delivery failed for good');
}
