import type postgres from 'postgres';
import type { Context } from '../../context';
import type { Actor } from '../workspaces/actor';

/** The state of one key's budget after counting a request. */
export interface RateLimitState {
  /** Requests allowed per window. */
  limit: number;
  /** Requests left in the current window (0 once over). */
  remaining: number;
  /** Seconds until the current window ends and the budget is whole again (≥ 1). */
  resetSeconds: number;
  /** True when this request is over the limit and must be refused. */
  limited: boolean;
}

/** Length of a window, in seconds. The limit is per minute. */
export const WINDOW_SECONDS = 60;

/**
 * Counts one request of an API key and says whether it is within the key's per-minute budget.
 *
 * Fixed one-minute windows aligned on the database clock (so every server process agrees on the window), one row per
 * key and window in `rate_limit_counters`, bumped by one atomic `insert … on conflict do update … returning`. The same
 * statement reads the key's own `rate_limit_per_minute` (else `defaultLimit`), so a request costs one round trip.
 * Returns null when the key is unlimited (limit 0) or unknown.
 */
export async function consumeRateLimit(sql: postgres.Sql, actor: Actor, defaultLimit: number): Promise<RateLimitState | null> {
  const [row] = await sql<Array<{ limit: number; hits: number | null; reset: number | null }>>`
    with key as (
      select coalesce(rate_limit_per_minute, ${defaultLimit}::int) as lim,
             to_timestamp(floor(extract(epoch from now()) / ${WINDOW_SECONDS}) * ${WINDOW_SECONDS}) as window_start
      from api_keys where id = ${actor.apiKeyId}
    ), hit as (
      insert into rate_limit_counters as c (api_key_id, window_start, hits)
      select ${actor.apiKeyId}, key.window_start, 1 from key where key.lim > 0
      on conflict (api_key_id, window_start) do update set hits = c.hits + 1
      returning c.hits
    )
    select key.lim as "limit", (select hits from hit) as hits,
           ceil(extract(epoch from key.window_start + make_interval(secs => ${WINDOW_SECONDS}) - clock_timestamp()))::int as reset
    from key`;
  maybePurge(sql);
  if (!row || row.limit <= 0 || row.hits === null) return null;
  return {
    limit: row.limit,
    remaining: Math.max(0, row.limit - row.hits),
    resetSeconds: Math.min(WINDOW_SECONDS, Math.max(1, row.reset ?? WINDOW_SECONDS)),
    limited: row.hits > row.limit,
  };
}

/**
 * Counts one request of the context's key against its budget: the key's own `rate_limit_per_minute`, else
 * RATE_LIMIT_PER_MINUTE. Null without a key (nothing to count) or when the key is unlimited. REST, GraphQL over HTTP
 * and each graphql-ws operation count through here.
 */
export function countRequest(context: Context): Promise<RateLimitState | null> {
  if (!context.actor) return Promise.resolve(null);
  return consumeRateLimit(context.sql, context.actor, context.settings.RATE_LIMIT_PER_MINUTE);
}

let lastPurge = 0;

/** At most once a minute per process, in the background: drop windows that have ended. */
function maybePurge(sql: postgres.Sql): void {
  const now = Date.now();
  if (now - lastPurge < WINDOW_SECONDS * 1000) return;
  lastPurge = now;
  sql`delete from rate_limit_counters where window_start < now() - make_interval(secs => ${2 * WINDOW_SECONDS})`.catch(() => {
    lastPurge = 0;
  });
}
