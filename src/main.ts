/** `npm start`: the server with an in-process worker, on DATABASE_URL or an embedded PostgreSQL. */
import { readSettings } from './config';
import { connect } from './db/client';
import { openDatabase } from './db/open';
import { startServer } from './http/server';
import { createLogger } from './logger';
import { ensureDefaultWorkspace, listWorkspaces, type WorkspaceInfo } from './modules/workspaces/service';
import { handleShutdownSignals } from './process/shutdown';
import { startWorker } from './worker';
import { exitWithStartError, migrateAtStart, StartError } from './process/start-errors';

async function main(): Promise<void> {
  const settings = readSettings();
  const logger = createLogger(settings.LOG_LEVEL);
  const database = await openDatabase(settings);
  // Shutdown runs these first to last: stop serving (subscriptions get 1001), stop the worker (running chunks finish
  // or are handed back within SHUTDOWN_GRACE_MS), close the pool, stop the embedded PostgreSQL.
  const stops: Array<() => Promise<unknown>> = [() => database.stop()];
  handleShutdownSignals(logger, stops);

  try {
    await migrateAtStart(database.url);
    const client = connect(database.url);
    stops.unshift(() => client.close(1));
    const app = { db: client.db, sql: client.sql, settings, logger };

    // Listen first: a port already in use must fail the start before the worker has taken any job.
    const server = await startServer(app, { port: settings.PORT, host: settings.HOST }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      throw new StartError(
        `Port ${settings.PORT} on ${settings.HOST} is already in use (another Concord?). Set PORT to another port, or PORT=0 for any free one.`,
      );
    });
    if (settings.RUN_WORKER) {
      const worker = await startWorker(app, { databaseUrl: database.url });
      stops.unshift(() => worker.stop());
    }
    stops.unshift(() => server.close());

    const created = database.embedded ? await ensureDefaultWorkspace(client.db) : null;
    const lines = [
      `Concord is listening on ${server.url}`,
      `  Dashboard:         ${server.url}/`,
      `  REST API:          ${server.url}/v1 (docs: ${server.url}/docs)`,
      `  GraphQL explorer:  ${server.url}/graphql`,
      database.embedded
        ? `  Database:          embedded PostgreSQL in ${database.embedded.dataDir} (port ${database.embedded.port})`
        : '  Database:          DATABASE_URL',
    ];
    if (created) {
      lines.push('', `Created workspace "default" (${created.workspace.id}). Its API key (shown once, keep it):`, `  ${created.apiKey}`);
    } else {
      lines.push(...workspaceLines(await listWorkspaces(client.db)));
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (error) {
    // A failed start must not leave the embedded PostgreSQL it started running without its owner.
    for (const stop of stops) await stop().catch(() => {});
    throw error;
  }
}

/** The banner's workspaces (ids included, for `key create`), and how to get a new key when the printed one is lost. */
function workspaceLines(workspaces: WorkspaceInfo[]): string[] {
  if (workspaces.length === 0) return ['', 'No workspace yet: npm run cli -- workspace create <name>'];
  const shown = workspaces.slice(0, 5).map((w) => `  ${w.id}  ${JSON.stringify(w.name)}`);
  if (workspaces.length > shown.length) shown.push(`  … ${workspaces.length - shown.length} more (npm run cli -- workspace list)`);
  return [
    '',
    `Workspaces (id, name), newest first:`,
    ...shown,
    'A new API key for one (e.g. when the printed one is lost): npm run cli -- key create <id or name>',
  ];
}

main().catch(exitWithStartError);
