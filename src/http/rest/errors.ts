import { STATUS_CODES } from 'node:http';
import { AppError, fromDatabaseError, IndexBuildingError, MethodNotAllowedError, RateLimitedError, UnauthorizedError } from '../../errors';
import { pathToSnake } from '../../modules/key-case';

export interface RestErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
  retryable: boolean;
  request_id: string;
  timestamp: string;
  path: string;
  details?: Array<{ path: string; message: string }>;
}

/** The one mapping of typed errors to the REST error body of DESIGN.md; anything untyped is a 500. */
export function restError(error: unknown, requestId: string, path: string): { body: RestErrorBody; headers: Record<string, string> } {
  const known = error instanceof AppError ? error : fromDatabaseError(error);
  const statusCode = known?.statusCode ?? 500;
  const body: RestErrorBody = {
    statusCode,
    code: known?.code ?? 'internal_error',
    error: STATUS_CODES[statusCode] ?? 'Error',
    message: known?.message ?? 'An unexpected error occurred. It has been logged with this request id.',
    retryable: known ? known.retryable : true,
    request_id: requestId,
    timestamp: new Date().toISOString(),
    path,
  };
  if (known?.details) body.details = known.details.map((detail) => ({ ...detail, path: pathToSnake(detail.path) }));
  const headers: Record<string, string> = {};
  if (error instanceof RateLimitedError || error instanceof IndexBuildingError) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error instanceof MethodNotAllowedError) headers.allow = error.allowed.join(', ');
  // RFC 9110 §11.6.1: a 401 names the scheme that would be accepted (API keys and the admin token are bearer tokens).
  if (error instanceof UnauthorizedError) headers['www-authenticate'] = 'Bearer';
  return { body, headers };
}
