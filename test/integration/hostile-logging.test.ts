/**
 * Keys never logged: the real server process (npm start's entry point) at LOG_LEVEL=trace, its stdout and stderr
 * captured, sent API keys (valid, wrong, foreign) and the admin token every way a client can: REST headers, GraphQL
 * over HTTP and graphql-ws (connection params and the upgrade request's header), idempotent writes, failing requests,
 * a run processed by the worker. No key, no key's secret part and no admin token may appear in the output.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { graphql, request } from '../support/http';
import { startProcess, type StartedProcess } from '../support/process';
import { uploadForm } from '../support/fixtures';

const ADMIN = 'logging-admin-token-do-not-log-0123456789';
const WRONG_KEY = 'ck_wrongwrongwrongwrongwrongwrongwrongwrongwro';
let database: TestDatabase;
let server: StartedProcess;
let url: string;

beforeAll(async () => {
  database = await createTestDatabase();
  server = startProcess('src/main.ts', {
    DATABASE_URL: database.url,
    PORT: '0',
    ADMIN_TOKEN: ADMIN,
    LOG_LEVEL: 'trace',
    RUN_WORKER: 'true',
  });
  url = (await server.waitFor(/listening on (http:\/\/[\d.]+:\d+)/, 60_000))[1]!;
}, 90_000);

afterAll(async () => {
  await server?.stop('SIGTERM');
  await database?.drop();
});

/** The parts of a secret that must never be printed: the whole, and its tail past a short prefix. */
function forbidden(secret: string): string[] {
  return [secret, secret.slice(12)];
}

describe('keys are never logged', { timeout: 120_000 }, () => {
  it('at LOG_LEVEL=trace, over REST, GraphQL, graphql-ws, errors and a worker run', async () => {
    const created = await request(url, 'POST', '/v1/admin/workspaces', { key: ADMIN, json: { name: 'logging' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const key: string = created.body.api_key;
    const extra = await request(url, 'POST', `/v1/admin/workspaces/${created.body.workspace.id}/api-keys`, {
      key: ADMIN,
      json: { scopes: ['read'] },
    });
    expect(extra.status).toBe(201);
    const readKey: string = extra.body.api_key;
    const other = await request(url, 'POST', '/v1/admin/workspaces', { key: ADMIN, json: { name: 'other' } });
    const otherKey: string = other.body.api_key;

    // REST: successes, an idempotent write, 4xx of every kind, with the key in the Authorization header.
    const reference = await request(url, 'POST', '/v1/reference-data', {
      key,
      body: uploadForm('id,name\n1,Acme\n2,Globex\n', 'r.csv', { name: 'r', id_column: 'id' }),
    });
    expect(reference.status).toBe(201);
    const source = await request(url, 'POST', '/v1/source-data', {
      key,
      json: { name: 's', id_column: 'doc', data: [{ doc: 'd1', vendor: 'Acme' }] },
    });
    const config = await request(url, 'POST', '/v1/matching/configs', {
      key,
      headers: { 'idempotency-key': 'logging-1' },
      json: {
        name: 'c',
        reference_data_id: reference.body.id,
        source_data_id: source.body.id,
        field_mappings: [{ source: 'vendor', target: 'name', strategy: 'exact', weight: 1 }],
      },
    });
    expect(config.status, JSON.stringify(config.body)).toBe(201);
    await request(url, 'GET', '/v1/reference-data', { key: WRONG_KEY });
    await request(url, 'GET', '/v1/reference-data', { headers: { authorization: key } });
    await request(url, 'GET', '/v1/reference-data', {
      headers: { authorization: `Basic ${Buffer.from(`user:${key}`).toString('base64')}` },
    });
    await request(url, 'POST', '/v1/reference-data', { key: readKey, json: { name: 'x', data: [{ a: 1 }] } });
    await request(url, 'GET', `/v1/matching/configs/${config.body.id}`, { key: otherKey });
    await request(url, 'GET', `/v1/reference-data/%`, { key });
    await request(url, 'GET', `/v1/reference-data?limit=${encodeURIComponent(key)}`, { key });
    await request(url, 'POST', '/v1/admin/workspaces', { key, json: { name: 'not admin' } });
    await request(url, 'GET', '/metrics', { key: ADMIN });

    // GraphQL over HTTP, good and bad.
    const viewer = await graphql(url, '{ viewer { scopes } }', {}, key);
    expect(viewer.body.errors).toBeUndefined();
    await graphql(url, '{ viewer { scopes } }', {}, WRONG_KEY);
    await graphql(url, '{ viewer { nope } }', {}, key);

    // A run the worker processes, watched over graphql-ws (key in connection params, then in the upgrade header).
    const run = await request(url, 'POST', `/v1/matching/configs/${config.body.id}/run`, { key });
    expect(run.status).toBe(202);
    const client = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0,
    });
    const events = client.iterate<{ runUpdated: { status: string } }>({
      query: `subscription($id: ID!) { runUpdated(id: $id) { status } }`,
      variables: { id: run.body.id },
    });
    for await (const event of events) if (['COMPLETED', 'FAILED'].includes(event.data?.runUpdated.status ?? '')) break;
    await client.dispose();
    class KeyedSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { authorization: `Bearer ${key}` } });
      }
    }
    const headerClient = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: KeyedSocket, retryAttempts: 0 });
    const first = await headerClient
      .iterate({ query: `subscription($id: ID!) { runUpdated(id: $id) { status } }`, variables: { id: run.body.id } })
      .next();
    expect(first.value?.data).toBeTruthy();
    await headerClient.dispose();
    const wrongClient = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${WRONG_KEY}` },
      retryAttempts: 0,
    });
    await wrongClient
      .iterate({ query: `subscription($id: ID!) { runUpdated(id: $id) { status } }`, variables: { id: run.body.id } })
      .next()
      .catch(() => undefined);
    await wrongClient.dispose();

    await new Promise((resolve) => setTimeout(resolve, 500));
    const output = server.output();
    // The logs are there (debug request lines), so the check below means something.
    expect(output.split('\n').length).toBeGreaterThan(20);
    for (const secret of [key, readKey, otherKey, WRONG_KEY, ADMIN].flatMap(forbidden)) {
      const at = output.indexOf(secret);
      expect(at, `a secret appears in the logs: …${output.slice(Math.max(0, at - 300), at + 100)}…`).toBe(-1);
    }
  });
});
