/**
 * How a keyed REST request meets the limits: its count against the key's budget (X-RateLimit-*, 429), its key's scope,
 * and Idempotency-Key replay. What is counted and stored (counters, claimed keys, kept responses) is modules/limits';
 * the GraphQL side of the same limits is graphql.ts.
 */
import type { Context } from '../../context';
import {
  AppError,
  InsufficientScopeError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../errors';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  parseIdempotencyKey,
  releaseIdempotencyKey,
  requestHash,
} from '../../modules/limits/idempotency';
import { countRequest } from '../../modules/limits/rate-limit';
import { requireScope, type Actor } from '../../modules/workspaces/actor';
import type { Scope } from '../../modules/workspaces/keys';
import { restError } from '../rest/errors';
import { rateLimitHeaders } from './headers';
import { parseJsonBody, readBody } from '../rest/body';
import type { RestHandler, RestRequest, RestResponse } from '../rest/router';

/**
 * Counts a request of an authenticated caller against its key's budget and returns the `X-RateLimit-*` headers for the
 * response (none when the key is unlimited). Over the limit it throws `RateLimitedError` (429, `Retry-After`); the
 * headers are then those of the 429.
 */
export async function checkRestRateLimit(context: Context, headers: Record<string, string>): Promise<void> {
  const state = await countRequest(context);
  if (!state) return;
  Object.assign(headers, rateLimitHeaders(state));
  if (state.limited) throw new RateLimitedError(state.resetSeconds);
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Checks that the caller's key may use a keyed REST route: GET needs `read`, every other method `write` (as the
 * OpenAPI document says), but a route that only reads (`readsOnly`: match now). Runs before anything else could answer the request, an idempotent replay above all: a
 * read-only key must never get a write's stored response (which may carry a secret shown once).
 */
export function requireRouteScope(actor: Actor | null, method: string, readsOnly = false): Actor {
  const scope: Scope = WRITE_METHODS.has(method) && !readsOnly ? 'write' : 'read';
  return requireScope(actor, scope);
}

/**
 * Errors that answer a request before it began executing: it was not let in (401, 403) or its input was refused (400,
 * 413, 415). Like Stripe, these are not stored under the `Idempotency-Key`: the same key may be sent again, fixed.
 */
function refusedBeforeExecution(error: AppError): boolean {
  return (
    error instanceof ValidationError ||
    error instanceof UnauthorizedError ||
    error instanceof InsufficientScopeError ||
    error instanceof PayloadTooLargeError ||
    error instanceof UnsupportedMediaTypeError
  );
}

/**
 * Runs a REST write at most once per `Idempotency-Key` and API key within 24 h (see docs/rest-api.md, "Idempotent writes").
 * Reads and requests without the header go straight to the handler. The caller has checked the key's scope
 * (requireRouteScope) before: only a request the key may make is looked up, claimed or stored.
 */
export async function handleIdempotently(request: RestRequest, handler: RestHandler, actor: Actor): Promise<RestResponse> {
  if (!WRITE_METHODS.has(request.method)) return handler(request);
  const key = parseIdempotencyKey(request.raw.headers['idempotency-key']);
  if (key === null) return handler(request);

  const { sql, settings } = request.context;
  const multipart = /^multipart\//i.test(request.raw.headers['content-type'] ?? '');
  // A JSON body is read once: hashed here, parsed when the handler asks for it. An upload is neither (too large).
  const body = multipart ? null : await readBody(request.raw, settings.MAX_JSON_BYTES);
  const forHandler: RestRequest = body
    ? { ...request, json: async () => parseJsonBody(body, request.raw.headers['content-type']), bytes: async () => body }
    : request;
  const search = request.query.toString();
  const hash = requestHash(request.method, search ? `${request.path}?${search}` : request.path, body);

  const claim = await claimIdempotencyKey(sql, actor, key, hash);
  if (claim.kind === 'replay') {
    // A replayed upload is answered without reading it; the REST handler deals with the unread rest.
    return {
      status: claim.response.status,
      body: claim.response.body,
      headers: { ...claim.response.headers, 'idempotent-replayed': 'true' },
    };
  }

  let response: RestResponse;
  try {
    response = await handler(forHandler);
  } catch (error) {
    if (!(error instanceof AppError) || error.statusCode >= 500 || error instanceof RateLimitedError || refusedBeforeExecution(error)) {
      await releaseIdempotencyKey(sql, actor, key).catch(() => {});
      throw error;
    }
    // Any other typed client error (404, 409…) came from executing the request: keep it for replay, byte for byte.
    const { body: errorBody, headers } = restError(error, request.context.requestId, request.path);
    response = { status: errorBody.statusCode, body: errorBody, headers };
  }
  if ('stream' in response || response.status >= 500) {
    await releaseIdempotencyKey(sql, actor, key).catch(() => {});
    return response;
  }
  try {
    await completeIdempotencyKey(sql, actor, key, { status: response.status, headers: response.headers ?? {}, body: response.body });
  } catch (error) {
    // The write happened: answer it. Retries see 409 until the claim counts as abandoned.
    request.context.logger.error({ err: error, requestId: request.context.requestId }, 'could not store the idempotent response');
  }
  return response;
}
