import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { relations } from './relations';

export type Database = PostgresJsDatabase<typeof relations>;

export interface DatabaseClient {
  db: Database;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/**
 * One postgres.js pool per process. `max` defaults to 10 connections.
 * Numeric and bigint columns come back as strings (postgres.js' default) so no precision is lost.
 */
export function connect(url: string, options: { max?: number } = {}): DatabaseClient {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: 'concord' },
  });
  const db = drizzle({ client: sql, relations });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
