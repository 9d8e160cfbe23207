/**
 * The `webhook_delivery` task (src/worker/tasks.ts): one attempt at POSTing one delivery. A non-2xx answer, a
 * redirect or a network error is recorded on the delivery and thrown, so graphile-worker retries with its
 * exponential backoff; the last attempt marks the delivery `failed` instead.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { App } from '../../context';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema';
import { eventBody } from './payload';
import { post, type Attempt } from './transport';
import { parseAllowedHosts } from './validation';

/** Thrown after a failed attempt that will be retried (graphile-worker logs it and backs off). */
export class DeliveryAttemptError extends Error {}

export async function deliverWebhook(app: App, deliveryId: string, attempt: number, maxAttempts: number): Promise<void> {
  const [found] = await app.db
    .select({
      delivery: webhookDeliveries,
      endpoint: { url: webhookEndpoints.url, secret: webhookEndpoints.secret, active: webhookEndpoints.active },
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, deliveryId));
  // Deleted with its endpoint, or settled by an earlier run of this job: nothing to do.
  if (!found || found.delivery.status !== 'pending') return;
  const { delivery, endpoint } = found;
  const url = endpoint.url;
  let result: Attempt;
  let final = attempt >= maxAttempts;
  if (!endpoint.active) {
    result = { statusCode: null, error: 'the endpoint was disabled' };
    final = true;
  } else {
    result = await post(
      url,
      endpoint.secret,
      delivery.id,
      JSON.stringify(eventBody(delivery)),
      parseAllowedHosts(app.settings.WEBHOOK_ALLOWED_HOSTS),
    );
    // Refused (WEBHOOK_ALLOWED_HOSTS may have changed since the endpoint was saved): retrying cannot help.
    if (result.refused) final = true;
  }
  const delivered = result.error === null;
  const status = delivered ? 'delivered' : final ? 'failed' : 'pending';
  await app.db
    .update(webhookDeliveries)
    .set({
      attempts: sql`${webhookDeliveries.attempts} + 1`,
      lastStatusCode: result.statusCode,
      lastError: result.error,
      lastAttemptAt: sql`now()`,
      status,
      deliveredAt: delivered ? sql`now()` : null,
    })
    .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, 'pending')));
  if (status === 'pending')
    throw new DeliveryAttemptError(
      `webhook delivery ${delivery.id} to ${url} failed (attempt ${attempt} of ${maxAttempts}): ${result.error}`,
    );
  if (status === 'failed') app.logger.warn({ deliveryId, url, error: result.error, attempts: attempt }, 'webhook delivery failed for good');
}
