/**
 * Typed errors of the service layer. Each carries its public `code` and HTTP status; they are mapped once to REST
 * error bodies (src/http/rest/errors.ts) and once to GraphQL error results (src/graphql/errors.ts).
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly statusCode: number;
  readonly retryable: boolean = false;
  readonly details?: ErrorDetail[];

  constructor(message: string, details?: ErrorDetail[]) {
    super(message);
    this.name = new.target.name;
    if (details?.length) this.details = details;
  }
}

export class ValidationError extends AppError {
  readonly code = 'validation_error';
  readonly statusCode = 400;
}

export class UnauthorizedError extends AppError {
  readonly code = 'unauthorized';
  readonly statusCode = 401;
  constructor(message = 'Missing or invalid API key.') {
    super(message);
  }
}

export class InsufficientScopeError extends AppError {
  readonly code = 'insufficient_scope';
  readonly statusCode = 403;
  constructor(scope: string, message = `This API key lacks the "${scope}" scope.`) {
    super(message);
  }
}

export class NotFoundError extends AppError {
  readonly code = 'not_found';
  readonly statusCode = 404;
  constructor(resource: string, id?: string, message?: string) {
    super(message ?? (id === undefined ? `${resource} not found.` : `No ${resource} with this ID exists for your workspace.`));
  }
}

export class MethodNotAllowedError extends AppError {
  readonly code = 'method_not_allowed';
  readonly statusCode = 405;
  /** The methods the resource has (HTTP: the `Allow` header). */
  readonly allowed: string[];
  constructor(method: string, allowed: string[]) {
    super(`${method} is not allowed here; use ${allowed.join(', ')}.`);
    this.allowed = [...new Set(allowed)];
  }
}

export class ConflictError extends AppError {
  readonly code = 'conflict';
  readonly statusCode = 409;
}

/** An `Idempotency-Key` reused with another method, path or body than the request it first came with. */
export class IdempotencyMismatchError extends AppError {
  readonly code = 'idempotency_mismatch';
  readonly statusCode = 422;
  constructor() {
    super('This Idempotency-Key was already used with a different request (method, path or body). Use a new key for a new request.');
  }
}

export class PayloadTooLargeError extends AppError {
  readonly code = 'payload_too_large';
  readonly statusCode = 413;
  constructor(limitBytes: number) {
    super(`The request body exceeds the limit of ${limitBytes} bytes.`);
  }
}

/** The request line and headers exceed Node's limit (http.maxHeaderSize), refused before any route sees them. */
export class HeaderFieldsTooLargeError extends AppError {
  readonly code = 'header_fields_too_large';
  readonly statusCode = 431;
  constructor(limitBytes: number) {
    super(
      `The request line and headers exceed the limit of ${limitBytes} bytes. Send long input in a request body (the reconciliation endpoint takes its queries as a POST form).`,
    );
  }
}

/** The client did not send a whole request in time (server.requestTimeout / headersTimeout). */
export class RequestTimeoutError extends AppError {
  readonly code = 'request_timeout';
  readonly statusCode = 408;
  override readonly retryable = true;
  constructor() {
    super('The request was not received in time.');
  }
}

export class UnsupportedMediaTypeError extends AppError {
  readonly code = 'unsupported_media_type';
  readonly statusCode = 415;
}

export class RateLimitedError extends AppError {
  readonly code = 'rate_limited';
  readonly statusCode = 429;
  override readonly retryable = true;
  constructor(readonly retryAfterSeconds: number) {
    super('Too many requests. Retry after the period indicated in the Retry-After header.');
  }
}

/** More subscriptions at once than a connection or an API key may hold (SUBSCRIPTIONS_PER_CONNECTION, _PER_KEY). */
export class TooManySubscriptionsError extends AppError {
  readonly code = 'too_many_subscriptions';
  readonly statusCode = 429;
}

export class ServiceUnavailableError extends AppError {
  readonly code = 'service_unavailable';
  readonly statusCode = 503;
  override readonly retryable = true;
}

/** A match-now request whose warm reference index is still being built past the wait bound (realtime/warm-indexes.ts). */
export class IndexBuildingError extends AppError {
  readonly code = 'index_building';
  readonly statusCode = 503;
  override readonly retryable = true;
  constructor(readonly retryAfterSeconds: number) {
    super(`The reference index of this config is being built; retry after ${retryAfterSeconds} s (the Retry-After header).`);
  }
}

/** A key the client chose (a query id, a column name) in an error path: written `["…"]` and never renamed, so the
 *  REST layer's snake_case of our own field names leaves it as the client sent it. */
export class ClientKey {
  constructor(readonly key: string) {}
}

/** `["key"]`: how an error path writes a key the client chose (see ClientKey and key-case.ts's pathToSnake). */
export function clientKeySegment(key: string): string {
  return `[${JSON.stringify(key)}]`;
}

/**
 * zod issues → `details: [{path, message}]`, with paths written the way the REST body spells them. `keysAsSent`:
 * the input's keys were read as sent, not converted from snake_case (reconciliation queries), so an unknown field
 * is the client's own key and is quoted (ClientKey) rather than renamed.
 */
export function validationErrorFromIssues(
  message: string,
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey | ClientKey>; message: string; code?: string; keys?: readonly string[] }>,
  { keysAsSent = false }: { keysAsSent?: boolean } = {},
): ValidationError {
  const pathOf = (path: ReadonlyArray<PropertyKey | ClientKey>) => {
    let written = '';
    for (const segment of path) {
      if (typeof segment === 'number') written += `[${segment}]`;
      else if (segment instanceof ClientKey) written += clientKeySegment(segment.key);
      else written += `${written === '' ? '' : '.'}${String(segment)}`;
    }
    return written;
  };
  return new ValidationError(
    message,
    issues.flatMap((issue) =>
      // One detail per unknown field, under its own path: the message alone would name it as the service spells it
      // (camelCase), not as the client sent it.
      issue.code === 'unrecognized_keys' && issue.keys?.length
        ? issue.keys.map((key) => ({ path: pathOf([...issue.path, keysAsSent ? new ClientKey(key) : key]), message: 'unknown field' }))
        : [{ path: pathOf(issue.path), message: issue.message }],
    ),
  );
}

/**
 * Postgres refusing text it cannot store (a NUL character: SQLSTATE 22021 in text, 22P05 in jsonb; a lone surrogate:
 * 22P02 in jsonb) is the input's
 * fault: a ValidationError, not a 500. The error may come straight from postgres.js or wrapped (`cause`) by drizzle.
 */
export function fromDatabaseError(error: unknown): ValidationError | undefined {
  for (
    let current = error, hops = 0;
    current && typeof current === 'object' && hops < 3;
    current = (current as { cause?: unknown }).cause, hops++
  ) {
    const code = (current as { code?: unknown }).code;
    if (code === '22021' || code === '22P05') {
      return new ValidationError('The input contains a NUL character (\\u0000), which cannot be stored.');
    }
    // jsonb refusing JSON text Node produced from the input: a lone UTF-16 surrogate (\ud83d) in a string.
    if (code === '22P02' && /type json/i.test(String((current as { message?: unknown }).message))) {
      return new ValidationError('The input contains text that cannot be stored as JSON (a lone UTF-16 surrogate such as \\ud83d).');
    }
  }
  return undefined;
}
