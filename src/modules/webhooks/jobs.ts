/**
 * The `deliver_webhook` task: one attempt at POSTing one delivery. A non-2xx answer, a redirect or a network error
 * is recorded on the delivery and thrown, so graphile-worker retries with its exponential backoff; the last attempt
 * marks the delivery `failed` instead.
 */
import type { JobHelpers } from 'graphile-worker';
import { z } from 'zod';
import type { App } from '../../context';
import { eventBody } from './payload';
import type { WebhookDelivery } from './service';
import { signPayload } from './signature';
import { hostAllowed, parseAllowedHosts } from './validation';

export const DELIVERY_TIMEOUT_MS = 10_000;
const payloadSchema = z.object({ deliveryId: z.string().uuid() });

export interface Attempt {
  statusCode: number | null;
  error: string | null;
}

/** Thrown after a failed attempt that will be retried (graphile-worker logs it and backs off). */
export class DeliveryAttemptError extends Error {}

/** One signed POST; never throws (the outcome is the status code, or why there was none). */
export async function post(url: string, secret: string, deliveryId: string, body: string): Promise<Attempt> {
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Concord-Webhooks/1',
        'concord-webhook-id': deliveryId,
        'concord-webhook-timestamp': String(timestamp),
        'concord-webhook-signature': signPayload(secret, timestamp, body),
      },
      body,
      // A redirect is not followed: it could lead anywhere (another host, an internal address); it counts as a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    // The answer's body is neither read nor recorded: the delivery log would otherwise let anyone with a write key
    // read what internal services answer (server-side request forgery with a read-back).
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) return { statusCode: response.status, error: null };
    return { statusCode: response.status, error: `HTTP ${response.status}` };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') return { statusCode: null, error: `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s` };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { statusCode: null, error: cause?.code ?? cause?.message ?? (error as Error).message };
  }
}

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
  } else if (!hostAllowed(new URL(url).hostname, parseAllowedHosts(app.settings.WEBHOOK_ALLOWED_HOSTS))) {
    // WEBHOOK_ALLOWED_HOSTS may have changed since the endpoint was saved.
    result = { statusCode: null, error: `the host of ${url} is not in WEBHOOK_ALLOWED_HOSTS` };
    final = true;
  } else {
    result = await post(url, String(row.secret), delivery.id, JSON.stringify(eventBody(delivery)));
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

/** The task of src/worker.ts's task list. */
export async function deliverWebhookTask(app: App, payload: unknown, helpers: JobHelpers): Promise<void> {
  const { deliveryId } = payloadSchema.parse(payload);
  await deliverWebhook(app, deliveryId, helpers.job.attempts, helpers.job.max_attempts);
}
