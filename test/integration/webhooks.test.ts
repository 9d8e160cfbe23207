/**
 * Webhooks end to end: endpoints over REST and GraphQL, a real HTTP receiver on a random port, runs that complete or
 * are cancelled, signed deliveries, graphile-worker retries after a 500, the delivery log, isolation and validation.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failRun } from '../../src/modules/runs/execute';
import { deliverWebhook } from '../../src/modules/webhooks/jobs';
import { startWorker, type RunningWorker } from '../../src/worker';
import { expectErrorShape, graphql, request } from '../support/http';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { until } from '../support/wait';
import { waitForRun } from './runs-fixture';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let server: TestServer;
let worker: RunningWorker | undefined;
let receiver: Server;
let receiverUrl = '';
const received: Received[] = [];
/** Requests to /hang… held without an answer. */
const hanging: ServerResponse[] = [];
/** Status codes to answer per path, in order; then 200. */
const scripted = new Map<string, number[]>();

beforeAll(async () => {
  // The receiver below listens on 127.0.0.1, which webhooks may reach only when WEBHOOK_ALLOWED_HOSTS names it; the
  // refusals of the default settings are tested in webhook-addresses.test.ts.
  server = await startTestServer({ RUN_WORKER: false, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,example.com,.example.com' });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      if (path.startsWith('/hang')) {
        // An endpoint that does not answer (until the test lets it).
        hanging.push(res);
        return;
      }
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = scripted.get(path)?.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'boom');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.writeHead(200).end();
  await worker?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  await server?.close();
});

async function ensureWorker(): Promise<void> {
  worker ??= await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
}

/** A workspace with two tiny tables and an exact-match config over them. */
async function setup(name: string): Promise<{ workspace: TestWorkspace; configId: string }> {
  const workspace = await server.newWorkspace(name);
  const key = workspace.key;
  const reference = await request(server.url, 'POST', '/v1/reference-data', {
    key,
    json: {
      name: 'vendors',
      id_column: 'vid',
      data: [
        { vid: 'V1', name: 'Acme' },
        { vid: 'V2', name: 'Globex' },
      ],
    },
  });
  const source = await request(server.url, 'POST', '/v1/source-data', {
    key,
    json: {
      name: 'invoices',
      id_column: 'doc',
      data: [
        { doc: 'D1', vendor: 'Acme' },
        { doc: 'D2', vendor: 'Initech' },
      ],
    },
  });
  const config = await request(server.url, 'POST', '/v1/matching/configs', {
    key,
    json: {
      name: 'vendors',
      reference_data_id: reference.body.id,
      source_data_id: source.body.id,
      field_mappings: [{ source: 'vendor', target: 'name', strategy: 'exact', weight: 1 }],
      threshold: 0.5,
    },
  });
  expect(config.status, JSON.stringify(config.body)).toBe(201);
  return { workspace, configId: config.body.id };
}

async function createWebhook(key: string, json: Record<string, unknown>) {
  const response = await request(server.url, 'POST', '/v1/webhooks', { key, json });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { id: string; secret: string; url: string; events: string[] };
}

async function deliveries(key: string, webhookId: string) {
  const response = await request(server.url, 'GET', `/v1/webhooks/${webhookId}/deliveries`, { key });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.data as any[];
}

/** The check a receiver does, written independently of src/modules/webhooks/signature.ts. */
function expectSigned(secret: string, delivery: Received): void {
  const timestamp = String(delivery.headers['concord-webhook-timestamp']);
  expect(timestamp).toMatch(/^\d+$/);
  expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(60);
  const expected = createHmac('sha256', secret).update(`${timestamp}.${delivery.body}`).digest('hex');
  expect(delivery.headers['concord-webhook-signature']).toBe(`v1=${expected}`);
}

describe('webhook endpoints over REST', () => {
  it('validates the body: 400 validation_error with details per field', async () => {
    const { key } = await server.newWorkspace('validation');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ url: 'ftp://example.com/hook' }, 'url'],
      [{ url: 'javascript:alert(1)' }, 'url'],
      [{ url: 'file:///etc/passwd' }, 'url'],
      [{ url: 'https://user:pass@example.com/hook' }, 'url'],
      [{ url: 'not a url' }, 'url'],
      [{}, 'url'],
      [{ url: 'https://example.com/hook', events: ['run.started'] }, 'events[0]'],
      [{ url: 'https://example.com/hook', events: [] }, 'events'],
      [{ url: 'https://example.com/hook', active: 'yes' }, 'active'],
      [{ url: 'https://example.com/hook', secret: 'mine' }, ''],
      // Hosts WEBHOOK_ALLOWED_HOSTS does not name, however written.
      [{ url: 'http://169.254.169.254/latest/meta-data' }, 'url'],
      [{ url: 'http://2852039166/' }, 'url'],
      [{ url: 'http://[::1]/' }, 'url'],
      [{ url: 'http://example.org/' }, 'url'],
    ];
    for (const [json, path] of cases) {
      const response = await request(server.url, 'POST', '/v1/webhooks', { key, json });
      expect(response.status, JSON.stringify(json)).toBe(400);
      expectErrorShape(response.body, 'validation_error');
      if (path)
        expect(
          response.body.details.map((detail: any) => detail.path),
          JSON.stringify(response.body),
        ).toContain(path);
    }
    const metadata = await request(server.url, 'POST', '/v1/webhooks', { key, json: { url: 'http://169.254.169.254/' } });
    expect(metadata.body.details).toEqual([{ path: 'url', message: 'the host "169.254.169.254" is not in WEBHOOK_ALLOWED_HOSTS' }]);
    const created = await createWebhook(key, { url: 'http://example.com/hook' });
    const patch = await request(server.url, 'PATCH', `/v1/webhooks/${created.id}`, { key, json: { url: 'gopher://example.com' } });
    expect(patch.status).toBe(400);
    expectErrorShape(patch.body, 'validation_error');
    const deliveriesQuery = await request(server.url, 'GET', `/v1/webhooks/${created.id}/deliveries?status=bogus`, { key });
    expect(deliveriesQuery.status).toBe(400);
  });

  it('creates (secret shown once), reads, lists, updates and deletes an endpoint', async () => {
    const { key } = await server.newWorkspace('crud');
    const created = await createWebhook(key, { url: 'https://example.com/hook', events: ['run.failed', 'run.completed', 'run.failed'] });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ url: 'https://example.com/hook', events: ['run.completed', 'run.failed'], active: true });
    const got = await request(server.url, 'GET', `/v1/webhooks/${created.id}`, { key });
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('secret');
    expect(JSON.stringify(got.body)).not.toContain(created.secret);
    expect(got.body.links).toEqual({ self: `/v1/webhooks/${created.id}`, deliveries: `/v1/webhooks/${created.id}/deliveries` });
    const second = await createWebhook(key, { url: 'http://hooks.example.com:8080/concord' });
    expect(second.events).toEqual(['run.completed', 'run.failed', 'run.cancelled']);
    const list = await request(server.url, 'GET', '/v1/webhooks?limit=1', { key });
    expect(list.body.data.map((item: any) => item.id)).toEqual([second.id]);
    expect(list.body.pagination).toMatchObject({ total: 2, limit: 1, has_more: true });
    const next = await request(server.url, 'GET', `/v1/webhooks?limit=1&cursor=${list.body.pagination.next_cursor}`, { key });
    expect(next.body.data.map((item: any) => item.id)).toEqual([created.id]);
    expect(JSON.stringify(list.body) + JSON.stringify(next.body)).not.toContain('whsec_');
    const patched = await request(server.url, 'PATCH', `/v1/webhooks/${created.id}`, {
      key,
      json: { events: ['run.cancelled'], active: false },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ events: ['run.cancelled'], active: false, url: 'https://example.com/hook' });
    const deleted = await request(server.url, 'DELETE', `/v1/webhooks/${created.id}`, { key });
    expect(deleted.body).toEqual({ deleted: true });
    expect((await request(server.url, 'GET', `/v1/webhooks/${created.id}`, { key })).status).toBe(404);
    const reader = await (await server.newWorkspace('reader')).keyWithScopes(['read']);
    const forbidden = await request(server.url, 'POST', '/v1/webhooks', { key: reader, json: { url: 'https://example.com' } });
    expect(forbidden.status).toBe(403);
  });

  it("another workspace's key gets 404 on every route with the endpoint's id", async () => {
    const { key } = await server.newWorkspace('owner');
    const other = await server.newWorkspace('intruder');
    const created = await createWebhook(key, { url: 'https://example.com/private' });
    for (const [method, path, json] of [
      ['GET', `/v1/webhooks/${created.id}`],
      ['PATCH', `/v1/webhooks/${created.id}`, { active: false }],
      ['DELETE', `/v1/webhooks/${created.id}`],
      ['GET', `/v1/webhooks/${created.id}/deliveries`],
    ] as const) {
      const response = await request(server.url, method, path, { key: other.key, json });
      expect(response.status, `${method} ${path}`).toBe(404);
      expectErrorShape(response.body, 'not_found');
    }
    const list = await request(server.url, 'GET', '/v1/webhooks', { key: other.key });
    expect(list.body.data).toEqual([]);
    const still = await request(server.url, 'GET', `/v1/webhooks/${created.id}`, { key });
    expect(still.body.active).toBe(true);
  });
});

describe('deliveries', { timeout: 90_000 }, () => {
  it('a failed run: run.failed carries the error; a settled delivery is not sent again', async () => {
    // Before any worker runs (the first tests of this block): the run stays queued until failed here, as a job would.
    expect(worker).toBeUndefined();
    const { workspace, configId } = await setup('fail');
    const key = workspace.key;
    const hook = await createWebhook(key, { url: `${receiverUrl}/failed`, events: ['run.failed'] });
    const run = await request(server.url, 'POST', `/v1/matching/configs/${configId}/run`, { key });
    await failRun(server.app, run.body.id, 'Matching failed: the test said so');
    await failRun(server.app, run.body.id, 'again'); // a retried job: nothing more is queued
    const [pending] = await deliveries(key, hook.id);
    expect(await deliveries(key, hook.id)).toHaveLength(1);
    // The job's work, run here directly; the queued job finds it settled once a worker starts.
    await deliverWebhook(server.app, pending.id, 1, 8);
    const got = received.find((item) => item.path === '/failed')!;
    expectSigned(hook.secret, got);
    expect(JSON.parse(got.body)).toMatchObject({
      type: 'run.failed',
      data: { run: { id: run.body.id, status: 'failed', error: 'Matching failed: the test said so' } },
    });
    expect((await deliveries(key, hook.id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('a cancelled run: the delivery is queued with the cancel, and sent once a worker runs', async () => {
    const { workspace, configId } = await setup('cancel');
    const key = workspace.key;
    const hook = await createWebhook(key, { url: `${receiverUrl}/cancelled`, events: ['run.cancelled'] });
    // No worker yet: the run stays queued, so it can be cancelled for sure.
    const run = await request(server.url, 'POST', `/v1/matching/configs/${configId}/run`, { key });
    const cancelled = await request(server.url, 'POST', `/v1/matching/runs/${run.body.id}/cancel`, { key });
    expect(cancelled.status).toBe(200);
    const [pending] = await deliveries(key, hook.id);
    expect(pending).toMatchObject({ webhook_id: hook.id, event: 'run.cancelled', run_id: run.body.id, status: 'pending', attempts: 0 });
    expect(pending.payload).toMatchObject({
      id: pending.id,
      type: 'run.cancelled',
      data: { run: { id: run.body.id, status: 'cancelled' } },
    });

    await ensureWorker();
    const got = await until('the cancelled event', () => received.find((item) => item.path === '/cancelled'));
    expectSigned(hook.secret, got);
    const body = JSON.parse(got.body);
    expect(body).toEqual(pending.payload);
    expect(got.headers['concord-webhook-id']).toBe(pending.id);
    const [delivered] = await until('delivered', async () => {
      const list = await deliveries(key, hook.id);
      return list[0]?.status === 'delivered' ? list : undefined;
    });
    expect(delivered).toMatchObject({ attempts: 1, last_status_code: 200, last_error: null });
    expect(delivered.delivered_at).toMatch(/Z$/);
  });

  it('a completed run: signed POST with the run in the REST shape; only subscribed endpoints receive it', async () => {
    await ensureWorker();
    const { workspace, configId } = await setup('complete');
    const key = workspace.key;
    const hook = await createWebhook(key, { url: `${receiverUrl}/completed` });
    await createWebhook(key, { url: `${receiverUrl}/only-failed`, events: ['run.failed'] });
    await createWebhook(key, { url: `${receiverUrl}/inactive`, active: false });
    const run = await request(server.url, 'POST', `/v1/matching/configs/${configId}/run`, { key });
    const done = await waitForRun(server.url, key, run.body.id, undefined, 60_000);
    expect(done.status).toBe('completed');

    const got = await until('the completed event', () => received.find((item) => item.path === '/completed'));
    expect(got.headers['content-type']).toBe('application/json');
    expectSigned(hook.secret, got);
    const body = JSON.parse(got.body);
    const { results: _results, ...restRun } = done;
    expect(body).toEqual({
      id: got.headers['concord-webhook-id'],
      type: 'run.completed',
      created_at: expect.stringMatching(/Z$/),
      data: { run: restRun },
    });
    expect(Object.keys(body)).toEqual(['id', 'type', 'created_at', 'data']);
    expect(body.data.run).toMatchObject({ rows_processed: 2, rows_matched: 1 });
    // A tampered body does not verify.
    const forged = createHmac('sha256', hook.secret)
      .update(`${got.headers['concord-webhook-timestamp']}.${got.body.replace('completed', 'failed')}`)
      .digest('hex');
    expect(got.headers['concord-webhook-signature']).not.toBe(`v1=${forged}`);

    const [delivered] = await until('delivered', async () => {
      const list = await deliveries(key, hook.id);
      return list[0]?.status === 'delivered' ? list : undefined;
    });
    expect(delivered).toMatchObject({ id: body.id, event: 'run.completed', run_id: run.body.id, attempts: 1, last_status_code: 200 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.filter((item) => item.path === '/only-failed' || item.path === '/inactive')).toEqual([]);
    expect(received.filter((item) => item.path === '/completed')).toHaveLength(1);
    // The job of the failed run's delivery (sent by hand above) ran meanwhile and found it settled.
    expect(received.filter((item) => item.path === '/failed')).toHaveLength(1);
  });

  it('a 500 is recorded and retried by graphile-worker; the retry delivers', async () => {
    await ensureWorker();
    const { workspace, configId } = await setup('retry');
    const key = workspace.key;
    scripted.set('/flaky', [500]);
    const hook = await createWebhook(key, { url: `${receiverUrl}/flaky` });
    const run = await request(server.url, 'POST', `/v1/matching/configs/${configId}/run`, { key });
    await waitForRun(server.url, key, run.body.id, undefined, 60_000);
    const [failedOnce] = await until('the first attempt', async () => {
      const list = await deliveries(key, hook.id);
      return list[0]?.attempts === 1 ? list : undefined;
    });
    expect(failedOnce).toMatchObject({ status: 'pending', last_status_code: 500, last_error: 'HTTP 500' });
    // graphile-worker backs off exp(1) ≈ 2.7 s before the second attempt.
    const [delivered] = await until('the retry', async () => {
      const list = await deliveries(key, hook.id);
      return list[0]?.status === 'delivered' ? list : undefined;
    });
    expect(delivered).toMatchObject({ attempts: 2, last_status_code: 200, last_error: null });
    const attempts = received.filter((item) => item.path === '/flaky');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.headers['concord-webhook-id']).toBe(attempts[1]!.headers['concord-webhook-id']);
    expect(attempts[0]!.body).toBe(attempts[1]!.body);
    for (const attempt of attempts) expectSigned(hook.secret, attempt);
  });

  it('endpoints that do not answer hold webhook slots only: a run completes while six deliveries hang', async () => {
    await ensureWorker();
    const { workspace, configId } = await setup('hanging');
    const key = workspace.key;
    // More hanging endpoints than WEBHOOK_CONCURRENCY (4) + WORKER_CONCURRENCY (2): with shared slots, the next
    // run's jobs would wait up to 10 s (the delivery timeout) for one.
    for (let i = 0; i < 6; i++) await createWebhook(key, { url: `${receiverUrl}/hang/${i}`, events: ['run.completed'] });
    const first = await request(server.url, 'POST', `/v1/matching/configs/${configId}/run`, { key });
    expect((await waitForRun(server.url, key, first.body.id, undefined, 60_000)).status).toBe('completed');
    await until('four deliveries hanging', () => hanging.length >= 4);
    const stillHanging = () => hanging.filter((res) => !res.writableEnded && res.socket !== null && !res.socket.destroyed).length;
    const held = stillHanging();
    const second = await request(server.url, 'POST', `/v1/matching/configs/${configId}/run`, { key });
    expect((await waitForRun(server.url, key, second.body.id, undefined, 60_000)).status).toBe('completed');
    // Every delivery that was hanging is still hanging: the run did not wait for one of them to give up.
    expect(stillHanging()).toBeGreaterThanOrEqual(held);
    expect(held).toBeGreaterThanOrEqual(4);
  });

  it('the last attempt marks the delivery failed (and does not throw)', async () => {
    const { workspace, configId } = await setup('last-attempt');
    const key = workspace.key;
    // Subscribed to nothing that happens here: the delivery row below is made by hand, so no job competes with us.
    const hook = await createWebhook(key, { url: `${receiverUrl}/down`, events: ['run.failed'] });
    scripted.set('/down', [503, 503]);
    const run = await request(server.url, 'POST', `/v1/matching/configs/${configId}/run`, { key });
    await waitForRun(server.url, key, run.body.id, undefined, 60_000);
    const [row] = await server.app.sql<{ id: string }[]>`
      insert into webhook_deliveries (workspace_id, endpoint_id, event, run_id, payload)
      select workspace_id, ${hook.id}, 'run.failed', id, jsonb_build_object('run', to_jsonb(r) - 'snapshot') from runs r where id = ${run.body.id}
      returning id`;
    await expect(deliverWebhook(server.app, row!.id, 1, 8)).rejects.toThrow(/HTTP 503/);
    await deliverWebhook(server.app, row!.id, 8, 8);
    const [failed] = await deliveries(key, hook.id);
    expect(failed).toMatchObject({ id: row!.id, status: 'failed', attempts: 2, last_status_code: 503, delivered_at: null });
    // Settled: a stray later run of the job changes nothing.
    await deliverWebhook(server.app, row!.id, 8, 8);
    expect((await deliveries(key, hook.id))[0].attempts).toBe(2);
  });
});

describe('POST /v1/webhooks/:id/test', () => {
  it('sends a signed webhook.test event now and reports the outcome', async () => {
    const { key } = await server.newWorkspace('ping');
    const hook = await createWebhook(key, { url: `${receiverUrl}/ping` });
    const ok = await request(server.url, 'POST', `/v1/webhooks/${hook.id}/test`, { key });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ delivered: true, status_code: 200, error: null });
    const got = received.find((item) => item.path === '/ping')!;
    expectSigned(hook.secret, got);
    expect(JSON.parse(got.body)).toMatchObject({ type: 'webhook.test', data: { webhook: { id: hook.id, url: hook.url } } });
    expect(await deliveries(key, hook.id)).toEqual([]);

    scripted.set('/ping', [502]);
    const bad = await request(server.url, 'POST', `/v1/webhooks/${hook.id}/test`, { key });
    expect(bad.body).toMatchObject({ delivered: false, status_code: 502, error: 'HTTP 502' });
    const other = await server.newWorkspace('ping-other');
    expect((await request(server.url, 'POST', `/v1/webhooks/${hook.id}/test`, { key: other.key })).status).toBe(404);
  });
});

describe('webhooks over GraphQL', () => {
  it('createWebhook (secret once), webhooks with deliveries, updateWebhook, deleteWebhook', async () => {
    const { key } = await server.newWorkspace('graphql');
    const created = await graphql(
      server.url,
      `mutation { createWebhook(input: { url: "https://example.com/gql", events: [RUN_COMPLETED] }) {
        __typename ... on MutationCreateWebhookSuccess { data { secret webhook { id databaseId url events active } } }
      } }`,
      {},
      key,
    );
    expect(created.body.errors).toBeUndefined();
    const data = (created.body.data as any).createWebhook.data;
    expect(data.secret).toMatch(/^whsec_/);
    expect(data.webhook).toMatchObject({ url: 'https://example.com/gql', events: ['RUN_COMPLETED'], active: true });

    const invalid = await graphql(
      server.url,
      `mutation { createWebhook(input: { url: "ftp://x" }) { __typename ... on ValidationError { details { path } } } }`,
      {},
      key,
    );
    expect((invalid.body.data as any).createWebhook).toEqual({ __typename: 'ValidationError', details: [{ path: 'url' }] });

    const list = await graphql(
      server.url,
      `{ webhooks(first: 10) { totalCount edges { node { databaseId url deliveries(first: 5) { totalCount edges { node { status } } } } } } }`,
      {},
      key,
    );
    expect(list.body.data).toEqual({
      webhooks: {
        totalCount: 1,
        edges: [
          { node: { databaseId: data.webhook.databaseId, url: 'https://example.com/gql', deliveries: { totalCount: 0, edges: [] } } },
        ],
      },
    });

    const updated = await graphql(
      server.url,
      `mutation($id: ID!) { updateWebhook(id: $id, input: { active: false }) { ... on MutationUpdateWebhookSuccess { data { active } } } }`,
      { id: data.webhook.id },
      key,
    );
    expect((updated.body.data as any).updateWebhook.data.active).toBe(false);
    const other = await server.newWorkspace('graphql-other');
    const foreign = await graphql(server.url, `query($id: ID!) { webhook(id: $id) { __typename } }`, { id: data.webhook.id }, other.key);
    expect((foreign.body.data as any).webhook.__typename).toBe('NotFoundError');
    const deleted = await graphql(
      server.url,
      `mutation($id: ID!) { deleteWebhook(id: $id) { ... on MutationDeleteWebhookSuccess { data { databaseId } } } }`,
      { id: data.webhook.id },
      key,
    );
    expect((deleted.body.data as any).deleteWebhook.data.databaseId).toBe(data.webhook.databaseId);
  });
});
