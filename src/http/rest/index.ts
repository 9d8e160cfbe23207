import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createContext, requestIdFrom, type App } from '../../context';
import { IndexBuildingError, MethodNotAllowedError, NotFoundError, UnauthorizedError } from '../../errors';
import { restError } from './errors';
import { readBody, readJsonBody } from './body';
import { Router } from './router';
import type { RestRequest, RestResponse } from './router';
import { restRoutes } from './routes';
import { checkRestRateLimit, handleIdempotently, requireRouteScope } from '../limits/rest';
import { setRoutePattern } from '../../observability/http';
import { authorizationFor, repairedQuery, requireReadOnlyUrlKey } from './url-key';

/** The router over the route table (routes.ts). */
export function buildRouter(app: App): Router {
  return new Router(restRoutes(app));
}

export function createRestHandler(app: App) {
  const router = buildRouter(app);

  return async function handle(raw: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(raw.url ?? '/', 'http://localhost');
    const method = (raw.method ?? 'GET').toUpperCase();
    const requestIdHeader = raw.headers['x-request-id'];
    let requestId = requestIdFrom(requestIdHeader) ?? randomUUID();
    let result: RestResponse;
    // X-RateLimit-* of the caller's key, on every response once the key is known (the 429 included).
    const limitHeaders: Record<string, string> = {};
    // CORS on every answer of a `read-key` route, errors included (a browser shows its caller nothing otherwise).
    const corsHeaders: Record<string, string> = {};
    try {
      if (method === 'OPTIONS') {
        const preflight = corsPreflight(router, url.pathname);
        if (preflight) {
          await send(response, preflight, requestId);
          return;
        }
      }
      const found = router.match(method, url.pathname);
      if (!found) throw new NotFoundError(`route ${method} ${url.pathname}`);
      if ('allowed' in found) throw new MethodNotAllowedError(method, found.allowed);
      setRoutePattern(response, found.route.pattern);
      const readKey = found.route.access === 'read-key';
      if (readKey) Object.assign(corsHeaders, CORS_HEADERS);
      const query = readKey ? repairedQuery(url.searchParams) : url.searchParams;
      const { authorization, fromUrl } = readKey
        ? authorizationFor(query, raw.headers.authorization)
        : { authorization: raw.headers.authorization, fromUrl: false };
      const context = await createContext(app, { authorization, requestId });
      requestId = context.requestId;
      // Admin and public routes take no API key: no rate limit, scope or Idempotency-Key (routes.ts, `access`).
      const keyed = found.route.access === 'key';
      if (keyed || readKey) {
        if (!context.actor) throw new UnauthorizedError();
        await checkRestRateLimit(context, limitHeaders);
        requireRouteScope(context.actor, readKey ? 'GET' : method, found.route.openapi.readsOnly === true);
        if (fromUrl) requireReadOnlyUrlKey(context.actor);
      }
      const restRequest: RestRequest = {
        method,
        path: url.pathname,
        params: found.params,
        query,
        raw,
        context,
        json: () => readJsonBody(raw, app.settings.MAX_JSON_BYTES),
        bytes: () => readBody(raw, app.settings.MAX_JSON_BYTES),
      };
      result =
        context.actor && keyed
          ? await handleIdempotently(restRequest, found.route.handler, context.actor)
          : await found.route.handler(restRequest);
    } catch (error) {
      const { body, headers } = restError(error, requestId, url.pathname);
      // A warm index still building is an expected, retryable answer (503 with Retry-After), not a failure to log.
      if (error instanceof IndexBuildingError)
        app.logger.info({ request_id: requestId, path: url.pathname }, 'warm index still building: 503');
      else if (body.statusCode >= 500) app.logger.error({ err: error, request_id: requestId, path: url.pathname }, 'request failed');
      result = { status: body.statusCode, body, headers };
    }
    // An answer given before the body has arrived: an error (401, 404, a bad upload field…) or an idempotent replay.
    if (!raw.complete) await dropUnreadBody(raw, response);
    if (Object.keys(limitHeaders).length || Object.keys(corsHeaders).length)
      result = { ...result, headers: { ...corsHeaders, ...limitHeaders, ...result.headers } };
    await send(response, result, requestId);
  };
}

/**
 * The CORS headers of `read-key` routes. Any origin: these routes authenticate by a key the caller sends (header or
 * URL), never by cookies, so a page of another origin can read only what its own key may read.
 */
const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'x-request-id, x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after',
};

/** The answer to a CORS preflight (OPTIONS) on a `read-key` route's path; undefined for any other path. */
function corsPreflight(router: Router, path: string): RestResponse | undefined {
  const methods = new Set<string>();
  for (const method of ['GET', 'POST']) {
    const found = router.match(method, path);
    if (found && 'route' in found && found.route.access === 'read-key') methods.add(method);
  }
  if (methods.size === 0) return undefined;
  return {
    status: 204,
    body: undefined,
    headers: {
      ...CORS_HEADERS,
      'access-control-allow-methods': [...methods].join(', '),
      'access-control-allow-headers': 'authorization, content-type, x-request-id',
      'access-control-max-age': '86400',
    },
  };
}

/** An answer given before the request body has arrived must neither leave the client blocked on a half-sent body
 *  nor cut it off mid-write: clients that send their whole body before reading the answer (fetch, browsers) then
 *  report a broken connection instead of the answer. So a body of at most `DRAIN_LIMIT_BYTES` (by its
 *  content-length, or as it turns out when it has none) is read to its end and dropped first, within
 *  `DRAIN_TIMEOUT_MS`; a larger one is cut off (`connection: close`) rather than uploaded for nothing. */
const DRAIN_LIMIT_BYTES = 1 << 20;
const DRAIN_TIMEOUT_MS = 5_000;

async function dropUnreadBody(raw: IncomingMessage, response: ServerResponse): Promise<void> {
  const length = Number(raw.headers['content-length'] ?? Number.NaN);
  if (!(length > DRAIN_LIMIT_BYTES) && (await drained(raw, DRAIN_LIMIT_BYTES))) return;
  response.setHeader('connection', 'close');
}

/** Reads and drops the rest of `raw`: true when it ended within `limit` more bytes and DRAIN_TIMEOUT_MS. */
function drained(raw: IncomingMessage, limit: number): Promise<boolean> {
  // A body still piped into a parser that gave up on it (busboy holding a file part nobody reads) would stall the
  // reads below, and the answer waited out DRAIN_TIMEOUT_MS: the drain reads the body itself.
  raw.unpipe();
  return new Promise((resolve) => {
    let seen = 0;
    const settle = (ended: boolean) => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', onEnd).off('error', onError);
      if (!ended) raw.pause();
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limit) settle(false);
    };
    const onEnd = () => settle(true);
    const onError = () => settle(false);
    const timer = setTimeout(() => settle(false), DRAIN_TIMEOUT_MS);
    raw.on('data', onData).once('end', onEnd).once('error', onError);
    raw.resume();
  });
}

async function send(response: ServerResponse, result: RestResponse, requestId: string): Promise<void> {
  response.statusCode = result.status;
  response.setHeader('x-request-id', requestId);
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, value);
  if (result.status === 204) {
    response.end();
    return;
  }
  if ('stream' in result) {
    response.setHeader('content-type', result.contentType);
    const source = result.stream instanceof Readable ? result.stream : Readable.from(result.stream);
    await pipeline(source, response).catch(() => response.destroy());
    return;
  }
  const body = JSON.stringify(result.body);
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.setHeader('content-length', Buffer.byteLength(body));
  response.end(body);
}
