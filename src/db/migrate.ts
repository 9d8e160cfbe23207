import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate as drizzleMigrate } from 'drizzle-orm/postgres-js/migrator';
import { Logger, runMigrations as workerMigrations } from 'graphile-worker';
import { connect } from './client';

const silentLogger = new Logger(() => () => {});
const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

/** Applies Concord's drizzle migrations and graphile-worker's schema. Safe to run at every start. */
export async function migrate(databaseUrl: string): Promise<void> {
  const client = connect(databaseUrl, { max: 1 });
  try {
    // Two processes starting at once would race on the migrations table: serialise them.
    await client.sql`select pg_advisory_lock(727272)`;
    await drizzleMigrate(client.db, { migrationsFolder });
    await workerMigrations({ connectionString: databaseUrl, logger: silentLogger });
  } finally {
    await client.sql`select pg_advisory_unlock(727272)`.catch(() => {});
    await client.close();
  }
}
