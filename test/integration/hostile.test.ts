/**
 * Hostile input, property-based: every REST JSON body, path id and query parameter, and the GraphQL inputs get
 * arbitrary JSON and near-valid variants (wrong types, huge numbers, NaN-like strings, deep nesting, long strings,
 * unicode, SQL injection). The answer is always a 2xx or a 4xx in the error shape of docs/rest-api.md, never a 5xx; after a
 * 4xx nothing was created or changed.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, ADMIN_TOKEN, type TestServer, type TestWorkspace } from '../support/server';
import { expectErrorShape, graphql, request, type JsonResponse } from '../support/http';
import { hostileBody, hostileJson, hostileSegment, hostileString, nearValid, SQL_INJECTIONS } from '../support/arbitraries';
import { startWorker } from '../../src/worker';
import { createStrategy } from '../../src/modules/strategies/service';
import { createContext } from '../../src/context';
import { waitForRun } from './runs-fixture';

let server: TestServer;
let ws: TestWorkspace;
const ids = { referenceId: '', sourceId: '', configId: '', runId: '', resultId: '', strategyId: '', prefix: '' };
/** Bounded and seeded so that the file is quick and deterministic; HOSTILE_RUNS=200 HOSTILE_SEED=… to explore. */
const RUNS = Number(process.env.HOSTILE_RUNS ?? 25);
const SEED = Number(process.env.HOSTILE_SEED ?? 20261128);

beforeAll(async () => {
  server = await startTestServer({ RUN_WORKER: false });
  ws = await server.newWorkspace('hostile');
  const reference = await request(server.url, 'POST', '/v1/reference-data', {
    key: ws.key,
    json: {
      name: 'ref',
      id_column: 'vid',
      data: [
        { vid: 'V1', name: 'Acme', amount: 10, day: '2024-01-01' },
        { vid: 'V2', name: 'Globex', amount: 20, day: '2024-02-01' },
      ],
    },
  });
  ids.referenceId = reference.body.id;
  const source = await request(server.url, 'POST', '/v1/source-data', {
    key: ws.key,
    json: { name: 'src', id_column: 'doc', data: [{ doc: 'D1', vendor: 'Acme', amount: 10, day: '2024-01-01' }] },
  });
  ids.sourceId = source.body.id;
  const config = await request(server.url, 'POST', '/v1/matching/configs', { key: ws.key, json: validConfig() });
  expect(config.status, JSON.stringify(config.body)).toBe(201);
  ids.configId = config.body.id;
  // One completed run with a result (for review), then no worker: runs started by the properties stay queued.
  const worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
  const run = await request(server.url, 'POST', `/v1/matching/configs/${ids.configId}/run`, { key: ws.key });
  const done = await waitForRun(server.url, ws.key, run.body.id, undefined, 60_000);
  await worker.stop();
  ids.runId = done.id;
  ids.resultId = done.results[0].id;
  const context = await createContext(server.app, { authorization: `Bearer ${ws.key}` });
  ids.strategyId = (
    await createStrategy(context, {
      matchingConfigId: ids.configId,
      plan: { fieldMappings: validConfig().field_mappings as never, threshold: 0.5 },
      version: 1,
    })
  ).id;
  ids.prefix = ws.key.slice(0, 12);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

function validConfig() {
  return {
    name: 'hostile config',
    reference_data_id: ids.referenceId,
    source_data_id: ids.sourceId,
    field_mappings: [
      { source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 0.5, options: { algorithm: 'jaro_winkler' } },
      { source: 'amount', target: 'amount', strategy: 'numeric_range', weight: 0.3, options: { tolerance: 1 } },
      { source: 'day', target: 'day', strategy: 'date_range', weight: 0.2, options: { tolerance_days: 3 } },
    ],
    threshold: 0.8,
    review_band: { low: 0.5, high: 0.8 },
    blocking: { strategy: 'parallel', keys: [{ parts: [{ source: 'vendor', target: 'name', transform: 'prefix', length: 2 }] }] },
    one_to_one: false,
    schedule: null,
  };
}

/** Rows whose number must not change when a request is refused. */
async function counts(): Promise<Record<string, number>> {
  const [row] = await server.app.sql`
    select
      (select count(*) from workspaces)::int as workspaces,
      (select count(*) from api_keys)::int as api_keys,
      (select count(*) from datasets)::int as datasets,
      (select count(*) from dataset_rows)::int as dataset_rows,
      (select coalesce(sum(version), 0) from datasets)::int as dataset_versions,
      (select count(*) from reference_row_changes)::int as row_changes,
      (select coalesce(sum(length("values"::text)), 0) from dataset_rows)::int as row_values,
      (select count(*) from matching_configs)::int as configs,
      (select count(*) from runs)::int as runs,
      (select count(*) from run_documents)::int as run_documents,
      (select count(*) from run_results where reviewed_at is not null)::int as reviewed,
      (select coalesce(sum(length(name)), 0) from matching_configs)::int as config_names`;
  return row as Record<string, number>;
}

const failures: string[] = [];

/** Asserts: no 5xx; a 4xx has the documented error shape; after a 4xx the counts are unchanged. */
async function check(label: string, send: () => Promise<JsonResponse>): Promise<JsonResponse> {
  const before = await counts();
  const slow = setTimeout(() => console.log(`SLOW ${label.slice(0, 1500)}`), 5_000);
  const response = await send().finally(() => clearTimeout(slow));
  const brief = JSON.stringify(response.body)?.slice(0, 300);
  if (response.status >= 500) {
    failures.push(`${label} → ${response.status} ${brief}`);
    throw new Error(`${label} → ${response.status} ${brief}`);
  }
  if (response.status >= 400) {
    try {
      expectErrorShape(response.body, response.body?.code);
    } catch (error) {
      throw new Error(`${label} → ${response.status} not in the error shape: ${(error as Error).message}`);
    }
    const after = await counts();
    expect(after, `${label} → ${response.status} ${brief}: state changed`).toEqual(before);
  }
  return response;
}

const shortLabel = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} chars)` : text;
};

const jsonRoutes: Array<{ method: string; name: string; path: () => string; valid: () => unknown; admin?: boolean }> = [
  { method: 'POST', name: 'configs', path: () => '/v1/matching/configs', valid: validConfig },
  { method: 'PUT', name: 'configs/:id', path: () => `/v1/matching/configs/${ids.configId}`, valid: validConfig },
  {
    method: 'PATCH',
    name: 'configs/:id',
    path: () => `/v1/matching/configs/${ids.configId}`,
    valid: () => ({ name: 'patched', threshold: 0.7, field_mappings: validConfig().field_mappings }),
  },
  {
    method: 'POST',
    name: 'reference-data',
    path: () => '/v1/reference-data',
    valid: () => ({
      name: 'r',
      id_column: 'id',
      trim: true,
      data: [
        { id: 'a', name: 'x' },
        { id: 'b', name: 'y' },
      ],
    }),
  },
  {
    method: 'POST',
    name: 'source-data',
    path: () => '/v1/source-data',
    valid: () => ({ name: 's', id_column: 'id', filename_column: 'f', data: [{ id: 'a', f: 'a.pdf', name: 'x' }] }),
  },
  {
    method: 'POST',
    name: 'reference-data/:id/rows',
    path: () => `/v1/reference-data/${ids.referenceId}/rows`,
    valid: () => [
      { vid: 'V3', name: 'Initech', amount: 30, day: '2024-03-01' },
      { vid: 'V1', name: 'Acme', amount: 10, day: '2024-01-01' },
    ],
  },
  {
    method: 'PATCH',
    name: 'reference-data/:id/rows/:external_id',
    path: () => `/v1/reference-data/${ids.referenceId}/rows/V2`,
    valid: () => ({ name: 'Globex', amount: 20 }),
  },
  {
    method: 'POST',
    name: 'configs/:id/run (source_data_id)',
    path: () => `/v1/matching/configs/${ids.configId}/run`,
    valid: () => ({ source_data_id: ids.sourceId }),
  },
  {
    method: 'POST',
    name: 'configs/:id/run (documents)',
    path: () => `/v1/matching/configs/${ids.configId}/run`,
    valid: () => ({
      documents: [{ document_id: 'd1', document_filename: 'a.pdf', values: { vendor: 'Acme', amount: 10, day: '2024-01-01' } }],
    }),
  },
  {
    method: 'POST',
    name: 'configs/:id/smart-run',
    path: () => `/v1/matching/configs/${ids.configId}/smart-run`,
    valid: () => ({ strategy_id: ids.strategyId }),
  },
  {
    method: 'POST',
    name: 'configs/:id/match',
    path: () => `/v1/matching/configs/${ids.configId}/match`,
    valid: () => ({ records: [{ vendor: 'Acme', amount: 10, day: '2024-01-01' }] }),
  },
  {
    method: 'POST',
    name: 'runs/:id/results/:id/review',
    path: () => `/v1/matching/runs/${ids.runId}/results/${ids.resultId}/review`,
    valid: () => ({ status: 'approved', notes: 'ok' }),
  },
  { method: 'POST', name: 'admin/workspaces', path: () => '/v1/admin/workspaces', valid: () => ({ name: 'w' }), admin: true },
  {
    method: 'POST',
    name: 'admin/workspaces/:id/api-keys',
    path: () => `/v1/admin/workspaces/${ws.id}/api-keys`,
    valid: () => ({ scopes: ['read'] }),
    admin: true,
  },
  {
    method: 'PUT',
    name: 'admin/…/rate-limit',
    path: () => `/v1/admin/workspaces/${ws.id}/api-keys/${ids.prefix}/rate-limit`,
    valid: () => ({ rate_limit_per_minute: 100000 }),
    admin: true,
  },
];

describe('hostile input: REST', { timeout: 300_000 }, () => {
  for (const route of jsonRoutes) {
    it(`${route.method} ${route.name}: arbitrary and near-valid JSON bodies`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileBody(route.valid()), async (body) => {
          await check(`${route.method} ${route.path()} ${shortLabel(body)}`, () =>
            request(server.url, route.method, route.path(), { key: route.admin ? ADMIN_TOKEN : ws.key, json: body }),
          );
        }),
        { numRuns: RUNS, endOnFailure: true, seed: SEED },
      );
    });
  }

  it('a NUL character or a lone surrogate in any stored value is a 400 and leaves nothing behind', async () => {
    const nul = 'a\u0000b';
    const config = validConfig();
    const cases: Array<[string, string, unknown, string?]> = [
      ['POST', '/v1/reference-data', { name: nul, data: [{ name: 'x' }] }],
      ['POST', '/v1/reference-data', { name: 'n', id_column: nul, data: [{ name: 'x' }] }],
      ['POST', '/v1/reference-data', { name: 'n', data: [{ name: nul }] }],
      ['POST', '/v1/source-data', { name: 'n', filename_column: nul, data: [{ name: 'x' }] }],
      ['POST', '/v1/matching/configs', { ...config, name: nul }],
      ['PUT', `/v1/matching/configs/${ids.configId}`, { ...config, name: nul }],
      ['PATCH', `/v1/matching/configs/${ids.configId}`, { name: nul }],
      ['POST', `/v1/matching/configs/${ids.configId}/run`, { documents: [{ document_id: nul, values: { vendor: 'a' } }] }],
      [
        'POST',
        `/v1/matching/configs/${ids.configId}/run`,
        { documents: [{ document_id: 'd', document_filename: nul, values: { vendor: nul } }] },
      ],
      [
        'POST',
        `/v1/matching/configs/${ids.configId}/run`,
        {
          documents: [
            { document_id: 'd1', values: { vendor: 'a' } },
            { document_id: 'd2', values: { [nul]: 'a' } },
          ],
        },
      ],
      ['POST', `/v1/matching/runs/${ids.runId}/results/${ids.resultId}/review`, { status: 'approved', notes: nul }],
      ['POST', '/v1/admin/workspaces', { name: nul }, ADMIN_TOKEN],
      ['POST', `/v1/reference-data/${ids.referenceId}/rows`, [{ vid: 'V1', name: nul }]],
      ['POST', `/v1/reference-data/${ids.referenceId}/rows`, [{ vid: nul, name: 'x' }]],
      ['POST', `/v1/reference-data/${ids.referenceId}/rows`, [{ vid: 'V1', name: '\ud83d' }]],
      ['PATCH', `/v1/reference-data/${ids.referenceId}/rows/V1`, { name: nul }],
      ['PATCH', `/v1/reference-data/${ids.referenceId}/rows/V1`, { name: '\udc69' }],
      // A lone UTF-16 surrogate: jsonb refuses it (the dataset import used to hang, the run start to answer 500).
      ['POST', '/v1/reference-data', { name: 'n', data: [{ name: '\ud83d' }] }],
      ['POST', '/v1/source-data', { name: 'n', data: [{ name: 'x', ['\udc69']: 'y' }] }],
      ['POST', `/v1/matching/configs/${ids.configId}/run`, { documents: [{ document_id: 'd', values: { vendor: '\ud83d' } }] }],
    ];
    for (const [method, path, json, key] of cases) {
      const response = await check(`${method} ${path} ${shortLabel(json)}`, () =>
        request(server.url, method, path, { key: key ?? ws.key, json }),
      );
      expect(response.status, `${method} ${path} ${shortLabel(json)}`).toBe(400);
    }
    for (const input of [
      { kind: 'REFERENCE', name: nul, data: [{ x: 1 }] },
      { kind: 'REFERENCE', name: 'n', idColumn: nul, data: [{ x: 1 }] },
    ]) {
      await checkGraphQL(
        `createDataset ${shortLabel(input)}`,
        `mutation($i: CreateDatasetInput!) { createDataset(input: $i) { __typename } }`,
        { i: input },
      );
    }
    await checkGraphQL(
      'reviewRunResult notes NUL',
      `mutation($r: ID!, $res: ID!) { reviewRunResult(runId: $r, resultId: $res, status: APPROVED, notes: "${'a\\u0000b'}") { __typename } }`,
      {
        r: ids.runId,
        res: ids.resultId,
      },
    );
  });

  it('non-JSON bodies on JSON routes (truncated, wrong content type, bare values, duplicate keys)', async () => {
    const bodies = [
      '{',
      '{"name":',
      '[',
      'nul',
      '"\\ud800"',
      '1e999999',
      '{"a":1,"a":2}',
      '\u0000',
      '{"name":"\u0000"}',
      'x'.repeat(5000),
      '[[[[[[[[[[[[[[['.repeat(1000),
    ];
    for (const route of jsonRoutes) {
      for (const body of bodies) {
        for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
          await check(`${route.method} ${route.path()} ${type} ${shortLabel(body)}`, () =>
            request(server.url, route.method, route.path(), {
              key: route.admin ? ADMIN_TOKEN : ws.key,
              body,
              headers: { 'content-type': type },
            }),
          );
        }
      }
    }
  });

  const idRoutes: Array<{ method: string; path: (segment: string) => string }> = [
    ...['/v1/reference-data', '/v1/source-data', '/v1/matching/reference-data', '/v1/matching/source-data'].flatMap((base) => [
      { method: 'GET', path: (id: string) => `${base}/${id}` },
      { method: 'DELETE', path: (id: string) => `${base}/${id}` },
      { method: 'GET', path: (id: string) => `${base}/${id}/rows` },
      { method: 'GET', path: (id: string) => `${base}/${id}/export` },
    ]),
    ...['/v1/reference-data', '/v1/matching/reference-data'].flatMap((base) => [
      { method: 'POST', path: (id: string) => `${base}/${id}/rows` },
      { method: 'PATCH', path: (id: string) => `${base}/${ids.referenceId}/rows/${id}` },
      { method: 'DELETE', path: (id: string) => `${base}/${ids.referenceId}/rows/${id}` },
    ]),
    { method: 'GET', path: (id) => `/v1/matching/configs/${id}` },
    { method: 'GET', path: (id) => `/v1/reconcile/${id}` },
    { method: 'POST', path: (id) => `/v1/reconcile/${id}` },
    { method: 'GET', path: (id) => `/v1/reconcile/${id}/preview?id=x` },
    { method: 'GET', path: (id) => `/v1/reconcile/${id}/suggest/entity?prefix=x` },
    { method: 'GET', path: (id) => `/v1/reconcile/${id}/suggest/property?prefix=x` },
    { method: 'GET', path: (id) => `/v1/reconcile/${id}/propose_properties` },
    { method: 'PUT', path: (id) => `/v1/matching/configs/${id}` },
    { method: 'PATCH', path: (id) => `/v1/matching/configs/${id}` },
    { method: 'DELETE', path: (id) => `/v1/matching/configs/${id}` },
    { method: 'POST', path: (id) => `/v1/matching/configs/${id}/run` },
    { method: 'POST', path: (id) => `/v1/matching/configs/${id}/smart-run` },
    { method: 'POST', path: (id) => `/v1/matching/configs/${id}/match` },
    { method: 'GET', path: (id) => `/v1/matching/runs/${id}` },
    { method: 'GET', path: (id) => `/v1/matching/runs/${id}/progress` },
    { method: 'POST', path: (id) => `/v1/matching/runs/${id}/cancel` },
    { method: 'GET', path: (id) => `/v1/matching/runs/${id}/results` },
    { method: 'GET', path: (id) => `/v1/matching/runs/${id}/results?format=csv` },
    { method: 'POST', path: (id) => `/v1/matching/runs/${id}/results/${id}/review` },
    { method: 'POST', path: (id) => `/v1/matching/runs/${ids.runId}/results/${id}/review` },
    { method: 'POST', path: (id) => `/v1/admin/workspaces/${id}/api-keys` },
    { method: 'PUT', path: (id) => `/v1/admin/workspaces/${id}/api-keys/${id}/rate-limit` },
  ];

  it('hostile path ids (SQL injection, malformed escapes, unicode, long) on every id route', async () => {
    const fixed = [...SQL_INJECTIONS.map(encodeURIComponent), '%', '%E0%A4%A', '%ZZ', '%00', 'a%00b', '%ff%fe'];
    for (const route of idRoutes) {
      const key = route.path('x').startsWith('/v1/admin') ? ADMIN_TOKEN : ws.key;
      for (const segment of fixed) {
        await check(`${route.method} ${route.path(segment)}`, () =>
          request(server.url, route.method, route.path(segment), {
            key,
            json: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
          }),
        );
      }
    }
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...idRoutes), hostileSegment, async (route, segment) => {
        const key = route.path('x').startsWith('/v1/admin') ? ADMIN_TOKEN : ws.key;
        await check(`${route.method} ${route.path(segment).slice(0, 300)}`, () =>
          request(server.url, route.method, route.path(segment), {
            key,
            json: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
          }),
        );
      }),
      { numRuns: RUNS * 4, endOnFailure: true, seed: SEED },
    );
  });

  it('hostile query parameters on every list and results route', async () => {
    const lists: Array<{ path: () => string; params: string[] }> = [
      { path: () => '/v1/reference-data', params: ['page', 'limit'] },
      { path: () => '/v1/source-data', params: ['page', 'limit'] },
      { path: () => `/v1/reference-data/${ids.referenceId}/rows`, params: ['page', 'limit'] },
      { path: () => '/v1/matching/configs', params: ['limit', 'cursor'] },
      { path: () => '/v1/matching/runs', params: ['config_id', 'status', 'limit', 'cursor'] },
      { path: () => `/v1/matching/runs/${ids.runId}/results`, params: ['status', 'matched', 'min_confidence', 'page', 'limit', 'format'] },
      { path: () => `/v1/matching/runs/${ids.runId}/results?format=csv`, params: ['status', 'matched', 'min_confidence'] },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...lists),
        fc.array(
          fc.tuple(
            fc.nat(),
            hostileString.filter((text) => text.length < 3000),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        async (list, values) => {
          const search = new URLSearchParams();
          for (const [index, value] of values)
            search.append(list.params[index % list.params.length]!, value.replace(/[\ud800-\udfff]/g, '\ufffd'));
          const base = list.path();
          const url = `${base}${base.includes('?') ? '&' : '?'}${search.toString()}`;
          await check(`GET ${url.slice(0, 300)}`, () => request(server.url, 'GET', url, { key: ws.key }));
        },
      ),
      { numRuns: RUNS * 4, endOnFailure: true, seed: SEED },
    );
  });

  it('multipart uploads: hostile field values, file names, content types and broken multipart bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          name: fc.option(hostileString, { nil: undefined }),
          id_column: fc.option(hostileString, { nil: undefined }),
          filename_column: fc.option(hostileString, { nil: undefined }),
          format: fc.option(fc.oneof(hostileString, fc.constantFrom('csv', 'json', 'ndjson', 'xlsx')), { nil: undefined }),
          trim: fc.option(fc.oneof(hostileString, fc.constantFrom('true', 'false')), { nil: undefined }),
        }),
        fc.oneof(hostileString, fc.constantFrom('id,name\n1,a\n', '[{"id":1}]', '{"id":1}\n{"id":2}\n', 'id;name\n1;a\n')),
        fc.oneof(
          fc.constant('data.csv'),
          hostileString.filter((text) => text.length < 300),
        ),
        fc.constantFrom('text/csv', 'application/json', 'application/x-ndjson', 'application/octet-stream', 'image/png', ''),
        fc.constantFrom('reference', 'source'),
        async (fields, content, filename, type, kind) => {
          const form = new FormData();
          for (const [name, value] of Object.entries(fields))
            if (value !== undefined) form.append(name, value.replace(/[\ud800-\udfff]/g, '\ufffd'));
          form.append(
            'file',
            new Blob([content.replace(/[\ud800-\udfff]/g, '\ufffd')], { type }),
            filename.replace(/[\ud800-\udfff]/g, '\ufffd'),
          );
          await check(`POST ${kind}-data multipart ${shortLabel(fields)} ${shortLabel(content)} ${shortLabel(filename)} ${type}`, () =>
            request(server.url, 'POST', `/v1/${kind}-data`, { key: ws.key, body: form }),
          );
        },
      ),
      { numRuns: RUNS * 2, endOnFailure: true, seed: SEED },
    );
    const broken = [
      ['multipart/form-data', '--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nid\n1\n'],
      ['multipart/form-data; boundary=x', 'garbage'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nn\r\n--x--\r\n'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nid,name\n1,a\n'],
      ['multipart/form-data; boundary=' + 'b'.repeat(100), '--x--'],
    ];
    for (const [type, body] of broken) {
      await check(`POST reference-data ${type} ${shortLabel(body)}`, () =>
        request(server.url, 'POST', '/v1/reference-data', { key: ws.key, body, headers: { 'content-type': type! } }),
      );
    }
  });

  it('requests Node refuses before any route (headers over its limit, not HTTP at all) get the error body too', async () => {
    // Raw sockets: a client library would refuse to send some of these, and Node answers before any handler runs.
    const send = (raw: string) =>
      new Promise<{ status: number; headers: string; body: any }>((resolve, reject) => {
        const { port } = new URL(server.url);
        const socket = connect(Number(port), '127.0.0.1', () => socket.end(raw));
        let data = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk) => (data += chunk));
        socket.on('error', reject);
        socket.on('close', () => {
          const [head = '', text = ''] = data.split('\r\n\r\n');
          resolve({ status: Number(head.split(' ')[1]), headers: head, body: text ? JSON.parse(text) : null });
        });
      });
    const long = await send(`GET /v1/reference-data?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(long.status).toBe(431);
    expect(long.headers).toMatch(/content-type: application\/json/i);
    expectErrorShape(long.body, 'header_fields_too_large');
    expect(long.body).toMatchObject({ statusCode: 431, path: '/v1/reference-data', retryable: false });
    const header = await send(`GET /v1/reference-data HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`);
    expectErrorShape(header.body, 'header_fields_too_large');
    const garbage = await send('\u0000\u0001 not http at all\r\n\r\n');
    expect(garbage.status).toBe(400);
    expectErrorShape(garbage.body, 'validation_error');
    // The server still answers normally afterwards.
    expect((await request(server.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('every REST error so far was a 4xx', () => {
    expect(failures).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// GraphQL

async function checkGraphQL(label: string, query: string, variables: Record<string, unknown>): Promise<void> {
  await check(label, async () => {
    const response = await graphql(server.url, query, variables, ws.key);
    const codes = (response.body.errors ?? []).map((error) => error.extensions?.code);
    // A GraphQL error whose code is internal (or none, on a resolver crash) is the GraphQL 500.
    if (
      response.status < 400 &&
      (response.body.errors ?? []).some((error) => !error.extensions?.code || /internal/i.test(String(error.extensions.code)))
    ) {
      return { ...response, status: 500, body: { errors: response.body.errors, codes } };
    }
    // GraphQL errors are not REST bodies: shape them so that check() sees only the status.
    if (response.status >= 400)
      return {
        ...response,
        body: {
          statusCode: response.status,
          code: codes[0] ?? 'graphql',
          error: '',
          message: '',
          retryable: false,
          request_id: '',
          timestamp: '',
          path: '',
        },
      };
    return response;
  });
}

const ERROR = '__typename ... on Error { code message }';

const gqlOps: Array<{ name: string; query: string; valid: () => Record<string, unknown> }> = [
  {
    name: 'createMatchingConfig',
    query: `mutation($input: MatchingConfigInput!) { createMatchingConfig(input: $input) { ${ERROR} } }`,
    valid: () => ({
      input: {
        name: 'g',
        referenceDataId: ids.referenceId,
        sourceDataId: ids.sourceId,
        fieldMappings: [{ source: 'vendor', target: 'name', strategy: 'FUZZY', weight: 1, options: { algorithm: 'JARO_WINKLER' } }],
        threshold: 0.8,
        reviewBand: { low: 0.5, high: 0.8 },
        blocking: {
          strategy: 'PARALLEL',
          maxPostings: 100,
          keys: [{ parts: [{ source: 'vendor', target: 'name', transform: 'PREFIX', length: 2 }] }],
        },
        oneToOne: false,
        schedule: null,
      },
    }),
  },
  {
    name: 'replaceMatchingConfig',
    query: `mutation($id: ID!, $input: MatchingConfigInput!) { replaceMatchingConfig(id: $id, input: $input) { ${ERROR} } }`,
    valid: () => ({
      id: ids.configId,
      input: {
        name: 'g',
        referenceDataId: ids.referenceId,
        fieldMappings: [{ source: 'vendor', target: 'name', strategy: 'EXACT', weight: 1 }],
      },
    }),
  },
  {
    name: 'updateMatchingConfig',
    query: `mutation($id: ID!, $input: MatchingConfigPatch!) { updateMatchingConfig(id: $id, input: $input) { ${ERROR} } }`,
    valid: () => ({ id: ids.configId, input: { name: 'u', threshold: 0.6, schedule: null } }),
  },
  {
    name: 'createDataset',
    query: `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { ${ERROR} } }`,
    valid: () => ({
      input: { kind: 'SOURCE', name: 'g', idColumn: 'id', filenameColumn: 'f', trim: true, data: [{ id: 'a', f: 'x.pdf', v: 1 }] },
    }),
  },
  {
    name: 'deleteDataset',
    query: `mutation($id: ID!) { deleteDataset(id: $id) { ${ERROR} } }`,
    valid: () => ({ id: '00000000-0000-0000-0000-000000000000' }),
  },
  {
    name: 'deleteMatchingConfig',
    query: `mutation($id: ID!) { deleteMatchingConfig(id: $id) { ${ERROR} } }`,
    valid: () => ({ id: '00000000-0000-0000-0000-000000000000' }),
  },
  {
    name: 'startRun',
    query: `mutation($c: ID!, $input: StartRunInput) { startRun(configId: $c, input: $input) { ${ERROR} } }`,
    valid: () => ({ c: ids.configId, input: { documents: [{ documentId: 'd', documentFilename: 'f', values: { vendor: 'Acme' } }] } }),
  },
  {
    name: 'smartRun',
    query: `mutation($c: ID!, $s: ID!) { smartRun(configId: $c, strategyId: $s) { ${ERROR} } }`,
    valid: () => ({ c: ids.configId, s: ids.strategyId }),
  },
  { name: 'cancelRun', query: `mutation($id: ID!) { cancelRun(id: $id) { ${ERROR} } }`, valid: () => ({ id: ids.runId }) },
  {
    name: 'reviewRunResult',
    query: `mutation($r: ID!, $res: ID!, $s: ReviewDecision!, $n: String) { reviewRunResult(runId: $r, resultId: $res, status: $s, notes: $n) { ${ERROR} } }`,
    valid: () => ({ r: ids.runId, res: ids.resultId, s: 'REJECTED', n: 'n' }),
  },
  {
    name: 'upsertReferenceRows',
    query: `mutation($id: ID!, $rows: [JSON!]!) { upsertReferenceRows(datasetId: $id, rows: $rows) { ${ERROR} } }`,
    valid: () => ({ id: ids.referenceId, rows: [{ vid: 'V4', name: 'Umbrella', amount: 40, day: '2024-04-01' }] }),
  },
  {
    name: 'updateReferenceRow',
    query: `mutation($id: ID!, $e: String!, $v: JSON!) { updateReferenceRow(datasetId: $id, externalId: $e, values: $v) { ${ERROR} } }`,
    valid: () => ({ id: ids.referenceId, e: 'V2', v: { name: 'Globex' } }),
  },
  {
    name: 'deleteReferenceRow',
    query: `mutation($id: ID!, $e: String!) { deleteReferenceRow(datasetId: $id, externalId: $e) { ${ERROR} } }`,
    valid: () => ({ id: ids.referenceId, e: 'V404' }),
  },
  { name: 'dataset', query: `query($id: ID!) { dataset(id: $id) { ${ERROR} } }`, valid: () => ({ id: ids.referenceId }) },
  {
    name: 'datasets',
    query: `query($k: DatasetKind!, $f: Int, $a: String, $l: Int, $b: String) { datasets(kind: $k, first: $f, after: $a, last: $l, before: $b) { edges { node { id } } } }`,
    valid: () => ({ k: 'REFERENCE', f: 10, a: null }),
  },
  { name: 'matchingConfig', query: `query($id: ID!) { matchingConfig(id: $id) { ${ERROR} } }`, valid: () => ({ id: ids.configId }) },
  {
    name: 'matchingConfigs',
    query: `query($f: Int, $a: String) { matchingConfigs(first: $f, after: $a) { edges { node { id } } } }`,
    valid: () => ({ f: 10, a: null }),
  },
  { name: 'run', query: `query($id: ID!) { run(id: $id) { ${ERROR} } }`, valid: () => ({ id: ids.runId }) },
  {
    name: 'runResult',
    query: `query($r: ID!, $res: ID!) { runResult(runId: $r, resultId: $res) { ${ERROR} } }`,
    valid: () => ({ r: ids.runId, res: ids.resultId }),
  },
  {
    name: 'runs',
    query: `query($f: Int, $a: String, $c: ID, $s: RunStatus) { runs(first: $f, after: $a, configId: $c, status: $s) { edges { node { id } } } }`,
    valid: () => ({ f: 10, a: null, c: ids.configId, s: 'COMPLETED' }),
  },
  {
    name: 'dataset.rows',
    query: `query($id: ID!, $f: Int, $a: String) { dataset(id: $id) { ... on QueryDatasetSuccess { data { rows(first: $f, after: $a) { edges { node { id } } } } } } }`,
    valid: () => ({ id: ids.referenceId, f: 10, a: 'x' }),
  },
];

describe('hostile input: GraphQL', { timeout: 300_000 }, () => {
  for (const op of gqlOps) {
    it(`${op.name}: arbitrary and near-valid variables`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(nearValid(op.valid()), nearValid(op.valid()), hostileJson), async (variables) => {
          const vars =
            variables && typeof variables === 'object' && !Array.isArray(variables)
              ? (variables as Record<string, unknown>)
              : { input: variables };
          await checkGraphQL(`${op.name} ${shortLabel(vars)}`, op.query, vars);
        }),
        { numRuns: RUNS, endOnFailure: true, seed: SEED },
      );
    });
  }

  it('hostile string literals inlined in documents (ids, names, cursors)', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileString.filter((text) => text.length < 5000),
        async (text) => {
          const literal = JSON.stringify(text.replace(/[\ud800-\udfff]/g, '\ufffd'));
          await checkGraphQL(
            `inline ${shortLabel(text)}`,
            `{ run(id: ${literal}) { ${ERROR} } matchingConfigs(first: 5, after: ${literal}) { edges { cursor } } }`,
            {},
          );
        },
      ),
      { numRuns: RUNS, endOnFailure: true, seed: SEED },
    );
  });

  it('every GraphQL answer so far was without an internal error', () => {
    expect(failures).toEqual([]);
  });
});
