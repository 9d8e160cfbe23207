import { InsufficientScopeError, ValidationError } from '../../errors';
import type { Actor } from '../../modules/workspaces/actor';

/**
 * API keys in the URL, for the routes whose callers cannot send an Authorization header (`read-key` routes: the
 * reconciliation service, which OpenRefine calls from the browser and from its server with nothing but a URL).
 * The key is the `key` query parameter. A URL ends up in browser history, proxy logs and Referer headers, so only a
 * read-only key is taken there (a leaked URL cannot write), and Concord never logs it: request lines carry the route
 * pattern, not the URL (observability/http.ts), and error bodies the path without the query string.
 */
export const URL_KEY_PARAMETER = 'key';

/** The reconciliation service's strategy (modules/reconciliation/service.ts): on its URL and every URL it announces. */
export const STRATEGY_PARAMETER = 'strategy_id';

/** Parameters that the URLs of a `read-key` route carry before a client adds its own; their values (keys, UUIDs)
 *  never contain `?`. */
const URL_PARAMETERS = new Set([URL_KEY_PARAMETER, STRATEGY_PARAMETER]);

/**
 * The query of a `read-key` route as its client meant it: some clients append their own parameters to a service
 * URL with `?` even when it already has a query (`…/suggest/entity?key=ck_…?prefix=ac`), which would glue them onto
 * the URL's last value, the key or the strategy. Neither contains `?`, so what follows one inside their values is
 * read as more parameters.
 */
export function repairedQuery(query: URLSearchParams): URLSearchParams {
  const glued = (name: string, value: string) => URL_PARAMETERS.has(name) && value.includes('?');
  if (![...query].some(([name, value]) => glued(name, value))) return query;
  const repaired = new URLSearchParams();
  for (const [name, value] of query) {
    if (!glued(name, value)) {
      repaired.append(name, value);
      continue;
    }
    const cut = value.indexOf('?');
    repaired.append(name, value.slice(0, cut));
    for (const [appendedName, appendedValue] of new URLSearchParams(value.slice(cut + 1))) repaired.append(appendedName, appendedValue);
  }
  return repaired;
}

/**
 * The Authorization header to authenticate a `read-key` request with: the header itself, or `Bearer <key>` from the
 * URL. Both at once is a 400 (which one would count?), as is the key given twice.
 */
export function authorizationFor(
  query: URLSearchParams,
  header: string | undefined,
): { authorization: string | undefined; fromUrl: boolean } {
  const keys = query.getAll(URL_KEY_PARAMETER);
  if (keys.length === 0) return { authorization: header, fromUrl: false };
  if (keys.length > 1)
    throw new ValidationError('The key parameter is given more than once.', [{ path: URL_KEY_PARAMETER, message: 'given more than once' }]);
  if (header)
    throw new ValidationError('Send the API key either in the Authorization header or in the key parameter, not both.', [
      { path: URL_KEY_PARAMETER, message: 'also sent in the Authorization header' },
    ]);
  return { authorization: `Bearer ${keys[0]}`, fromUrl: true };
}

/** A key from the URL must be read-only: one with the write scope is refused (403), so a leaked URL cannot write. */
export function requireReadOnlyUrlKey(actor: Actor): void {
  if (actor.scopes.has('write')) {
    throw new InsufficientScopeError(
      'read',
      'A key in the URL must be read-only: URLs end up in browser history and proxy logs. Create a key with scopes ["read"] for this service (POST /v1/admin/workspaces/:id/api-keys).',
    );
  }
}
