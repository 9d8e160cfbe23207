import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config';
import type { App } from '../../src/context';
import { connect } from '../../src/db/client';
import { startServer, type RunningServer } from '../../src/http/server';
import { createLogger } from '../../src/logger';
import { createWorkspace } from '../../src/modules/workspaces/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { graphql, request } from '../support/http';
import { ADMIN_TOKEN } from '../support/server';
import { lineSink } from '../support/log-lines';

/** A server like startTestServer's, whose logger (level info) writes into `lines`. */
let database: TestDatabase;
let client: ReturnType<typeof connect>;
let server: RunningServer;
let url: string;
let key: string;
const lines: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const settings = { ...readSettings({ LOG_LEVEL: 'info', ADMIN_TOKEN, RATE_LIMIT_PER_MINUTE: '100000' }), DATABASE_URL: database.url };
  client = connect(database.url);
  const sink = lineSink(lines);
  const app: App = { db: client.db, sql: client.sql, settings, logger: createLogger('info', sink) };
  server = await startServer(app, { port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${server.port}`;
  key = (await createWorkspace(app.db, { name: 'logging' })).apiKey;
});

afterAll(async () => {
  await server?.close();
  await client?.close();
  await database?.drop();
});

const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

/** The one line of a request: its request line, or the one `which` picks. */
async function lineFor(
  requestId: string,
  which = (line: Record<string, unknown>) => line.msg === 'request',
): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const found = parsed().filter((line) => which(line) && line.request_id === requestId);
    if (found.length) {
      expect(found).toHaveLength(1);
      return found[0]!;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no request line for ${requestId}:\n${lines.join('\n')}`);
}

describe('request logs', () => {
  it('writes one JSON info line per request with method, route pattern, status, duration and request id', async () => {
    const created = await request(url, 'POST', '/v1/reference-data', {
      key,
      json: { name: 'Vendors', id_column: 'id', data: [{ id: 'V1', name: 'Acme' }] },
      headers: { 'x-request-id': 'log-test-create' },
    });
    expect(created.status).toBe(201);
    const response = await request(url, 'GET', `/v1/reference-data/${created.body.id}/rows?limit=5`, { key });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id')!;
    const line = await lineFor(requestId);
    expect(line).toMatchObject({ level: 30, msg: 'request', method: 'GET', route: '/v1/reference-data/:id/rows', status: 200 });
    expect(typeof line.duration_ms).toBe('number');
    expect(typeof line.time).toBe('number');
    expect(JSON.stringify(line)).not.toContain(String(created.body.id));

    expect(await lineFor('log-test-create')).toMatchObject({ method: 'POST', route: '/v1/reference-data', status: 201 });
  });

  it('logs errors with their status and unmatched paths as "unmatched", GraphQL as /graphql', async () => {
    const missing = await request(url, 'GET', '/v1/matching/runs/00000000-0000-0000-0000-000000000000', {
      key,
      headers: { 'x-request-id': 'log-404' },
    });
    expect(missing.status).toBe(404);
    expect(await lineFor('log-404')).toMatchObject({ route: '/v1/matching/runs/:id', status: 404 });
    const unknown = await request(url, 'GET', '/nowhere/secret-looking-path', { headers: { 'x-request-id': 'log-unmatched' } });
    expect(unknown.status).toBe(404);
    expect(await lineFor('log-unmatched')).toMatchObject({ route: 'unmatched', status: 404 });
    await request(url, 'POST', '/graphql', { key, json: { query: '{ __typename }' }, headers: { 'x-request-id': 'log-graphql' } });
    expect(await lineFor('log-graphql')).toMatchObject({ method: 'POST', route: '/graphql', status: 200 });
    const anonymous = await graphql(url, '{ __typename }', {}, key);
    const generated = anonymous.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(await lineFor(generated!)).toMatchObject({ route: '/graphql', status: 200 });
  });

  it('logs a GraphQL resolver failure with its cause and request id, and answers only "Unexpected error."', async () => {
    // A failure no input can cause: the table the resolver reads is gone (a schema drifted under a running server).
    await client.sql`alter table matching_configs rename to matching_configs_away`;
    try {
      const response = await request(url, 'POST', '/graphql', {
        key,
        json: { query: '{ matchingConfigs { edges { cursor } } }' },
        headers: { 'x-request-id': 'log-gql-500' },
      });
      expect(response.body.errors?.[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(JSON.stringify(response.body)).not.toContain('matching_configs');
      const failure = await lineFor('log-gql-500', (line) => line.level === 50);
      expect(failure).toMatchObject({ msg: 'GraphQL operation failed', path: 'matchingConfigs' });
      expect(JSON.stringify(failure.err)).toContain('matching_configs');
    } finally {
      await client.sql`alter table matching_configs_away rename to matching_configs`;
    }
  });

  it('X-Request-Id: 1-128 of [A-Za-z0-9._:-] is kept; anything else is replaced by a generated id in the answer and the log', async () => {
    const kept = ['trace:span-1.2_3', 'x'.repeat(128), 'A'];
    for (const given of kept) {
      for (const [path, json] of [['/v1/reference-data'], ['/graphql', { query: '{ __typename }' }]] as const) {
        const response = await request(url, json ? 'POST' : 'GET', path, { key, json, headers: { 'x-request-id': given } });
        expect(response.headers.get('x-request-id'), `${path} ${given}`).toBe(given);
        expect(await lineFor(given, (line) => line.msg === 'request' && line.route === path)).toMatchObject({ route: path });
      }
    }
    const hostile = [
      'x'.repeat(129),
      '<script>alert(1)</script>',
      'a b',
      '"}{"level":60',
      'id/with/slashes',
      'caf\u00e9'.normalize(),
      '%0d%0afake',
      'tab\there',
    ];
    for (const given of hostile) {
      const rest = await request(url, 'GET', '/v1/reference-data/00000000-0000-0000-0000-000000000000', {
        key,
        headers: { 'x-request-id': given },
      });
      const generated = rest.headers.get('x-request-id')!;
      expect(generated, given).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(rest.body.request_id).toBe(generated);
      expect(await lineFor(generated)).toMatchObject({ status: 404 });
      const gql = await request(url, 'POST', '/graphql', { key, json: { query: '{ __typename }' }, headers: { 'x-request-id': given } });
      expect(gql.headers.get('x-request-id'), given).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(lines.join('\n')).not.toContain('<script>');
    expect(lines.join('\n')).not.toContain('x'.repeat(129));
  });

  it('never writes an API key or the admin token, also when a request fails', async () => {
    await request(url, 'GET', '/v1/reference-data', { key: `${key}x`, headers: { 'x-request-id': 'log-401' } });
    expect(await lineFor('log-401')).toMatchObject({ status: 401 });
    const admin = await request(url, 'POST', '/v1/admin/workspaces', {
      key: ADMIN_TOKEN,
      json: { name: 'second' },
      headers: { 'x-request-id': 'log-admin' },
    });
    expect(admin.status).toBe(201);
    expect(await lineFor('log-admin')).toMatchObject({ route: '/v1/admin/workspaces', status: 201 });
    // A secret given in a field that reaches a log line is censored.
    const app = {
      logger: createLogger(
        'info',
        new Writable({
          write: (chunk: Buffer, _e, cb) => {
            lines.push(chunk.toString('utf8').trim());
            cb();
          },
        }),
      ),
    };
    app.logger.info({ api_key: key, body: { api_key: key }, headers: { authorization: `Bearer ${key}` } }, 'redaction check');
    const all = lines.join('\n');
    expect(all).toContain('redaction check');
    for (const secret of [key, ADMIN_TOKEN, admin.body.api_key as string]) expect(all).not.toContain(secret);
    expect(all).not.toContain('Bearer');
  });
});
