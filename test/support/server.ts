import { readSettings, type Settings } from '../../src/config';
import type { App } from '../../src/context';
import { connect } from '../../src/db/client';
import { startServer, type RunningServer } from '../../src/http/server';
import { createLogger } from '../../src/logger';
import { createApiKey, createWorkspace } from '../../src/modules/workspaces/service';
import { createTestDatabase, type TestDatabase } from './database';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestServer {
  url: string;
  app: App;
  database: TestDatabase;
  server: RunningServer;
  /** A new workspace with a read+write key, and helpers that send that key. */
  newWorkspace(name?: string): Promise<TestWorkspace>;
  close(): Promise<void>;
}

export interface TestWorkspace {
  id: string;
  key: string;
  /** A key of the same workspace with only the given scopes. */
  keyWithScopes(scopes: Array<'read' | 'write'>): Promise<string>;
}

/** A real server on a random port over a fresh database, as the integration tests need it. */
export async function startTestServer(overrides: Partial<Settings> = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const settings = {
    ...readSettings({ LOG_LEVEL: 'silent', ADMIN_TOKEN, RATE_LIMIT_PER_MINUTE: '100000' }),
    DATABASE_URL: database.url,
    ...overrides,
  };
  const client = connect(database.url);
  const app: App = { db: client.db, sql: client.sql, settings, logger: createLogger(settings.LOG_LEVEL) };
  const server = await startServer(app, { port: 0, host: '127.0.0.1' });
  return {
    url: `http://127.0.0.1:${server.port}`,
    app,
    database,
    server,
    async newWorkspace(name = 'test') {
      const { workspace, apiKey } = await createWorkspace(app.db, { name });
      return {
        id: workspace.id,
        key: apiKey,
        keyWithScopes: async (scopes) => (await createApiKey(app.db, workspace.id, { scopes })).apiKey,
      };
    },
    async close() {
      await server.close();
      await client.close();
      await database.drop();
    },
  };
}
