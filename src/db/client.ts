import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { relations } from './relations';

export type Database = PostgresJsDatabase<typeof relations>;

export interface DatabaseClient {
  db: Database;
  sql: postgres.Sql;
  /** Ends the pool, letting queries in flight finish for up to `timeoutSeconds` (default 5). */
  close(timeoutSeconds?: number): Promise<void>;
}

export interface ConnectOptions {
  /** Connections in the pool. Default 10. */
  max?: number;
  /** Longest wait between two reconnection attempts, in seconds (see reconnectDelay). Default 2. */
  maxReconnectDelaySeconds?: number;
}

/**
 * Seconds before the next attempt to reconnect after `retries` failed ones: 50 ms doubling per failure, capped,
 * with ±25 % jitter so the processes of a fleet do not reconnect in lockstep. postgres.js' own default grows to 20 s,
 * which would keep LISTEN (and every query) down for up to 20 s after a short Postgres restart.
 */
export function reconnectDelay(retries: number, maxSeconds = 2): number {
  return Math.min(0.05 * 2 ** retries, maxSeconds) * (0.75 + Math.random() / 2);
}

/**
 * One postgres.js pool per process. Numeric and bigint columns come back as strings (postgres.js' default) so no
 * precision is lost. When Postgres goes away, queries fail until it is back; connections (and the LISTEN connection
 * of src/events/run-events.ts, which postgres.js re-establishes by itself) reconnect with `reconnectDelay`.
 */
export function connect(url: string, options: ConnectOptions = {}): DatabaseClient {
  const maxDelay = options.maxReconnectDelaySeconds ?? 2;
  const sql = postgres(url, {
    max: options.max ?? 10,
    backoff: (retries: number) => reconnectDelay(retries, maxDelay),
    onnotice: () => {},
    connection: { application_name: 'concord' },
  });
  const db = drizzle({ client: sql, relations });
  return { db, sql, close: (timeoutSeconds = 5) => sql.end({ timeout: timeoutSeconds }) };
}
