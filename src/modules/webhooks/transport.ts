/**
 * How a webhook reaches its endpoint: one signed POST over node:http(s), with the address checks that keep it from
 * reaching anything but a public host. Used by the delivery job (jobs.ts) and by testWebhook's one attempt (service.ts).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signPayload } from './signature';
import { hostRefusal, listedHost, refusedAddress } from './validation';

export const DELIVERY_TIMEOUT_MS = 10_000;

export interface Attempt {
  statusCode: number | null;
  error: string | null;
  /** No connection was tried: the URL's host is refused (hostRefusal), so retrying cannot help. */
  refused?: true;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Resolve = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

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
      if (refused)
        return callback(
          new Error(`${hostname} resolves to an address that is not public; name it in WEBHOOK_ALLOWED_HOSTS to allow it`),
          [],
        );
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
      if (error.name === 'TimeoutError' || error.name === 'AbortError')
        resolve({ statusCode: null, error: `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s` });
      else resolve({ statusCode: null, error: error.code ?? error.message });
    });
    request.end(body);
  });
}
