/**
 * The `deliver_webhook` task: one attempt at POSTing one delivery. A non-2xx answer, a redirect or a network error
 * is recorded on the delivery and thrown, so graphile-worker retries with its exponential backoff; the last attempt
 * marks the delivery `failed` instead.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { JobHelpers } from 'graphile-worker';
import { z } from 'zod';
import { and, eq, sql } from 'drizzle-orm';
import type { App } from '../../context';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema';
import { eventBody } from './payload';
import { signPayload } from './signature';
import { hostRefusal, listedHost, parseAllowedHosts, refusedAddress } from './validation';

export const DELIVERY_TIMEOUT_MS = 10_000;
const payloadSchema = z.object({ deliveryId: z.string().uuid() });

export interface Attempt {
  statusCode: number | null;
  error: string | null;
  /** No connection was tried: the URL's host is refused (hostRefusal), so retrying cannot help. */
  refused?: true;
}

/** Thrown after a failed attempt that will be retried (graphile-worker logs it and backs off). */
export class DeliveryAttemptError extends Error {}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Resolve = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * dns.lookup for webhook connections, failing when the name resolves to any address that is not public
 * (refusedAddress in validation.ts). It checks the very addresses the connection then uses, so a name cannot resolve
 * to a public address when the URL is checked and to 127.0.0.1 or 169.254.169.254 when the delivery connects. The
 * error names neither the address nor its range: /test would otherwise show what internal names resolve to.
 * `resolve` defaults to dns.lookup.
 */
export function guardedLookup(resolve: Resolve = dnsLookup) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.find((entry) => refusedAddress(entry.address));
      if (refused) return callback(new Error(`${hostname} resolves to an address that is not public; name it in WEBHOOK_ALLOWED_HOSTS to allow it`), []);
      const first = addresses[0];
      if (options.all) callback(null, addresses);
      else if (first) callback(null, first.address, first.family);
      else callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
    });
  };
}

/**
 * One signed POST; never throws (the outcome is the status code, or why there was none). The URL's host is checked
 * first (hostRefusal: a literal address connects without any lookup), then, unless WEBHOOK_ALLOWED_HOSTS names it,
 * every address its name resolves to. node:http rather than fetch: its `lookup` option lets guardedLookup check the
 * addresses the connection uses.
 */
export function post(url: string, secret: string, deliveryId: string, body: string, allowedHosts: readonly string[]): Promise<Attempt> {
  const timestamp = Math.floor(Date.now() / 1000);
  const target = new URL(url);
  const refusal = hostRefusal(target.hostname, allowedHosts);
  if (refusal) return Promise.resolve({ statusCode: null, error: refusal, refused: true });
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const request = send(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Concord-Webhooks/1',
          'concord-webhook-id': deliveryId,
          'concord-webhook-timestamp': String(timestamp),
          'concord-webhook-signature': signPayload(secret, timestamp, body),
        },
        ...(listedHost(target.hostname, allowedHosts) ? {} : { lookup: guardedLookup() }),
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      },
      (response) => {
        // The answer's body is neither read nor recorded: the delivery log would otherwise let anyone with a write
        // key read what internal services answer (server-side request forgery with a read-back). A redirect is not
        // followed (it could lead anywhere): like any answer outside 2xx, it counts as a failure.
        response.resume();
        const status = response.statusCode ?? 0;
        resolve(status >= 200 && status < 300 ? { statusCode: status, error: null } : { statusCode: status, error: `HTTP ${status}` });
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'TimeoutError' || error.name === 'AbortError') resolve({ statusCode: null, error: `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s` });
      else resolve({ statusCode: null, error: error.code ?? error.message });
    });
    request.end(body);
  });
}

export async function deliverWebhook(app: App, deliveryId: string, attempt: number, maxAttempts: number): Promise<void> {
  const [found] = await app.db
    .select({ delivery: webhookDeliveries, endpoint: { url: webhookEndpoints.url, secret: webhookEndpoints.secret, active: webhookEndpoints.active } })
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
    result = await post(url, endpoint.secret, delivery.id, JSON.stringify(eventBody(delivery)), parseAllowedHosts(app.settings.WEBHOOK_ALLOWED_HOSTS));
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
  if (status === 'pending') throw new DeliveryAttemptError(`webhook delivery ${delivery.id} to ${url} failed (attempt ${attempt} of ${maxAttempts}): ${result.error}`);
  if (status === 'failed') app.logger.warn({ deliveryId, url, error: result.error, attempts: attempt }, 'webhook delivery failed for good');
}

/** The task of src/worker.ts's task list. */
export async function deliverWebhookTask(app: App, payload: unknown, helpers: JobHelpers): Promise<void> {
  const { deliveryId } = payloadSchema.parse(payload);
  await deliverWebhook(app, deliveryId, helpers.job.attempts, helpers.job.max_attempts);
}
