/**
 * A PostgreSQL the test owns and may restart: an embedded cluster in a temporary directory, stopped and started again
 * on the same data directory and port (never the machine's own PostgreSQL, even when DATABASE_URL is set).
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDatabase } from '../../src/db/open';
import { removeDataDir, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded';
import { migrate } from '../../src/db/migrate';

export interface RestartablePostgres {
  /** URL of the migrated `concord` database. */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes the cluster. */
  destroy(): Promise<void>;
}

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'concord-restart-'));
  // persistent: the cluster must survive stop() (a non-persistent one is deleted on stop).
  let server: EmbeddedPostgres | undefined = await startEmbeddedPostgres({ dataDir, persistent: true });
  const port = server.port;
  await ensureDatabase(server.url, 'concord');
  const url = new URL(server.url);
  url.pathname = '/concord';
  await migrate(url.toString());
  return {
    url: url.toString(),
    async stop() {
      await server?.stop();
      server = undefined;
    },
    async start() {
      server ??= await startEmbeddedPostgres({ dataDir, persistent: true, port });
    },
    async destroy() {
      await server?.stop();
      server = undefined;
      removeDataDir(dataDir);
    },
  };
}
