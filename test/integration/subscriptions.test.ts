import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { graphql, request } from '../support/http';
import { startWorker, type RunningWorker } from '../../src/worker';
import { setupFebrl, type FebrlSetup } from './runs-fixture';

let server: TestServer;
let worker: RunningWorker | undefined;
let workspace: TestWorkspace;
let febrl: FebrlSetup;
const clients: Client[] = [];

beforeAll(async () => {
  // Progress events on every chunk (no throttle) so the order of events can be checked without timing.
  // 100 subscribers of one key below: above the default SUBSCRIPTIONS_PER_KEY (100) with the other tests' ones.
  server = await startTestServer({ RUN_CHUNK_SIZE: 250, RUN_WORKER: false, RUN_PROGRESS_INTERVAL_MS: 0, SUBSCRIPTIONS_PER_KEY: 1000 });
  workspace = await server.newWorkspace('subscriptions');
  febrl = await setupFebrl(server.url, workspace.key);
});

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await worker?.stop();
  await server?.close();
});

function wsClient(key: string | null): Client {
  const client = createClient({
    url: `${server.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
}

const RUN_FIELDS = 'databaseId status phase rowsProcessed rowsMatched rowsTotal avgConfidence completedAt triggeredBy';

async function startRunByGraphQL(): Promise<string> {
  const response = await graphql(
    server.url,
    `mutation($configId: ID!) { startRun(configId: $configId) { __typename ... on MutationStartRunSuccess { data { databaseId status triggeredBy } } ... on Error { message } } }`,
    { configId: febrl.configId },
    workspace.key,
  );
  expect(response.body.errors).toBeUndefined();
  const result = response.body.data.startRun;
  expect(result.__typename, JSON.stringify(result)).toBe('MutationStartRunSuccess');
  expect(result.data).toMatchObject({ status: 'QUEUED', triggeredBy: 'MANUAL' });
  return result.data.databaseId;
}

async function ensureWorker(): Promise<void> {
  worker ??= await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
}

/** Checks the order: queued first (when seen), running with non-decreasing counters, completed last. */
function expectOrderedEvents(events: any[]): void {
  const statuses = events.map((event) => event.status);
  expect(statuses[0]).toBe('QUEUED');
  expect(statuses[statuses.length - 1]).toBe('COMPLETED');
  expect(statuses.slice(1, -1).every((status) => status === 'RUNNING')).toBe(true);
  expect(statuses).toContain('RUNNING');
  const processed = events.map((event) => event.rowsProcessed ?? 0);
  for (let i = 1; i < processed.length; i++) expect(processed[i]).toBeGreaterThanOrEqual(processed[i - 1]);
  const progress = events.filter((event) => event.status === 'RUNNING' && event.rowsProcessed > 0);
  expect(progress.length).toBeGreaterThan(0);
  expect(events[events.length - 1]).toMatchObject({ rowsProcessed: 5000, rowsTotal: 5000, phase: 'done' });
}

describe('run subscriptions', { timeout: 180_000 }, () => {
  it('graphql-ws: runUpdated gives the current state, then running, progress… completed in order, then completes', async () => {
    const runId = await startRunByGraphQL();
    const client = wsClient(workspace.key);
    const iterator = client.iterate<{ runUpdated: any }>({
      query: `subscription($id: ID!) { runUpdated(id: $id) { ${RUN_FIELDS} } }`,
      variables: { id: runId },
    });
    const first = await iterator.next();
    expect(first.value.data.runUpdated).toMatchObject({ databaseId: runId, status: 'QUEUED', rowsProcessed: null });
    await ensureWorker();
    const events = [first.value.data.runUpdated];
    for await (const result of iterator) {
      expect(result.errors).toBeUndefined();
      events.push(result.data!.runUpdated);
    }
    // The loop ended: the server completed the subscription after the terminal state.
    expectOrderedEvents(events);
  });

  it('runsUpdated(configId) sees a new run from queued to completed', async () => {
    // No worker while the feed starts, so runs stay queued until the subscription is known to be live.
    await worker?.stop();
    worker = undefined;
    const client = wsClient(workspace.key);
    const iterator = client.iterate<{ runsUpdated: any }>({
      query: `subscription($configId: ID) { runsUpdated(configId: $configId) { ${RUN_FIELDS} } }`,
      variables: { configId: febrl.configId },
    });
    // The client subscribes on the first next(); start runs until the feed shows one, then cancel those.
    const firstEvent = iterator.next();
    let live = false;
    const probes: string[] = [];
    void firstEvent.then(() => {
      live = true;
    });
    while (!live) {
      probes.push(await startRunByGraphQL());
      await Promise.race([firstEvent, new Promise((resolve) => setTimeout(resolve, 200))]);
    }
    for (const id of probes) await graphql(server.url, `mutation($id: ID!) { cancelRun(id: $id) { __typename } }`, { id }, workspace.key);
    const target = await startRunByGraphQL();
    await ensureWorker();
    const events: any[] = [];
    for await (const result of iterator) {
      const run = result.data!.runsUpdated;
      if (run.databaseId !== target) continue;
      events.push(run);
      if (run.status === 'COMPLETED') break;
    }
    expectOrderedEvents(events);
  });

  it('SSE: runUpdated over text/event-stream gives queued, running, progress… completed in order, then complete', async () => {
    await worker?.stop();
    worker = undefined;
    const runId = await startRunByGraphQL();
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${workspace.key}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: `subscription($id: ID!) { runUpdated(id: $id) { ${RUN_FIELDS} } }`, variables: { id: runId } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    // Start the worker once the current state (queued) has arrived.
    while (!text.includes('event: next')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    await ensureWorker();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const blocks = text.split('\n\n').filter((block) => block.trim());
    const events = blocks
      .filter((block) => block.startsWith('event: next'))
      .map(
        (block) =>
          JSON.parse(
            block
              .split('\n')
              .find((line) => line.startsWith('data: '))!
              .slice(6),
          ).data.runUpdated,
      );
    expect(blocks[blocks.length - 1]).toMatch(/^event: complete/);
    expectOrderedEvents(events);
  });

  it('100 concurrent subscribers all receive the terminal event', async () => {
    await worker?.stop();
    worker = undefined;
    const runId = await startRunByGraphQL();
    const iterators = Array.from({ length: 100 }, () =>
      wsClient(workspace.key).iterate<{ runUpdated: any }>({
        query: `subscription($id: ID!) { runUpdated(id: $id) { ${RUN_FIELDS} } }`,
        variables: { id: runId },
      }),
    );
    const firsts = await Promise.all(iterators.map((iterator) => iterator.next()));
    expect(firsts.every((first) => first.value.data.runUpdated.status === 'QUEUED')).toBe(true);
    await ensureWorker();
    const lasts = await Promise.all(
      iterators.map(async (iterator) => {
        let last: any;
        for await (const result of iterator) last = result.data!.runUpdated;
        return last;
      }),
    );
    expect(lasts.every((last) => last.status === 'COMPLETED' && last.rowsProcessed === 5000)).toBe(true);
    // One LISTEN connection serves every subscriber of this process.
    const listeners = await server.app
      .sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%concord_run_events%'`;
    expect(listeners[0]!.n).toBe(1);
  });

  it('survives a lost LISTEN connection: the subscription resyncs and still ends with the terminal state', async () => {
    await worker?.stop();
    worker = undefined;
    const runId = await startRunByGraphQL();
    const iterator = wsClient(workspace.key).iterate<{ runUpdated: any }>({
      query: `subscription($id: ID!) { runUpdated(id: $id) { ${RUN_FIELDS} } }`,
      variables: { id: runId },
    });
    const first = await iterator.next();
    expect(first.value.data.runUpdated.status).toBe('QUEUED');
    const killed = await server.app.sql`
      select pg_terminate_backend(pid) as done from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%concord_run_events%'`;
    expect(killed).toHaveLength(1);
    await ensureWorker();
    let last: any;
    for await (const result of iterator) last = result.data!.runUpdated;
    expect(last).toMatchObject({ status: 'COMPLETED', rowsProcessed: 5000 });
  });

  it('checks the key at subscribe time: no key is unauthorized, a foreign run is not_found', async () => {
    const runId = await startRunByGraphQL();
    const other = await server.newWorkspace('foreign');
    const subscribe = async (key: string | null) => {
      const iterator = wsClient(key).iterate({
        query: `subscription($id: ID!) { runUpdated(id: $id) { status } }`,
        variables: { id: runId },
      });
      try {
        const first = await iterator.next();
        return first.value;
      } catch (error) {
        return { errors: error as Array<{ message: string; extensions?: Record<string, unknown> }> };
      }
    };
    // The key may also come as the upgrade request's Authorization header.
    const key = workspace.key;
    class HeaderWebSocket extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols, { headers: { authorization: `Bearer ${key}` } });
      }
    }
    const headerClient = createClient({
      url: `${server.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: HeaderWebSocket,
      retryAttempts: 0,
    });
    clients.push(headerClient);
    const viaHeader = await headerClient
      .iterate<{ runUpdated: { status: string } }>({
        query: `subscription($id: ID!) { runUpdated(id: $id) { status } }`,
        variables: { id: runId },
      })
      .next();
    expect(viaHeader.value.data.runUpdated.status).toMatch(/^(QUEUED|RUNNING|COMPLETED)$/);

    const foreign = await subscribe(other.key);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('not_found');
    const anonymous = await subscribe(null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('unauthorized');
    const sse = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.key}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: `subscription($id: ID!) { runUpdated(id: $id) { status } }`, variables: { id: runId } }),
    });
    expect(await sse.text()).toContain('not_found');
  });

  it('revoking a key ends its running subscriptions (graphql-ws and SSE) with unauthorized; other keys go on', async () => {
    const doomed = await server.newWorkspace('revoked subscriber');
    const kept = await doomed.keyWithScopes(['read', 'write']);
    const feed = 'subscription { runsUpdated { databaseId status } }';
    const revokedFeed = wsClient(doomed.key).iterate<{ runsUpdated: any }>({ query: feed });
    const keptFeed = wsClient(kept).iterate<{ runsUpdated: any }>({ query: feed });
    const sse = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${doomed.key}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: feed }),
    });
    expect(sse.status).toBe(200);
    const sseText = sse.text();
    // The subscriptions are live once a run's event reaches them: start one with the other key.
    const reference = await request(server.url, 'POST', '/v1/reference-data', {
      key: kept,
      json: { name: 'r', id_column: 'id', data: [{ id: '1', n: 'a' }] },
    });
    const config = await request(server.url, 'POST', '/v1/matching/configs', {
      key: kept,
      json: {
        name: 'c',
        reference_data_id: reference.body.id,
        field_mappings: [{ source: 'n', target: 'n', strategy: 'exact', weight: 1 }],
        threshold: 0.5,
      },
    });
    const queued = await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/run`, {
      key: kept,
      json: { documents: [{ document_id: 'd', values: { n: 'a' } }] },
    });
    expect(queued.status, JSON.stringify(queued.body)).toBe(202);
    expect((await revokedFeed.next()).value.data.runsUpdated.databaseId).toBe(queued.body.id);
    expect((await keptFeed.next()).value.data.runsUpdated.databaseId).toBe(queued.body.id);

    const prefix = doomed.key.slice(0, 9);
    const revoked = await request(server.url, 'DELETE', `/v1/admin/workspaces/${doomed.id}/api-keys/${prefix}`, { key: ADMIN_TOKEN });
    expect(revoked.status).toBe(200);
    const ended = await revokedFeed.next().then(
      () => null,
      (errors: Array<{ message: string; extensions?: Record<string, unknown> }>) => errors,
    );
    expect(ended?.[0]?.extensions?.code).toBe('unauthorized');
    expect(ended?.[0]?.message).toMatch(/revoked/);
    expect(await sseText).toMatch(/revoked[\s\S]*unauthorized|unauthorized[\s\S]*revoked/);

    // The other key's feed is untouched: it sees the next run too.
    const next = await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/run`, {
      key: kept,
      json: { documents: [{ document_id: 'e', values: { n: 'a' } }] },
    });
    let seen: any;
    do seen = (await keptFeed.next()).value.data.runsUpdated;
    while (seen.databaseId !== next.body.id);
    await keptFeed.return?.();
  });
});
