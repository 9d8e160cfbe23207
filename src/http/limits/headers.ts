import type { RateLimitState } from '../../modules/limits/rate-limit';

/** The `X-RateLimit-*` headers of a state (REST and GraphQL over HTTP). */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-reset': String(state.resetSeconds),
  };
  if (state.limited) headers['retry-after'] = String(state.resetSeconds);
  return headers;
}
