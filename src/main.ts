/** `npm start`: the server with an in-process worker, on DATABASE_URL or an embedded PostgreSQL. */
import { readSettings, SettingsError } from './config';
import { connect } from './db/client';
import { migrate } from './db/migrate';
import { openDatabase } from './database';
import { startServer } from './http/server';
import { createLogger } from './logger';
import { ensureDefaultWorkspace } from './modules/workspaces/service';
import { handleShutdownSignals } from './shutdown';
import { startWorker } from './worker';

async function main(): Promise<void> {
  const settings = readSettings();
  const logger = createLogger(settings.LOG_LEVEL);
  const database = await openDatabase(settings);
  // Shutdown runs these first to last: stop serving (subscriptions get 1001), stop the worker (running chunks finish
  // or are handed back within SHUTDOWN_GRACE_MS), close the pool, stop the embedded PostgreSQL.
  const stops: Array<() => Promise<unknown>> = [() => database.stop()];
  handleShutdownSignals(logger, stops);

  await migrate(database.url);
  const client = connect(database.url);
  stops.unshift(() => client.close(1));
  const app = { db: client.db, sql: client.sql, settings, logger };

  if (settings.RUN_WORKER) {
    const worker = await startWorker(app, { databaseUrl: database.url });
    stops.unshift(() => worker.stop());
  }
  const server = await startServer(app, { port: settings.PORT, host: settings.HOST });
  stops.unshift(() => server.close());

  const created = database.embedded ? await ensureDefaultWorkspace(client.db) : null;
  const lines = [
    `Concord is listening on ${server.url}`,
    `  Dashboard:         ${server.url}/`,
    `  REST API:          ${server.url}/v1 (docs: ${server.url}/docs)`,
    `  GraphQL explorer:  ${server.url}/graphql`,
    database.embedded ? `  Database:          embedded PostgreSQL in ${database.embedded.dataDir} (port ${database.embedded.port})` : '  Database:          DATABASE_URL',
  ];
  if (created) {
    lines.push('', 'Created workspace "default". Its API key (shown once, keep it):', `  ${created.apiKey}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof SettingsError ? error.message : (error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
