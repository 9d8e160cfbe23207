/**
 * `npm run worker`: a worker-only process on DATABASE_URL; start as many as wanted. On SIGTERM/SIGINT it stops taking
 * jobs, lets running chunks finish for SHUTDOWN_GRACE_MS, hands back the rest and exits 0.
 */
import { readSettings } from '../config';
import { connect } from '../db/client';
import { createLogger } from '../logger';
import { handleShutdownSignals } from '../process/shutdown';
import { startWorker } from './index';
import { exitWithStartError, migrateAtStart } from '../process/start-errors';

async function main(): Promise<void> {
  const settings = readSettings();
  const logger = createLogger(settings.LOG_LEVEL);
  if (!settings.DATABASE_URL) {
    logger.error('npm run worker needs DATABASE_URL (point it at the PostgreSQL of the server)');
    process.exit(1);
  }
  await migrateAtStart(settings.DATABASE_URL);
  const client = connect(settings.DATABASE_URL, { max: settings.WORKER_CONCURRENCY + 2 });
  const app = { db: client.db, sql: client.sql, settings, logger };
  const worker = await startWorker(app, { databaseUrl: settings.DATABASE_URL });
  process.stdout.write(`Concord worker ${worker.workerId} is running (concurrency ${settings.WORKER_CONCURRENCY})\n`);
  handleShutdownSignals(logger, [() => worker.stop(), () => client.close(1)], { farewell: 'Concord worker stopped' });
}

main().catch(exitWithStartError);
