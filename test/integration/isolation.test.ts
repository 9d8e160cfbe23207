/**
 * Workspace isolation matrix: workspace A owns one of everything; workspace B's key walks every REST route and
 * every GraphQL root field with A's ids. Routes and fields are enumerated from the router and the schema, so a new
 * one without a matrix entry fails this file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, type GraphQLObjectType } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, ADMIN_TOKEN, type TestServer, type TestWorkspace } from '../support/server';
import { expectErrorShape, graphql, request, type JsonResponse } from '../support/http';
import { uploadForm } from '../support/fixtures';
import { projectRoot } from '../support/process';
import { buildRouter } from '../../src/http/rest/index';
import { startWorker, type RunningWorker } from '../../src/worker';
import { createStrategy } from '../../src/modules/strategies/service';
import { createContext } from '../../src/context';
import { waitForRun } from './runs-fixture';
import { encodeGlobalID } from '@pothos/plugin-relay';

let server: TestServer;
let worker: RunningWorker | undefined;
let a: TestWorkspace;
let b: TestWorkspace;
const clients: Client[] = [];

/** A's ids and names; none of them may appear in any response B gets. */
const A = {
  referenceId: '',
  sourceId: '',
  configId: '',
  runId: '',
  resultId: '',
  strategyId: '',
  referenceRowId: '',
  sourceRowId: '',
  workspaceId: '',
  webhookId: '',
  webhookSecret: '',
  globalIds: { reference: '', source: '', config: '', run: '', result: '', webhook: '', strategy: '' },
};
const SECRET = `alpha${Math.random().toString(36).slice(2, 10)}`;
const A_NAMES = [`${SECRET}-reference`, `${SECRET}-source`, `${SECRET}-config`, `${SECRET}-vendor-zeta`, `${SECRET}-doc-1`];
/** B's own objects, created while walking (ids to use in mixed requests). */
const B = { referenceId: '', sourceId: '', configId: '' };

function secrets(): string[] {
  const ids = [
    A.referenceId,
    A.sourceId,
    A.configId,
    A.runId,
    A.resultId,
    A.strategyId,
    A.referenceRowId,
    A.sourceRowId,
    A.workspaceId,
    A.webhookId,
    A.webhookSecret,
  ];
  return [...ids, ...Object.values(A.globalIds), ...A_NAMES].filter(Boolean);
}

/** Fails when a body B received mentions one of A's ids or names. */
function expectNoLeak(label: string, body: unknown): void {
  // An error body's `path` echoes the request path B sent (with A's id in it): that is B's own input, not a leak.
  const echoed = body && typeof body === 'object' && 'statusCode' in body ? { ...body, path: undefined } : body;
  const text = typeof echoed === 'string' ? echoed : JSON.stringify(echoed);
  for (const secret of secrets()) {
    if (text.includes(secret)) throw new Error(`${label}: response for workspace B contains A's "${secret}": ${text.slice(0, 500)}`);
  }
}

beforeAll(async () => {
  // A's webhook goes to 127.0.0.1:9 (nothing listens): allowed by name, as any receiver on the same machine is.
  server = await startTestServer({ RUN_WORKER: false, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,example.com' });
  worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
  a = await server.newWorkspace(`${SECRET}-workspace`);
  b = await server.newWorkspace('bravo');
  A.workspaceId = a.id;

  const reference = await request(server.url, 'POST', '/v1/reference-data', {
    key: a.key,
    json: {
      name: A_NAMES[0],
      id_column: 'vid',
      data: [
        { vid: 'V1', name: A_NAMES[3] },
        { vid: 'V2', name: 'Globex' },
      ],
    },
  });
  expect(reference.status, JSON.stringify(reference.body)).toBe(201);
  A.referenceId = reference.body.id;
  const source = await request(server.url, 'POST', '/v1/source-data', {
    key: a.key,
    json: {
      name: A_NAMES[1],
      id_column: 'doc',
      data: [
        { doc: A_NAMES[4], vendor: A_NAMES[3] },
        { doc: 'D2', vendor: 'Globex' },
      ],
    },
  });
  expect(source.status, JSON.stringify(source.body)).toBe(201);
  A.sourceId = source.body.id;
  const rowsA = await request(server.url, 'GET', `/v1/reference-data/${A.referenceId}/rows`, { key: a.key });
  A.referenceRowId = rowsA.body.data[0].id;
  const rowsS = await request(server.url, 'GET', `/v1/source-data/${A.sourceId}/rows`, { key: a.key });
  A.sourceRowId = rowsS.body.data[0].id;
  // A's webhook receives A's run events (the URL answers nothing; deliveries are only recorded).
  const webhook = await request(server.url, 'POST', '/v1/webhooks', { key: a.key, json: { url: `http://127.0.0.1:9/${SECRET}-hook` } });
  expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
  A.webhookId = webhook.body.id;
  A.webhookSecret = webhook.body.secret;
  const config = await request(server.url, 'POST', '/v1/matching/configs', {
    key: a.key,
    json: {
      name: A_NAMES[2],
      reference_data_id: A.referenceId,
      source_data_id: A.sourceId,
      field_mappings: [{ source: 'vendor', target: 'name', strategy: 'exact', weight: 1 }],
      threshold: 0.5,
    },
  });
  expect(config.status, JSON.stringify(config.body)).toBe(201);
  A.configId = config.body.id;
  const run = await request(server.url, 'POST', `/v1/matching/configs/${A.configId}/run`, { key: a.key });
  expect(run.status, JSON.stringify(run.body)).toBe(202);
  A.runId = run.body.id;
  const done = await waitForRun(server.url, a.key, A.runId, undefined, 60_000);
  expect(done.status, JSON.stringify(done)).toBe('completed');
  expect(done.results.length).toBeGreaterThan(0);
  A.resultId = done.results[0].id;
  const context = await createContext(server.app, { authorization: `Bearer ${a.key}` });
  const strategy = await createStrategy(context, {
    matchingConfigId: A.configId,
    plan: { fieldMappings: [{ source: 'vendor', target: 'name', strategy: 'exact', weight: 1 }] as never, threshold: 0.5 },
    version: 1,
  });
  A.strategyId = strategy.id;

  const ids = await graphql(
    server.url,
    `query($r: ID!, $s: ID!, $c: ID!, $run: ID!, $res: ID!, $hook: ID!) {
      r: dataset(id: $r) { ... on QueryDatasetSuccess { data { id } } }
      s: dataset(id: $s) { ... on QueryDatasetSuccess { data { id } } }
      c: matchingConfig(id: $c) { ... on QueryMatchingConfigSuccess { data { id } } }
      run: run(id: $run) { ... on QueryRunSuccess { data { id } } }
      res: runResult(runId: $run, resultId: $res) { ... on QueryRunResultSuccess { data { id } } }
      hook: webhook(id: $hook) { ... on QueryWebhookSuccess { data { id } } }
    }`,
    { r: A.referenceId, s: A.sourceId, c: A.configId, run: A.runId, res: A.resultId, hook: A.webhookId },
    a.key,
  );
  expect(ids.body.errors, JSON.stringify(ids.body)).toBeUndefined();
  A.globalIds = {
    reference: ids.body.data.r.data.id,
    source: ids.body.data.s.data.id,
    config: ids.body.data.c.data.id,
    run: ids.body.data.run.data.id,
    result: ids.body.data.res.data.id,
    webhook: ids.body.data.hook.data.id,
    strategy: encodeGlobalID('Strategy', A.strategyId),
  };

  // B's own datasets (for requests that mix B's and A's ids).
  const bRef = await request(server.url, 'POST', '/v1/reference-data', { key: b.key, json: { name: 'b-ref', data: [{ name: 'x' }] } });
  const bSrc = await request(server.url, 'POST', '/v1/source-data', { key: b.key, json: { name: 'b-src', data: [{ vendor: 'x' }] } });
  B.referenceId = bRef.body.id;
  B.sourceId = bSrc.body.id;
  const bConfig = await request(server.url, 'POST', '/v1/matching/configs', {
    key: b.key,
    json: {
      name: 'b-config',
      reference_data_id: B.referenceId,
      source_data_id: B.sourceId,
      field_mappings: [{ source: 'vendor', target: 'name', strategy: 'exact', weight: 1 }],
    },
  });
  expect(bConfig.status, JSON.stringify(bConfig.body)).toBe(201);
  B.configId = bConfig.body.id;
}, 120_000);

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await worker?.stop();
  await server?.close();
});

// ---------------------------------------------------------------------------------------------------------------
// REST matrix

type Expectation =
  /** 404 not_found for A's id. */
  | 'not_found'
  /** 401: admin routes take the admin token, not a workspace key. */
  | 'unauthorized'
  /** 2xx; a list whose items are B's only. */
  | 'ok';

interface RestCase {
  path: string;
  json?: unknown;
  form?: () => FormData | URLSearchParams;
  expect: Expectation;
}

/** An application/x-www-form-urlencoded body (fetch sets the content type for URLSearchParams). */
const reconcileForm = (fields: Record<string, string>) => new URLSearchParams(fields);

const configJson = () => ({
  name: 'b-config-2',
  reference_data_id: B.referenceId,
  source_data_id: B.sourceId,
  field_mappings: [{ source: 'vendor', target: 'name', strategy: 'exact', weight: 1 }],
});

function datasetCases(kind: 'reference' | 'source', base: string): Record<string, () => RestCase[]> {
  const id = () => (kind === 'reference' ? A.referenceId : A.sourceId);
  const gid = () => (kind === 'reference' ? A.globalIds.reference : A.globalIds.source);
  return {
    [`POST ${base}`]: () => [
      { path: base, json: { name: 'b-new', data: [{ x: 1 }] }, expect: 'ok' },
      { path: base, form: () => uploadForm('x\n1\n', 'b.csv', { name: 'b-upload' }), expect: 'ok' },
    ],
    [`GET ${base}`]: () => [
      { path: base, expect: 'ok' },
      { path: `${base}?page=1&limit=100`, expect: 'ok' },
    ],
    [`GET ${base}/:id`]: () => [
      { path: `${base}/${id()}`, expect: 'not_found' },
      { path: `${base}/${gid()}`, expect: 'not_found' },
    ],
    [`DELETE ${base}/:id`]: () => [{ path: `${base}/${id()}`, expect: 'not_found' }],
    [`GET ${base}/:id/rows`]: () => [{ path: `${base}/${id()}/rows?limit=500`, expect: 'not_found' }],
    [`GET ${base}/:id/export`]: () => [{ path: `${base}/${id()}/export`, expect: 'not_found' }],
    // Live reference data: row writes on A's table (its own external ids) are a 404, whatever the id's form.
    ...(kind === 'reference'
      ? {
          [`POST ${base}/:id/rows`]: () => [
            { path: `${base}/${id()}/rows`, json: [{ vid: 'V1', name: 'stolen' }], expect: 'not_found' as const },
            { path: `${base}/${gid()}/rows`, json: [{ vid: 'V9', name: 'planted' }], expect: 'not_found' as const },
          ],
          [`PATCH ${base}/:id/rows/:external_id`]: () => [
            { path: `${base}/${id()}/rows/V1`, json: { name: 'stolen' }, expect: 'not_found' as const },
          ],
          [`DELETE ${base}/:id/rows/:external_id`]: () => [{ path: `${base}/${id()}/rows/V1`, expect: 'not_found' as const }],
        }
      : {}),
  };
}

const restMatrix: Record<string, () => RestCase[]> = {
  'GET /healthz': () => [{ path: '/healthz', expect: 'ok' }],
  'GET /readyz': () => [{ path: '/readyz', expect: 'ok' }],
  // Prometheus metrics: the admin token, not a workspace key.
  'GET /metrics': () => [{ path: '/metrics', expect: 'unauthorized' }],
  // The OpenAPI document: public, the same for everyone.
  'GET /v1/openapi.json': () => [{ path: '/v1/openapi.json', expect: 'ok' }],
  // The list of every workspace: the admin token only, never a workspace key.
  'GET /v1/admin/workspaces': () => [{ path: '/v1/admin/workspaces', expect: 'unauthorized' }],
  'POST /v1/admin/workspaces': () => [{ path: '/v1/admin/workspaces', json: { name: 'evil' }, expect: 'unauthorized' }],
  'POST /v1/admin/workspaces/:id/api-keys': () => [
    { path: `/v1/admin/workspaces/${A.workspaceId}/api-keys`, json: {}, expect: 'unauthorized' },
  ],
  'PUT /v1/admin/workspaces/:id/api-keys/:prefix/rate-limit': () => [
    {
      path: `/v1/admin/workspaces/${A.workspaceId}/api-keys/${a.key.slice(0, 12)}/rate-limit`,
      json: { rate_limit_per_minute: 1 },
      expect: 'unauthorized',
    },
  ],
  'GET /v1/admin/workspaces/:id/api-keys': () => [{ path: `/v1/admin/workspaces/${A.workspaceId}/api-keys`, expect: 'unauthorized' }],
  // B's key may not revoke A's key (and A's key is still valid afterwards: the rest of the matrix uses it).
  'DELETE /v1/admin/workspaces/:id/api-keys/:prefix': () => [
    { path: `/v1/admin/workspaces/${A.workspaceId}/api-keys/${a.key.slice(0, 9)}`, expect: 'unauthorized' },
  ],
  ...datasetCases('reference', '/v1/reference-data'),
  ...datasetCases('reference', '/v1/matching/reference-data'),
  ...datasetCases('source', '/v1/source-data'),
  ...datasetCases('source', '/v1/matching/source-data'),
  'GET /v1/matching/configs': () => [{ path: '/v1/matching/configs?limit=100', expect: 'ok' }],
  'POST /v1/matching/configs': () => [
    // A's datasets in B's config: not found (as a 404 or a 400 on the field, never a config over A's data).
    { path: '/v1/matching/configs', json: { ...configJson(), reference_data_id: A.referenceId }, expect: 'not_found' },
    { path: '/v1/matching/configs', json: { ...configJson(), source_data_id: A.sourceId }, expect: 'not_found' },
    { path: '/v1/matching/configs', json: { ...configJson(), reference_data_id: A.globalIds.reference }, expect: 'not_found' },
  ],
  'GET /v1/matching/configs/:id': () => [
    { path: `/v1/matching/configs/${A.configId}`, expect: 'not_found' },
    { path: `/v1/matching/configs/${A.globalIds.config}`, expect: 'not_found' },
  ],
  'PUT /v1/matching/configs/:id': () => [
    { path: `/v1/matching/configs/${A.configId}`, json: configJson(), expect: 'not_found' },
    // B's own config pointed at A's source data.
    { path: `/v1/matching/configs/${B.configId}`, json: { ...configJson(), source_data_id: A.sourceId }, expect: 'not_found' },
  ],
  'PATCH /v1/matching/configs/:id': () => [
    { path: `/v1/matching/configs/${A.configId}`, json: { name: 'renamed' }, expect: 'not_found' },
    { path: `/v1/matching/configs/${B.configId}`, json: { source_data_id: A.sourceId }, expect: 'not_found' },
  ],
  'DELETE /v1/matching/configs/:id': () => [{ path: `/v1/matching/configs/${A.configId}`, expect: 'not_found' }],
  'POST /v1/matching/configs/:id/run': () => [
    { path: `/v1/matching/configs/${A.configId}/run`, json: {}, expect: 'not_found' },
    { path: `/v1/matching/configs/${B.configId}/run`, json: { source_data_id: A.sourceId }, expect: 'not_found' },
  ],
  'POST /v1/matching/configs/:id/match': () => [
    { path: `/v1/matching/configs/${A.configId}/match`, json: { records: [{ name: 'x' }] }, expect: 'not_found' },
    {
      path: `/v1/matching/configs/${B.configId}/match`,
      json: { records: [{ name: 'x' }], strategy_id: A.strategyId },
      expect: 'not_found',
    },
  ],
  'POST /v1/matching/configs/:id/smart-run': () => [
    { path: `/v1/matching/configs/${A.configId}/smart-run`, json: { strategy_id: A.strategyId }, expect: 'not_found' },
    { path: `/v1/matching/configs/${B.configId}/smart-run`, json: { strategy_id: A.strategyId }, expect: 'not_found' },
  ],
  'POST /v1/matching/strategies/generate': () => [
    { path: '/v1/matching/strategies/generate', json: { reference_data_id: A.referenceId }, expect: 'not_found' },
    { path: '/v1/matching/strategies/generate', json: { matching_config_id: A.configId }, expect: 'not_found' },
    {
      path: '/v1/matching/strategies/generate',
      json: { reference_data_id: B.referenceId, source_data_id: A.sourceId },
      expect: 'not_found',
    },
  ],
  'GET /v1/matching/strategies': () => [
    { path: '/v1/matching/strategies?limit=100', expect: 'ok' },
    { path: `/v1/matching/strategies?config_id=${A.configId}`, expect: 'ok' },
  ],
  'GET /v1/matching/strategies/:id': () => [{ path: `/v1/matching/strategies/${A.strategyId}`, expect: 'not_found' }],
  'PATCH /v1/matching/strategies/:id': () => [
    { path: `/v1/matching/strategies/${A.strategyId}`, json: { name: 'stolen' }, expect: 'not_found' },
    { path: `/v1/matching/strategies/${A.strategyId}`, json: { learn_from_reviews: true }, expect: 'not_found' },
  ],
  'POST /v1/matching/runs/:id/ai-resolve': () => [{ path: `/v1/matching/runs/${A.runId}/ai-resolve`, expect: 'not_found' }],
  'GET /v1/matching/runs': () => [
    { path: '/v1/matching/runs?limit=100', expect: 'ok' },
    // A's config as a filter: nothing of A's (an empty list or a 404).
    { path: `/v1/matching/runs?config_id=${A.configId}`, expect: 'ok' },
  ],
  'GET /v1/matching/runs/:id': () => [
    { path: `/v1/matching/runs/${A.runId}`, expect: 'not_found' },
    { path: `/v1/matching/runs/${A.globalIds.run}`, expect: 'not_found' },
  ],
  'GET /v1/matching/runs/:id/progress': () => [{ path: `/v1/matching/runs/${A.runId}/progress`, expect: 'not_found' }],
  'POST /v1/matching/runs/:id/cancel': () => [{ path: `/v1/matching/runs/${A.runId}/cancel`, expect: 'not_found' }],
  'GET /v1/matching/runs/:id/results': () => [
    { path: `/v1/matching/runs/${A.runId}/results?limit=500`, expect: 'not_found' },
    { path: `/v1/matching/runs/${A.runId}/results?format=csv`, expect: 'not_found' },
  ],
  'POST /v1/matching/runs/:run_id/results/:result_id/review': () => [
    { path: `/v1/matching/runs/${A.runId}/results/${A.resultId}/review`, json: { status: 'approved', notes: 'b' }, expect: 'not_found' },
  ],
  // The reconciliation service of A's config: B's key in the header (here) or a read-only one in the URL
  // (reconciliation.test.ts) finds nothing.
  'GET /v1/reconcile/:config_id': () => [
    { path: `/v1/reconcile/${A.configId}`, expect: 'not_found' },
    {
      path: `/v1/reconcile/${A.configId}?queries=${encodeURIComponent(JSON.stringify({ q0: { query: A_NAMES[3] } }))}`,
      expect: 'not_found',
    },
    {
      path: `/v1/reconcile/${A.configId}?extend=${encodeURIComponent(JSON.stringify({ ids: ['V1'], properties: [{ id: 'name' }] }))}`,
      expect: 'not_found',
    },
  ],
  'POST /v1/reconcile/:config_id': () => [
    {
      path: `/v1/reconcile/${A.configId}`,
      form: () => reconcileForm({ queries: JSON.stringify({ q0: { query: A_NAMES[3] } }) }),
      expect: 'not_found',
    },
    {
      path: `/v1/reconcile/${A.configId}`,
      form: () => reconcileForm({ extend: JSON.stringify({ ids: ['V1'], properties: [{ id: 'name' }] }) }),
      expect: 'not_found',
    },
  ],
  'GET /v1/reconcile/:config_id/preview': () => [{ path: `/v1/reconcile/${A.configId}/preview?id=V1`, expect: 'not_found' }],
  'GET /v1/reconcile/:config_id/suggest/entity': () => [
    { path: `/v1/reconcile/${A.configId}/suggest/entity?prefix=${SECRET.slice(0, 4)}`, expect: 'not_found' },
  ],
  'GET /v1/reconcile/:config_id/suggest/property': () => [
    { path: `/v1/reconcile/${A.configId}/suggest/property?prefix=a`, expect: 'not_found' },
  ],
  'GET /v1/reconcile/:config_id/propose_properties': () => [
    { path: `/v1/reconcile/${A.configId}/propose_properties`, expect: 'not_found' },
  ],
  'POST /v1/webhooks': () => [{ path: '/v1/webhooks', json: { url: 'https://example.com/b' }, expect: 'ok' }],
  'GET /v1/webhooks': () => [{ path: '/v1/webhooks?limit=100', expect: 'ok' }],
  'GET /v1/webhooks/:id': () => [
    { path: `/v1/webhooks/${A.webhookId}`, expect: 'not_found' },
    { path: `/v1/webhooks/${A.globalIds.webhook}`, expect: 'not_found' },
  ],
  'PATCH /v1/webhooks/:id': () => [
    { path: `/v1/webhooks/${A.webhookId}`, json: { url: 'https://example.com/b', active: false }, expect: 'not_found' },
  ],
  'DELETE /v1/webhooks/:id': () => [{ path: `/v1/webhooks/${A.webhookId}`, expect: 'not_found' }],
  'POST /v1/webhooks/:id/test': () => [{ path: `/v1/webhooks/${A.webhookId}/test`, expect: 'not_found' }],
  'GET /v1/webhooks/:id/deliveries': () => [{ path: `/v1/webhooks/${A.webhookId}/deliveries?limit=100`, expect: 'not_found' }],
};

async function send(method: string, testCase: RestCase): Promise<JsonResponse> {
  if (testCase.form) return request(server.url, method, testCase.path, { key: b.key, body: testCase.form() });
  return request(server.url, method, testCase.path, { key: b.key, json: testCase.json });
}

describe('workspace isolation: REST', { timeout: 120_000 }, () => {
  it('every route of the router has a matrix entry', () => {
    const routes = buildRouter(server.app)
      .list()
      .map((route) => `${route.method} ${route.pattern}`);
    expect(routes.length).toBeGreaterThan(10);
    const missing = routes.filter((route) => !(route in restMatrix));
    expect(missing, `routes without an isolation case: ${missing.join(', ')}`).toEqual([]);
  });

  it("B's key on every route with A's ids: 404 not_found, lists without A's items, no id or name of A in any body", async () => {
    const failures: string[] = [];
    for (const route of buildRouter(server.app).list()) {
      const key = `${route.method} ${route.pattern}`;
      const cases = restMatrix[key]?.() ?? [];
      for (const testCase of cases) {
        const response = await send(route.method, testCase);
        const label = `${key} (${testCase.path})`;
        try {
          expectNoLeak(label, response.body);
          expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBeLessThan(500);
          if (testCase.expect === 'not_found') {
            // A foreign id inside a body may be reported on its field (400 validation_error); an id in the path is a 404.
            if (
              response.status === 400 &&
              testCase.json !== undefined &&
              !testCase.path.includes(A.configId) &&
              !testCase.path.includes(A.runId) &&
              !testCase.path.includes(A.webhookId)
            ) {
              expectErrorShape(response.body, 'validation_error');
            } else {
              expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBe(404);
              expectErrorShape(response.body, 'not_found');
            }
          } else if (testCase.expect === 'unauthorized') {
            expect(response.status, label).toBe(401);
            expectErrorShape(response.body, 'unauthorized');
          } else {
            expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
          }
        } catch (error) {
          failures.push((error as Error).message.split('\n')[0]!);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("A's objects are untouched after B's deletes, cancels, reviews and edits", async () => {
    for (const path of [
      `/v1/reference-data/${A.referenceId}`,
      `/v1/source-data/${A.sourceId}`,
      `/v1/matching/configs/${A.configId}`,
      `/v1/matching/runs/${A.runId}`,
      `/v1/webhooks/${A.webhookId}`,
    ]) {
      const response = await request(server.url, 'GET', path, { key: a.key });
      expect(response.status, path).toBe(200);
    }
    const config = await request(server.url, 'GET', `/v1/matching/configs/${A.configId}`, { key: a.key });
    expect(config.body.name).toBe(A_NAMES[2]);
    // No row write of B reached A's reference data.
    const reference = await request(server.url, 'GET', `/v1/reference-data/${A.referenceId}`, { key: a.key });
    expect(reference.body).toMatchObject({ version: 1, row_count: 2 });
    const rows = await request(server.url, 'GET', `/v1/reference-data/${A.referenceId}/rows`, { key: a.key });
    expect(rows.body.data.map((row: any) => row.values)).toEqual([
      { vid: 'V1', name: A_NAMES[3] },
      { vid: 'V2', name: 'Globex' },
    ]);
    const run = await request(server.url, 'GET', `/v1/matching/runs/${A.runId}`, { key: a.key });
    expect(run.body.status).toBe('completed');
    const result = run.body.results.find((item: any) => item.id === A.resultId);
    expect(result.reviewed_at).toBeNull();
    const runs = await request(server.url, 'GET', `/v1/matching/runs?config_id=${A.configId}`, { key: a.key });
    expect(runs.body.data.map((item: any) => item.id)).toEqual([A.runId]);
    const webhook = await request(server.url, 'GET', `/v1/webhooks/${A.webhookId}`, { key: a.key });
    expect(webhook.body).toMatchObject({ active: true, url: `http://127.0.0.1:9/${SECRET}-hook` });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// GraphQL matrix

const schemaSdl = readFileSync(path.join(projectRoot, 'schema/schema.graphql'), 'utf8');
const sdl = buildSchema(schemaSdl);

const ERROR = '__typename ... on Error { code message }';
type GqlExpect = 'not_found' | 'ok';
interface GqlCase {
  query: string;
  variables: () => Record<string, unknown>;
  expect: GqlExpect;
  /** The field's value (under data) for not_found cases: a typed error result with code not_found. */
  field: string;
}

const matchingInput = (overrides: Record<string, unknown> = {}) => ({
  name: 'b-gql-config',
  referenceDataId: B.referenceId,
  sourceDataId: B.sourceId,
  fieldMappings: [{ source: 'vendor', target: 'name', strategy: 'EXACT', weight: 1 }],
  ...overrides,
});

/** Each field with the ids as UUIDs and as global ids. */
function both(
  field: string,
  query: string,
  variables: (ids: 'uuid' | 'global') => Record<string, unknown>,
  expectation: GqlExpect = 'not_found',
): GqlCase[] {
  return (['uuid', 'global'] as const).map((form) => ({ field, query, variables: () => variables(form), expect: expectation }));
}
const pick = (form: 'uuid' | 'global', uuid: string, global: string) => (form === 'uuid' ? uuid : global);

const queryMatrix: Record<string, () => GqlCase[]> = {
  dataset: () => [
    ...both('dataset', `query($id: ID!) { dataset(id: $id) { ${ERROR} } }`, (f) => ({ id: pick(f, A.referenceId, A.globalIds.reference) })),
    ...both('dataset', `query($id: ID!) { dataset(id: $id) { ${ERROR} } }`, (f) => ({ id: pick(f, A.sourceId, A.globalIds.source) })),
  ],
  datasets: () => [
    {
      field: 'datasets',
      query: `{ datasets(kind: REFERENCE, first: 100) { edges { node { id databaseId name } } } }`,
      variables: () => ({}),
      expect: 'ok',
    },
    {
      field: 'datasets',
      query: `{ datasets(kind: SOURCE, first: 100) { edges { node { id databaseId name } } } }`,
      variables: () => ({}),
      expect: 'ok',
    },
  ],
  matchingConfig: () =>
    both('matchingConfig', `query($id: ID!) { matchingConfig(id: $id) { ${ERROR} } }`, (f) => ({
      id: pick(f, A.configId, A.globalIds.config),
    })),
  matchingConfigs: () => [
    {
      field: 'matchingConfigs',
      query: `{ matchingConfigs(first: 100) { edges { node { id databaseId name } } } }`,
      variables: () => ({}),
      expect: 'ok',
    },
  ],
  matchRecords: () => [
    ...both('matchRecords', `query($c: ID!) { matchRecords(configId: $c, records: [{ name: "x" }]) { ${ERROR} } }`, (f) => ({
      c: pick(f, A.configId, A.globalIds.config),
    })),
    {
      field: 'matchRecords',
      query: `query($c: ID!, $s: ID!) { matchRecords(configId: $c, records: [{ name: "x" }], strategyId: $s) { ${ERROR} } }`,
      variables: () => ({ c: B.configId, s: A.strategyId }),
      expect: 'not_found',
    },
  ],
  run: () => both('run', `query($id: ID!) { run(id: $id) { ${ERROR} } }`, (f) => ({ id: pick(f, A.runId, A.globalIds.run) })),
  runResult: () => [
    ...both('runResult', `query($run: ID!, $res: ID!) { runResult(runId: $run, resultId: $res) { ${ERROR} } }`, (f) => ({
      run: pick(f, A.runId, A.globalIds.run),
      res: pick(f, A.resultId, A.globalIds.result),
    })),
  ],
  runs: () => [
    { field: 'runs', query: `{ runs(first: 100) { edges { node { id databaseId } } } }`, variables: () => ({}), expect: 'ok' },
    // A's config as a filter: an empty list or a not_found error, never A's runs.
    ...both(
      'runs',
      `query($c: ID) { runs(first: 100, configId: $c) { edges { node { id databaseId } } } }`,
      (f) => ({ c: pick(f, A.configId, A.globalIds.config) }),
      'ok',
    ),
  ],
  strategy: () =>
    both('strategy', `query($id: ID!) { strategy(id: $id) { ${ERROR} } }`, (f) => ({ id: pick(f, A.strategyId, A.globalIds.strategy) })),
  // Relay: every one of A's global ids is null to B (expect 'ok': no id or name of A anywhere in the answer).
  node: () =>
    Object.values(A.globalIds).map((id) => ({
      field: 'node',
      query: `query($id: ID!) { node(id: $id) { __typename id } }`,
      variables: () => ({ id }),
      expect: 'ok' as const,
    })),
  nodes: () => [
    {
      field: 'nodes',
      query: `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`,
      variables: () => ({ ids: Object.values(A.globalIds) }),
      expect: 'ok',
    },
  ],
  strategies: () => [
    { field: 'strategies', query: `{ strategies(first: 100) { edges { node { id name } } } }`, variables: () => ({}), expect: 'ok' },
    ...both(
      'strategies',
      `query($c: ID) { strategies(first: 100, configId: $c) { edges { node { id name } } } }`,
      (f) => ({ c: pick(f, A.configId, A.globalIds.config) }),
      'ok',
    ),
  ],
  webhook: () =>
    both('webhook', `query($id: ID!) { webhook(id: $id) { ${ERROR} } }`, (f) => ({ id: pick(f, A.webhookId, A.globalIds.webhook) })),
  webhooks: () => [
    {
      field: 'webhooks',
      query: `{ webhooks(first: 20) { edges { node { id databaseId url deliveries(first: 20) { edges { node { databaseId runId payload } } } } } } }`,
      variables: () => ({}),
      expect: 'ok',
    },
  ],
  viewer: () => [{ field: 'viewer', query: `{ viewer { scopes workspace { databaseId name } } }`, variables: () => ({}), expect: 'ok' }],
};

const mutationMatrix: Record<string, () => GqlCase[]> = {
  aiResolveRun: () =>
    both('aiResolveRun', `mutation($id: ID!) { aiResolveRun(id: $id) { ${ERROR} } }`, (f) => ({ id: pick(f, A.runId, A.globalIds.run) })),
  generateStrategy: () => [
    ...both('generateStrategy', `mutation($r: ID) { generateStrategy(input: { referenceDataId: $r }) { ${ERROR} } }`, (f) => ({
      r: pick(f, A.referenceId, A.globalIds.reference),
    })),
    ...both('generateStrategy', `mutation($c: ID) { generateStrategy(input: { matchingConfigId: $c }) { ${ERROR} } }`, (f) => ({
      c: pick(f, A.configId, A.globalIds.config),
    })),
  ],
  updateStrategy: () =>
    both('updateStrategy', `mutation($id: ID!) { updateStrategy(id: $id, input: { name: "stolen" }) { ${ERROR} } }`, (f) => ({
      id: pick(f, A.strategyId, A.globalIds.strategy),
    })),
  cancelRun: () =>
    both('cancelRun', `mutation($id: ID!) { cancelRun(id: $id) { ${ERROR} } }`, (f) => ({ id: pick(f, A.runId, A.globalIds.run) })),
  createDataset: () => [
    {
      field: 'createDataset',
      query: `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { ${ERROR} ... on MutationCreateDatasetSuccess { data { databaseId name } } } }`,
      variables: () => ({ input: { kind: 'REFERENCE', name: 'b-gql-dataset', data: [{ x: 1 }] } }),
      expect: 'ok',
    },
  ],
  createWebhook: () => [
    {
      field: 'createWebhook',
      query: `mutation { createWebhook(input: { url: "https://example.com/b-gql" }) { ${ERROR} ... on MutationCreateWebhookSuccess { data { webhook { databaseId } } } } }`,
      variables: () => ({}),
      expect: 'ok',
    },
  ],
  deleteWebhook: () =>
    both('deleteWebhook', `mutation($id: ID!) { deleteWebhook(id: $id) { ${ERROR} } }`, (f) => ({
      id: pick(f, A.webhookId, A.globalIds.webhook),
    })),
  testWebhook: () =>
    both('testWebhook', `mutation($id: ID!) { testWebhook(id: $id) { ${ERROR} } }`, (f) => ({
      id: pick(f, A.webhookId, A.globalIds.webhook),
    })),
  updateWebhook: () =>
    both('updateWebhook', `mutation($id: ID!) { updateWebhook(id: $id, input: { active: false }) { ${ERROR} } }`, (f) => ({
      id: pick(f, A.webhookId, A.globalIds.webhook),
    })),
  createMatchingConfig: () => [
    ...both('createMatchingConfig', `mutation($input: MatchingConfigInput!) { createMatchingConfig(input: $input) { ${ERROR} } }`, (f) => ({
      input: matchingInput({ referenceDataId: pick(f, A.referenceId, A.globalIds.reference) }),
    })),
    ...both('createMatchingConfig', `mutation($input: MatchingConfigInput!) { createMatchingConfig(input: $input) { ${ERROR} } }`, (f) => ({
      input: matchingInput({ sourceDataId: pick(f, A.sourceId, A.globalIds.source) }),
    })),
  ],
  upsertReferenceRows: () =>
    both(
      'upsertReferenceRows',
      `mutation($id: ID!) { upsertReferenceRows(datasetId: $id, rows: [{ vid: "V1", name: "stolen" }]) { ${ERROR} } }`,
      (f) => ({
        id: pick(f, A.referenceId, A.globalIds.reference),
      }),
    ),
  updateReferenceRow: () =>
    both(
      'updateReferenceRow',
      `mutation($id: ID!) { updateReferenceRow(datasetId: $id, externalId: "V1", values: { name: "stolen" }) { ${ERROR} } }`,
      (f) => ({
        id: pick(f, A.referenceId, A.globalIds.reference),
      }),
    ),
  deleteReferenceRow: () =>
    both('deleteReferenceRow', `mutation($id: ID!) { deleteReferenceRow(datasetId: $id, externalId: "V1") { ${ERROR} } }`, (f) => ({
      id: pick(f, A.referenceId, A.globalIds.reference),
    })),
  deleteDataset: () =>
    both('deleteDataset', `mutation($id: ID!) { deleteDataset(id: $id) { ${ERROR} } }`, (f) => ({
      id: pick(f, A.referenceId, A.globalIds.reference),
    })),
  deleteMatchingConfig: () =>
    both('deleteMatchingConfig', `mutation($id: ID!) { deleteMatchingConfig(id: $id) { ${ERROR} } }`, (f) => ({
      id: pick(f, A.configId, A.globalIds.config),
    })),
  replaceMatchingConfig: () => [
    ...both(
      'replaceMatchingConfig',
      `mutation($id: ID!, $input: MatchingConfigInput!) { replaceMatchingConfig(id: $id, input: $input) { ${ERROR} } }`,
      (f) => ({
        id: pick(f, A.configId, A.globalIds.config),
        input: matchingInput(),
      }),
    ),
    ...both(
      'replaceMatchingConfig',
      `mutation($id: ID!, $input: MatchingConfigInput!) { replaceMatchingConfig(id: $id, input: $input) { ${ERROR} } }`,
      (f) => ({
        id: B.configId,
        input: matchingInput({ sourceDataId: pick(f, A.sourceId, A.globalIds.source) }),
      }),
    ),
  ],
  reviewRunResult: () =>
    both(
      'reviewRunResult',
      `mutation($run: ID!, $res: ID!) { reviewRunResult(runId: $run, resultId: $res, status: APPROVED, notes: "b") { ${ERROR} } }`,
      (f) => ({
        run: pick(f, A.runId, A.globalIds.run),
        res: pick(f, A.resultId, A.globalIds.result),
      }),
    ),
  smartRun: () => [
    ...both('smartRun', `mutation($c: ID!, $s: ID!) { smartRun(configId: $c, strategyId: $s) { ${ERROR} } }`, (f) => ({
      c: pick(f, A.configId, A.globalIds.config),
      s: A.strategyId,
    })),
    {
      field: 'smartRun',
      query: `mutation($c: ID!, $s: ID!) { smartRun(configId: $c, strategyId: $s) { ${ERROR} } }`,
      variables: () => ({ c: B.configId, s: A.strategyId }),
      expect: 'not_found',
    },
  ],
  startRun: () => [
    ...both('startRun', `mutation($c: ID!) { startRun(configId: $c) { ${ERROR} } }`, (f) => ({
      c: pick(f, A.configId, A.globalIds.config),
    })),
    ...both('startRun', `mutation($c: ID!, $s: ID) { startRun(configId: $c, input: { sourceDataId: $s }) { ${ERROR} } }`, (f) => ({
      c: B.configId,
      s: pick(f, A.sourceId, A.globalIds.source),
    })),
  ],
  updateMatchingConfig: () => [
    ...both(
      'updateMatchingConfig',
      `mutation($id: ID!) { updateMatchingConfig(id: $id, input: { name: "renamed" }) { ${ERROR} } }`,
      (f) => ({ id: pick(f, A.configId, A.globalIds.config) }),
    ),
    ...both(
      'updateMatchingConfig',
      `mutation($id: ID!, $s: ID) { updateMatchingConfig(id: $id, input: { sourceDataId: $s }) { ${ERROR} } }`,
      (f) => ({
        id: B.configId,
        s: pick(f, A.sourceId, A.globalIds.source),
      }),
    ),
  ],
  // uploadDataset takes a file (GraphQL multipart request) and no id: B uploads its own dataset (see the test below).
  uploadDataset: () => [],
};

const subscriptionMatrix = ['runUpdated', 'runsUpdated'];

function rootFields(name: 'Query' | 'Mutation' | 'Subscription'): string[] {
  const type = sdl.getType(name) as GraphQLObjectType | undefined;
  return Object.keys(type?.getFields() ?? {}).sort();
}

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

/** The first result of a subscription, or 'timeout' when nothing came within `ms`. */
async function firstResult(client: Client, query: string, variables: Record<string, unknown>, ms: number): Promise<any> {
  const iterator = client.iterate({ query, variables });
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), ms));
  try {
    return await Promise.race([iterator.next().then((next) => next.value), timeout]);
  } catch (error) {
    return { thrown: error };
  } finally {
    void iterator.return?.();
  }
}

function errorCodes(result: any): string[] {
  const errors = result?.errors ?? (Array.isArray(result?.thrown) ? result.thrown : []);
  return errors.map((error: any) => error.extensions?.code);
}

describe('workspace isolation: GraphQL', { timeout: 120_000 }, () => {
  it('every Query, Mutation and Subscription field of the schema has a matrix entry', () => {
    expect(rootFields('Query')).toEqual(Object.keys(queryMatrix).sort());
    expect(rootFields('Mutation')).toEqual(Object.keys(mutationMatrix).sort());
    expect(rootFields('Subscription')).toEqual([...subscriptionMatrix].sort());
  });

  it("B's key on every query and mutation with A's ids: a NotFoundError result (or a not_found error), nothing of A's", async () => {
    const failures: string[] = [];
    for (const [name, cases] of [...Object.entries(queryMatrix), ...Object.entries(mutationMatrix)]) {
      for (const testCase of cases()) {
        const variables = testCase.variables();
        const response = await graphql(server.url, testCase.query, variables, b.key);
        const label = `${name} ${JSON.stringify(variables)}`;
        try {
          expectNoLeak(label, response.body);
          expect(response.status, `${label}: ${JSON.stringify(response.body)}`).toBeLessThan(500);
          const value = response.body.data?.[testCase.field];
          if (testCase.expect === 'not_found') {
            const codes = (response.body.errors ?? []).map((error) => error.extensions?.code);
            if (value?.__typename) {
              // A foreign dataset id inside an input may be reported on its field (ValidationError).
              const allowed =
                name === 'createMatchingConfig' || name === 'generateStrategy' || 'input' in variables || 's' in variables
                  ? ['NotFoundError', 'ValidationError']
                  : ['NotFoundError'];
              expect(allowed, `${label}: ${JSON.stringify(response.body)}`).toContain(value.__typename);
              if (value.__typename === 'NotFoundError') expect(value.code).toBe('not_found');
            } else {
              expect(codes, `${label}: ${JSON.stringify(response.body)}`).toContain('not_found');
            }
          } else {
            const codes = (response.body.errors ?? []).map((error) => error.extensions?.code);
            if (codes.length)
              expect(
                codes.every((code) => code === 'not_found'),
                `${label}: ${JSON.stringify(response.body)}`,
              ).toBe(true);
          }
        } catch (error) {
          failures.push((error as Error).message.split('\n')[0]!);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("uploadDataset (GraphQL multipart) by B: B's own dataset, nothing of A's", async () => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query: `mutation($file: File!) { uploadDataset(input: { kind: REFERENCE, name: "b-gql-upload", file: $file }) { ${ERROR} ... on MutationUploadDatasetSuccess { data { databaseId name } } } }`,
        variables: { file: null },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob(['name\nx\n'], { type: 'text/csv' }), 'b.csv');
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${b.key}`, 'graphql-require-preflight': '1' },
      body: form,
    });
    const text = await response.text();
    expect(response.status, text).toBeLessThan(500);
    expectNoLeak('uploadDataset', text);
  });

  it("subscriptions over graphql-ws: runUpdated(A's run) is not_found before any data; runsUpdated(A's config) gives nothing of A's", async () => {
    for (const id of [A.runId, A.globalIds.run]) {
      const result = await firstResult(
        wsClient(b.key),
        `subscription($id: ID!) { runUpdated(id: $id) { databaseId status } }`,
        { id },
        5_000,
      );
      expect(result, `runUpdated(${id})`).not.toBe('timeout');
      expectNoLeak('runUpdated', result);
      expect(result.data?.runUpdated ?? null).toBeNull();
      expect(errorCodes(result), JSON.stringify(result)).toContain('not_found');
    }

    // runsUpdated with A's config: a not_found error, or a live feed that never shows A's run changing.
    for (const configId of [A.configId, A.globalIds.config]) {
      const client = wsClient(b.key);
      const iterator = client.iterate({
        query: `subscription($c: ID) { runsUpdated(configId: $c) { databaseId status } }`,
        variables: { c: configId },
      });
      const first = iterator.next().then(
        (next) => next.value,
        (error) => ({ thrown: error }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      // A changes its runs while B listens.
      const started = await request(server.url, 'POST', `/v1/matching/configs/${A.configId}/run`, { key: a.key });
      expect(started.status).toBe(202);
      await waitForRun(server.url, a.key, started.body.id, undefined, 60_000);
      const result = await Promise.race([first, new Promise((resolve) => setTimeout(() => resolve('timeout'), 1_000))]);
      void iterator.return?.();
      if (result !== 'timeout') {
        expectNoLeak('runsUpdated', result);
        expect(JSON.stringify(result)).not.toContain(started.body.id);
        expect(errorCodes(result), JSON.stringify(result)).toContain('not_found');
      }
    }

    // The unfiltered feed of B does not show A's run changes either.
    const client = wsClient(b.key);
    const iterator = client.iterate({ query: `subscription { runsUpdated { databaseId status } }` });
    const first = iterator.next().then(
      (next) => next.value,
      (error) => ({ thrown: error }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = await request(server.url, 'POST', `/v1/matching/configs/${A.configId}/run`, { key: a.key });
    await waitForRun(server.url, a.key, started.body.id, undefined, 60_000);
    const result = await Promise.race([first, new Promise((resolve) => setTimeout(() => resolve('timeout'), 1_000))]);
    void iterator.return?.();
    expect(result).toBe('timeout');
  });
});
