/**
 * Subscriptions held at once: per graphql-ws connection (SUBSCRIPTIONS_PER_CONNECTION) and per API key
 * (SUBSCRIPTIONS_PER_KEY, graphql-ws and SSE together), small here. One more gets `too_many_subscriptions`; completing
 * one makes room again. Runs stay queued (no worker), so each runUpdated subscription stays open after its first event.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEventHub } from '../../src/events/run-events';
import { request } from '../support/http';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { until } from '../support/wait';

let server: TestServer;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startTestServer({ RUN_WORKER: false, SUBSCRIPTIONS_PER_CONNECTION: 3, SUBSCRIPTIONS_PER_KEY: 5 });
});

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await server?.close();
});

function wsClient(key: string): Client {
  const client = createClient({
    url: `${server.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
}

/** A workspace with a queued run (no worker picks it up). */
async function queuedRun(name: string): Promise<{ workspace: TestWorkspace; runId: string }> {
  const workspace = await server.newWorkspace(name);
  const key = workspace.key;
  const reference = await request(server.url, 'POST', '/v1/reference-data', {
    key,
    json: { name: 'r', id_column: 'id', data: [{ id: '1', n: 'a' }] },
  });
  const config = await request(server.url, 'POST', '/v1/matching/configs', {
    key,
    json: {
      name: 'c',
      reference_data_id: reference.body.id,
      field_mappings: [{ source: 'n', target: 'n', strategy: 'exact', weight: 1 }],
      threshold: 0.5,
    },
  });
  const run = await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/run`, {
    key,
    json: { documents: [{ document_id: 'd', values: { n: 'a' } }] },
  });
  expect(run.status, JSON.stringify(run.body)).toBe(202);
  return { workspace, runId: run.body.id };
}

type Errors = Array<{ message: string; extensions?: Record<string, unknown> }>;

/** Subscribes to the run; resolves with the open iterator once its first event (the queued state) came, or the errors. */
async function watch(
  client: Client,
  runId: string,
): Promise<{ iterator: AsyncIterableIterator<unknown>; errors?: undefined } | { errors: Errors }> {
  const iterator = client.iterate<{ runUpdated: { status: string } }>({
    query: 'subscription($id: ID!) { runUpdated(id: $id) { status } }',
    variables: { id: runId },
  });
  let first: IteratorResult<any>;
  try {
    first = await iterator.next();
  } catch (errors) {
    // Refused before the operation ran (graphql-ws error message).
    return { errors: errors as Errors };
  }
  // Refused by the subscription's resolver: an execution result with errors.
  if (first.value.errors) return { errors: first.value.errors };
  expect(first.value.data.runUpdated.status).toBe('QUEUED');
  return { iterator };
}

const subscriptionsOf = () => runEventHub(server.app).subscriberCount;

describe('subscription limits', { timeout: 60_000 }, () => {
  it('SUBSCRIPTIONS_PER_CONNECTION: a fourth operation on one graphql-ws connection gets too_many_subscriptions', async () => {
    const { workspace, runId } = await queuedRun('per-connection');
    const client = wsClient(workspace.key);
    const open = await Promise.all([watch(client, runId), watch(client, runId), watch(client, runId)]);
    expect(open.every((result) => result.errors === undefined)).toBe(true);
    const refused = await watch(client, runId);
    expect(refused.errors?.[0]?.extensions?.code).toBe('too_many_subscriptions');
    expect(refused.errors?.[0]?.message).toBe(
      'This connection already runs 3 operations (SUBSCRIPTIONS_PER_CONNECTION is 3); complete one before starting another.',
    );
    // The same connection goes on: completing one makes room for another.
    const before = subscriptionsOf();
    await (open[0] as { iterator: AsyncIterableIterator<unknown> }).iterator.return!();
    await until('the completed subscription to end', () => subscriptionsOf() < before);
    expect((await watch(client, runId)).errors).toBeUndefined();
    // Another connection of the same key has its own count.
    expect((await watch(wsClient(workspace.key), runId)).errors).toBeUndefined();
    for (const client of clients.splice(0)) await client.dispose();
  });

  it("SUBSCRIPTIONS_PER_KEY: the key's sixth subscription, over graphql-ws or SSE, gets too_many_subscriptions; other keys are not counted", async () => {
    const { workspace, runId } = await queuedRun('per-key');
    await until('earlier subscriptions to end', () => subscriptionsOf() === 0);
    const first = wsClient(workspace.key);
    const second = wsClient(workspace.key);
    const open = [
      await watch(first, runId),
      await watch(first, runId),
      await watch(first, runId),
      await watch(second, runId),
      await watch(second, runId),
    ];
    expect(open.map((result) => result.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    const refused = await watch(second, runId);
    expect(refused.errors?.[0]?.extensions?.code).toBe('too_many_subscriptions');
    expect(refused.errors?.[0]?.message).toBe(
      'This API key already has 5 subscriptions open (SUBSCRIPTIONS_PER_KEY is 5); complete one before starting another.',
    );

    const sse = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${workspace.key}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription($id: ID!) { runUpdated(id: $id) { status } }', variables: { id: runId } }),
    });
    const text = await sse.text();
    expect(text).toContain('too_many_subscriptions');
    expect(text).not.toContain('QUEUED');

    // A key of the same workspace has a budget of its own.
    const otherKey = await workspace.keyWithScopes(['read']);
    expect((await watch(wsClient(otherKey), runId)).errors).toBeUndefined();
    // Completing one of the five makes room.
    await (open[0] as { iterator: AsyncIterableIterator<unknown> }).iterator.return!();
    await until('the completed subscription to end', () => subscriptionsOf() === 5);
    expect((await watch(second, runId)).errors).toBeUndefined();
  });
});
