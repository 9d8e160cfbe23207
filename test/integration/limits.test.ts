import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/context';
import { connect, type DatabaseClient } from '../../src/db/client';
import { startServer, type RunningServer } from '../../src/http/server';
import { createLogger } from '../../src/logger';
import { hashApiKey } from '../../src/modules/workspaces/keys';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server';
import { expectErrorShape, graphql, request } from '../support/http';

const LIMIT = 5;

let server: TestServer;
/** A second server process' worth of state (own pool, own HTTP server) over the same database. */
let second: { url: string; client: DatabaseClient; server: RunningServer };
const clients: Client[] = [];

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_PER_MINUTE: LIMIT });
  const client = connect(server.database.url);
  const app: App = { db: client.db, sql: client.sql, settings: server.app.settings, logger: createLogger('silent') };
  const running = await startServer(app, { port: 0, host: '127.0.0.1' });
  second = { url: `http://127.0.0.1:${running.port}`, client, server: running };
});

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await second?.server.close();
  await second?.client.close();
  await server?.close();
});

/**
 * Windows are fixed minutes of the database clock. A test that spends its budget must not straddle two windows, so
 * when fewer than 10 seconds are left in this one, wait for the next (not an assertion on time: a precondition).
 */
beforeEach(async () => {
  const [row] = await server.app.sql<Array<{ left: number }>>`select 60 - extract(epoch from now())::numeric % 60 as left`;
  const left = Number(row!.left);
  if (left < 10) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 200));
});

const get = (key: string, url = server.url) => request(url, 'GET', '/v1/reference-data', { key });

async function setKeyLimit(key: string, limit: number | null): Promise<void> {
  await server.app.sql`update api_keys set rate_limit_per_minute = ${limit} where key_hash = ${hashApiKey(key)}`;
}

describe('REST rate limit', () => {
  it('puts X-RateLimit-Limit, -Remaining and -Reset on authenticated responses, errors included', async () => {
    const { key } = await server.newWorkspace('headers');
    const first = await get(key);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
    expect(first.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - 1));
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);

    const missing = await request(server.url, 'GET', '/v1/reference-data/00000000-0000-0000-0000-000000000000', { key });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - 2));

    const anonymous = await request(server.url, 'GET', '/v1/reference-data');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it(`answers request ${LIMIT + 1} of a minute with 429 rate_limited and Retry-After`, async () => {
    const { key } = await server.newWorkspace('trip');
    for (let index = 1; index <= LIMIT; index += 1) {
      const response = await get(key);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - index));
    }
    const over = await get(key);
    expect(over.status).toBe(429);
    expectErrorShape(over.body, 'rate_limited');
    expect(over.body.retryable).toBe(true);
    expect(over.body.path).toBe('/v1/reference-data');
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(over.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
    expect(over.headers.get('x-ratelimit-reset')).toBe(String(retryAfter));
    // Writes share the budget.
    const write = await request(server.url, 'POST', '/v1/matching/configs', { key, json: {} });
    expect(write.status).toBe(429);
    expectErrorShape(write.body, 'rate_limited');
  });

  it('is one budget across two server processes over the same database', async () => {
    const { key } = await server.newWorkspace('shared');
    for (let index = 0; index < LIMIT; index += 1) {
      const response = await get(key, index % 2 ? second.url : server.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - 1 - index));
    }
    const onSecond = await get(key, second.url);
    expect(onSecond.status).toBe(429);
    expectErrorShape(onSecond.body, 'rate_limited');
    const onFirst = await get(key, server.url);
    expect(onFirst.status).toBe(429);
  });

  it('counts keys separately and honours a per-key override (0: unlimited)', async () => {
    const workspace = await server.newWorkspace('override');
    const other = await workspace.keyWithScopes(['read']);
    await setKeyLimit(workspace.key, 2);
    expect((await get(workspace.key)).headers.get('x-ratelimit-limit')).toBe('2');
    expect((await get(workspace.key)).status).toBe(200);
    const over = await get(workspace.key);
    expect(over.status).toBe(429);
    expectErrorShape(over.body, 'rate_limited');
    // The other key of the workspace keeps the default budget.
    const fresh = await get(other);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));

    await setKeyLimit(workspace.key, 0);
    for (let index = 0; index < LIMIT + 2; index += 1) {
      const response = await get(workspace.key);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit')).toBeNull();
    }
    await setKeyLimit(workspace.key, null);
  });
});

describe('per-key limit by the admin route', () => {
  it("PUT /v1/admin/workspaces/:id/api-keys/:prefix/rate-limit sets, lifts and resets a key's budget", async () => {
    const workspace = await server.newWorkspace('admin-limit');
    const prefix = workspace.key.slice(0, 9);
    const put = (json: unknown, token = ADMIN_TOKEN, path = `/v1/admin/workspaces/${workspace.id}/api-keys/${prefix}/rate-limit`) =>
      request(server.url, 'PUT', path, { key: token, json });

    const set = await put({ rate_limit_per_minute: 1 });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toEqual({ prefix, rate_limit_per_minute: 1 });
    expect((await get(workspace.key)).status).toBe(200);
    expect((await get(workspace.key)).status).toBe(429);

    expect((await put({ rate_limit_per_minute: null })).body.rate_limit_per_minute).toBeNull();
    const back = await get(workspace.key);
    expect(back.status).toBe(200);
    expect(back.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));

    expectErrorShape((await put({ rate_limit_per_minute: -1 })).body, 'validation_error');
    expectErrorShape((await put({ rate_limit_per_minute: 5 }, workspace.key)).body, 'unauthorized');
    const unknown = await put(
      { rate_limit_per_minute: 5 },
      ADMIN_TOKEN,
      `/v1/admin/workspaces/${workspace.id}/api-keys/ck_nokey/rate-limit`,
    );
    expect(unknown.status).toBe(404);
    expectErrorShape(unknown.body, 'not_found');
  });
});

describe('GraphQL rate limit', () => {
  const viewer = '{ viewer { scopes } }';

  it('over HTTP: X-RateLimit-* on each response, then 429 with a rate_limited error', async () => {
    const { key } = await server.newWorkspace('graphql');
    for (let index = 1; index <= LIMIT; index += 1) {
      const response = await graphql(server.url, viewer, {}, key);
      expect(response.status).toBe(200);
      expect(response.body.errors).toBeUndefined();
      expect(response.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
      expect(response.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - index));
    }
    const over = await graphql(server.url, viewer, {}, key);
    expect(over.status).toBe(429);
    expect(over.body.data ?? null).toBeNull();
    expect(over.body.errors?.[0]?.extensions?.code).toBe('rate_limited');
    expect(over.body.errors?.[0]?.extensions?.http).toBeUndefined();
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
    // REST and GraphQL draw from the one budget of the key.
    expect((await get(key)).status).toBe(429);
  });

  it('over graphql-ws: a subscribe beyond the budget gets an error result with code rate_limited', async () => {
    const { key } = await server.newWorkspace('ws');
    await setKeyLimit(key, 2);
    const client = createClient({
      url: `${server.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${key}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const run = (query: string) =>
      new Promise<{ data?: unknown; errors?: any[] }>((resolve) => {
        let last: { data?: unknown; errors?: any[] } = {};
        client.subscribe(
          { query },
          {
            next: (value) => {
              last = value as typeof last;
            },
            error: (error) => resolve({ errors: Array.isArray(error) ? error : [error] }),
            complete: () => resolve(last),
          },
        );
      });
    for (let index = 0; index < 2; index += 1) {
      const result = await run(viewer);
      expect(result.errors).toBeUndefined();
      expect(result.data).toEqual({ viewer: { scopes: expect.any(Array) } });
    }
    const over = await run('subscription { runsUpdated { id } }');
    expect(over.errors?.[0]?.extensions?.code).toBe('rate_limited');
    expect(over.errors?.[0]?.message).toMatch(/Too many requests/);
    expect(over.errors?.[0]?.extensions?.http).toBeUndefined();
  });
});
