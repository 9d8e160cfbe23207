import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context';
import { buildRouter } from '../../src/http/rest';
import { openApiPath } from '../../src/http/openapi/document';
import type { RestRoute } from '../../src/http/rest/router';
import { createStrategy } from '../../src/modules/strategies/service';
import { startWorker, type RunningWorker } from '../../src/worker';
import { request, type JsonResponse } from '../support/http';
import { ADMIN_TOKEN, startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { waitForRun } from './runs-fixture';

let server: TestServer;
let workspace: TestWorkspace;
let worker: RunningWorker | undefined;
let doc: any;

const NIL = '00000000-0000-0000-0000-000000000000';
const operationKey = (route: Pick<RestRoute, 'method' | 'pattern'>) => `${route.method} ${route.pattern}`;

beforeAll(async () => {
  server = await startTestServer();
  workspace = await server.newWorkspace('openapi');
  const response = await request(server.url, 'GET', '/v1/openapi.json');
  expect(response.status).toBe(200);
  doc = response.body;
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

describe('GET /v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document (public: no key needed)', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)?.slice(0, 3000)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('passes @redocly/cli lint with the recommended rules', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'concord-openapi-'));
    try {
      const file = path.join(folder, 'openapi.json');
      await writeFile(file, JSON.stringify(doc));
      const cli = path.resolve('node_modules/@redocly/cli/bin/cli.js');
      const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
      // lint exits 1 on errors only; warnings come back in the JSON report.
      const { stdout } = await promisify(execFile)(process.execPath, [cli, 'lint', '--extends', 'recommended', '--format', 'json', file], {
        env,
        timeout: 60_000,
      }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
      const report = JSON.parse(stdout) as { problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }> };
      const problems = report.problems
        .map((problem) => `${problem.ruleId} ${problem.location[0]?.pointer}: ${problem.message}`)
        // Liveness, readiness and this document answer no client error (any path answers 405 to another method).
        .filter((problem) => !/^operation-4xx-response #\/paths\/~1(healthz|readyz|v1~1openapi\.json)\/get\/responses:/.test(problem));
      expect(problems).toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('describes every route of the router, with a response schema for each status', () => {
    const routes = buildRouter(server.app).list();
    const missing = routes.filter((route) => !doc.paths[openApiPath(route.pattern)]?.[route.method.toLowerCase()]).map(operationKey);
    expect(missing, `routes without an operation in the document (describe them in src/http/rest/routes.ts)`).toEqual([]);
    // Each route carries its own description (routes.ts): one operation per route, none without a route.
    const documented = Object.values(doc.paths as Record<string, object>).flatMap((item) => Object.keys(item));
    expect(documented.length).toBe(routes.length);
    expect(routes.filter((route) => !route.openapi.summary).map(operationKey)).toEqual([]);
    for (const route of routes) {
      const operation = doc.paths[openApiPath(route.pattern)][route.method.toLowerCase()];
      expect(operation.responses.default).toBeDefined();
      if (route.access === 'key') {
        expect(operation.security).toEqual([{ bearer: [] }]);
        expect(operation.responses['429'], operationKey(route)).toBeDefined();
        expect(operation.responses['401']).toBeDefined();
        if (route.method !== 'GET') expect(operation.parameters).toContainEqual({ $ref: '#/components/parameters/Idempotency-Key' });
      }
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.components.headers)).toEqual(
      expect.arrayContaining(['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After']),
    );
    expect(doc.components.responses['429'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    // The server answers a reused key with another request 422 idempotency_mismatch (409 only while in progress).
    expect(doc.components.parameters['Idempotency-Key'].description).toMatch(
      /409 `conflict` while the first is still in progress, 422 `idempotency_mismatch`/,
    );
    // Request schemas come from the services' zod schemas, on the snake_case shape.
    expect(doc.components.schemas.ConfigInput.required).toEqual(['name', 'reference_data_id', 'field_mappings']);
    expect(Object.keys(doc.components.schemas.RunInput.properties)).toEqual(['source_data_id', 'documents']);
  });
});

// ─── conformance: each route called live, success and one error path, responses validated against the document ────

const seen = new Map<string, Set<'success' | 'error'>>();
let ajv: Ajv2020;

function responseFor(method: string, pattern: string, status: number): any {
  const operation = doc.paths[openApiPath(pattern)]?.[method.toLowerCase()];
  expect(operation, `${method} ${pattern} is not in the document`).toBeDefined();
  let response = operation.responses[String(status)] ?? operation.responses.default;
  if (response.$ref) response = doc.components.responses[response.$ref.split('/').pop()];
  expect(operation.responses[String(status)], `${method} ${pattern}: status ${status} not documented`).toBeDefined();
  return response;
}

function conform(method: string, pattern: string, response: JsonResponse): void {
  const documented = responseFor(method, pattern, response.status);
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const media = documented.content?.[type] ?? Object.entries(documented.content ?? {}).find(([name]) => name.split(';')[0] === type)?.[1];
  expect(media, `${method} ${pattern} ${response.status}: content type ${type} not documented`).toBeDefined();
  const schema = media.schema.$ref ? { $ref: `openapi.json${media.schema.$ref}` } : media.schema;
  const validate = ajv.compile(schema);
  const ok = validate(response.body);
  expect(
    ok,
    `${method} ${pattern} ${response.status}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(response.body).slice(0, 1000)}`,
  ).toBe(true);
  const route = buildRouter(server.app)
    .list()
    .find((candidate) => candidate.method === method && candidate.pattern === pattern)!;
  if (route.access === 'key') {
    for (const name of Object.keys(documented.headers ?? {})) {
      if (name === 'Retry-After') continue;
      expect(response.headers.get(name), `${method} ${pattern} ${response.status}: header ${name}`).not.toBeNull();
    }
  }
}

async function call(
  method: string,
  pattern: string,
  path: string,
  status: number,
  options: Parameters<typeof request>[3] = {},
): Promise<JsonResponse> {
  const response = await request(server.url, method, path, options);
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body).slice(0, 500)}`).toBe(status);
  conform(method, pattern, response);
  const key = `${method} ${pattern}`;
  if (!seen.has(key)) seen.set(key, new Set());
  seen.get(key)!.add(status < 400 ? 'success' : 'error');
  return response;
}

describe('conformance of live responses', () => {
  beforeAll(() => {
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  });

  it('operations, health and admin routes', async () => {
    const key = { key: ADMIN_TOKEN };
    await call('GET', '/healthz', '/healthz', 200);
    await call('GET', '/readyz', '/readyz', 200);
    await call('GET', '/v1/openapi.json', '/v1/openapi.json', 200);
    await call('GET', '/metrics', '/metrics', 200, key);
    await call('GET', '/metrics', '/metrics', 401);
    const created = await call('POST', '/v1/admin/workspaces', '/v1/admin/workspaces', 201, { ...key, json: { name: 'provisioned' } });
    await call('POST', '/v1/admin/workspaces', '/v1/admin/workspaces', 401, { json: { name: 'x' } });
    const id = created.body.workspace.id as string;
    await call('GET', '/v1/admin/workspaces', '/v1/admin/workspaces', 200, key);
    await call('GET', '/v1/admin/workspaces', '/v1/admin/workspaces', 401);
    const keys = '/v1/admin/workspaces/:id/api-keys';
    const made = await call('POST', keys, `/v1/admin/workspaces/${id}/api-keys`, 201, { ...key, json: { scopes: ['read'] } });
    await call('POST', keys, `/v1/admin/workspaces/${id}/api-keys`, 400, { ...key, json: { scopes: [] } });
    const limit = '/v1/admin/workspaces/:id/api-keys/:prefix/rate-limit';
    const prefix = (made.body.api_key as string).slice(0, 9);
    await call('PUT', limit, `/v1/admin/workspaces/${id}/api-keys/${prefix}/rate-limit`, 200, {
      ...key,
      json: { rate_limit_per_minute: 100 },
    });
    await call('PUT', limit, `/v1/admin/workspaces/${id}/api-keys/ck_zzzzzz/rate-limit`, 404, {
      ...key,
      json: { rate_limit_per_minute: 100 },
    });
    await call('GET', keys, `/v1/admin/workspaces/${id}/api-keys`, 200, key);
    await call('GET', keys, '/v1/admin/workspaces/00000000-0000-0000-0000-000000000000/api-keys', 404, key);
    const revoke = '/v1/admin/workspaces/:id/api-keys/:prefix';
    expect(made.body.prefix).toBe(prefix);
    await call('DELETE', revoke, `/v1/admin/workspaces/${id}/api-keys/${prefix}`, 200, key);
    await call('DELETE', revoke, `/v1/admin/workspaces/${id}/api-keys/ck_zzzzzz`, 404, key);
  });

  let referenceId = '';
  let sourceId = '';

  it('reference and source data, under both paths', async () => {
    const key = workspace.key;
    for (const [base, kind] of [
      ['/v1/reference-data', 'reference'],
      ['/v1/matching/reference-data', 'reference'],
      ['/v1/source-data', 'source'],
      ['/v1/matching/source-data', 'source'],
    ] as const) {
      const data =
        kind === 'reference'
          ? [
              { id: 'V1', name: 'Acme GmbH' },
              { id: 'V2', name: 'Globex' },
            ]
          : [
              { doc: 'D1', vendor: 'ACME GmbH', file: 'a.pdf' },
              { doc: 'D2', vendor: 'Globex' },
              { doc: 'D3', vendor: 'Initech' },
            ];
      const json = {
        name: `${kind} table`,
        id_column: kind === 'reference' ? 'id' : 'doc',
        ...(kind === 'source' ? { filename_column: 'file' } : {}),
        data,
      };
      const table = await call('POST', base, base, 201, { key, json });
      await call('POST', base, base, 400, { key, json: { name: 'empty', data: [] } });
      if (kind === 'reference' && !referenceId) referenceId = table.body.id;
      if (kind === 'source' && !sourceId) sourceId = table.body.id;
      await call('GET', base, `${base}?limit=5`, 200, { key });
      await call('GET', base, base, 401);
      await call('GET', `${base}/:id`, `${base}/${table.body.id}`, 200, { key });
      await call('GET', `${base}/:id`, `${base}/${NIL}`, 404, { key });
      await call('GET', `${base}/:id/rows`, `${base}/${table.body.id}/rows?limit=2`, 200, { key });
      await call('GET', `${base}/:id/rows`, `${base}/${NIL}/rows`, 404, { key });
      await call('GET', `${base}/:id/export`, `${base}/${table.body.id}/export`, 200, { key });
      await call('GET', `${base}/:id/export`, `${base}/${NIL}/export`, 404, { key });
      if (kind === 'reference') {
        // Live reference data: row writes (JSON and NDJSON), one row's change and deletion.
        const rows = `${base}/:id/rows`;
        const one = `${base}/:id/rows/:external_id`;
        const tablePath = `${base}/${table.body.id}/rows`;
        await call('POST', rows, tablePath, 200, { key, json: [{ id: 'V3', name: 'Initech' }] });
        await call('POST', rows, tablePath, 200, {
          key,
          body: '{"id": "V3", "name": "Initech LLC"}\n',
          headers: { 'content-type': 'application/x-ndjson' },
        });
        await call('POST', rows, tablePath, 400, { key, json: [{ id: 'V4', colour: 'red' }] });
        await call('POST', rows, tablePath, 415, { key, body: 'id,name\n', headers: { 'content-type': 'text/csv' } });
        await call('PATCH', one, `${tablePath}/V3`, 200, { key, json: { name: 'Initech' } });
        await call('PATCH', one, `${tablePath}/V404`, 404, { key, json: { name: 'x' } });
        await call('DELETE', one, `${tablePath}/V3`, 200, { key });
        await call('DELETE', one, `${tablePath}/V3`, 404, { key });
      }
      const doomed = await request(server.url, 'POST', base, { key, json: { name: 'doomed', data: [{ a: 1 }] } });
      await call('DELETE', `${base}/:id`, `${base}/${doomed.body.id}`, 200, { key });
      await call('DELETE', `${base}/:id`, `${base}/${doomed.body.id}`, 404, { key });
    }
    // A multipart upload answers the same way.
    const form = new FormData();
    form.append('name', 'uploaded');
    form.append('file', new Blob(['id,name\nU1,Umbrella\n'], { type: 'text/csv' }), 'u.csv');
    await call('POST', '/v1/reference-data', '/v1/reference-data', 201, { key, body: form });
  });

  it('configs, runs and results', async () => {
    const key = workspace.key;
    const configBody = {
      name: 'vendors',
      reference_data_id: referenceId,
      source_data_id: sourceId,
      // D2 and D3 have no file: their evidence for it has a null score (declared a number, ajv rejected the results).
      field_mappings: [
        { source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 0.9, options: { algorithm: 'jaro_winkler' } },
        { source: 'file', target: 'name', strategy: 'exact', weight: 0.1 },
      ],
      threshold: 0.8,
      review_band: { low: 0.5, high: 0.8 },
      blocking: { strategy: 'parallel', keys: [{ parts: [{ source: 'vendor', target: 'name', transform: 'tokens' }] }], max_postings: 100 },
      schedule: '0 3 * * *',
    };
    const configs = '/v1/matching/configs';
    const config = await call('POST', configs, configs, 201, { key, json: configBody });
    await call('POST', configs, configs, 400, { key, json: { ...configBody, threshold: 2 } });
    await call('GET', configs, `${configs}?limit=1`, 200, { key });
    await call('GET', configs, configs, 401);
    const one = `${configs}/:id`;
    const id = config.body.id as string;
    await call('GET', one, `${configs}/${id}`, 200, { key });
    await call('GET', one, `${configs}/${NIL}`, 404, { key });
    await call('PUT', one, `${configs}/${id}`, 200, { key, json: { ...configBody, schedule: null } });
    await call('PUT', one, `${configs}/${id}`, 400, { key, json: { name: 'no mappings' } });
    await call('PATCH', one, `${configs}/${id}`, 200, { key, json: { threshold: 0.7 } });
    await call('PATCH', one, `${configs}/${NIL}`, 404, { key, json: { threshold: 0.7 } });
    const doomed = await request(server.url, 'POST', configs, { key, json: { ...configBody, name: 'doomed' } });
    await call('DELETE', one, `${configs}/${doomed.body.id}`, 200, { key });
    await call('DELETE', one, `${configs}/${doomed.body.id}`, 404, { key });

    const run = await call('POST', `${one}/run`, `${configs}/${id}/run`, 202, { key, headers: { 'idempotency-key': 'openapi-run-1' } });
    await call('POST', `${one}/run`, `${configs}/${NIL}/run`, 404, { key });
    // The same Idempotency-Key with another body: 422 idempotency_mismatch; a body that is not JSON: 415.
    const mismatch = await call('POST', `${one}/run`, `${configs}/${id}/run`, 422, {
      key,
      headers: { 'idempotency-key': 'openapi-run-1' },
      json: { source_data_id: sourceId },
    });
    expect(mismatch.body.code).toBe('idempotency_mismatch');
    const notJson = await call('POST', configs, configs, 415, {
      key,
      body: 'name=vendors',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.body.code).toBe('unsupported_media_type');
    const context = await createContext(server.app, { authorization: `Bearer ${key}` });
    const strategy = await createStrategy(context, {
      matchingConfigId: id,
      plan: { fieldMappings: [{ source: 'vendor', target: 'name', strategy: 'exact', weight: 1 }], threshold: 0.9 },
    });
    const smart = await call('POST', `${one}/smart-run`, `${configs}/${id}/smart-run`, 202, { key, json: { strategy_id: strategy.id } });
    await call('POST', `${one}/smart-run`, `${configs}/${id}/smart-run`, 400, { key, json: {} });
    await call('POST', `${one}/match`, `${configs}/${id}/match`, 200, { key, json: { records: [{ vendor: 'Acme' }] } });
    await call('POST', `${one}/match`, `${configs}/${id}/match`, 400, { key, json: { records: [] } });
    await call('POST', `${one}/match`, `${configs}/${NIL}/match`, 404, { key, json: { records: [{ vendor: 'Acme' }] } });
    await call('POST', `${one}/match`, `${configs}/${id}/match`, 200, {
      key,
      json: { records: [{ vendor: 'Acme' }], strategy_id: strategy.id },
    });

    const runs = '/v1/matching/runs';
    await call('POST', `${runs}/:id/cancel`, `${runs}/${smart.body.id}/cancel`, 200, { key });
    await call('POST', `${runs}/:id/cancel`, `${runs}/${smart.body.id}/cancel`, 409, { key });

    worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
    const done = await waitForRun(server.url, key, run.body.id);
    expect(done.status).toBe('completed');

    const strategies = '/v1/matching/strategies';
    const generated = await call('POST', `${strategies}/generate`, `${strategies}/generate`, 201, {
      key,
      json: { matching_config_id: id },
    });
    await call('POST', `${strategies}/generate`, `${strategies}/generate`, 400, { key, json: { reference_data_id: 'nope' } });
    await call('GET', strategies, `${strategies}?config_id=${id}&limit=1`, 200, { key });
    await call('GET', strategies, `${strategies}?limit=0`, 400, { key });
    await call('GET', `${strategies}/:id`, `${strategies}/${generated.body.id}`, 200, { key });
    await call('GET', `${strategies}/:id`, `${strategies}/${NIL}`, 404, { key });
    await call('PATCH', `${strategies}/:id`, `${strategies}/${generated.body.id}`, 200, { key, json: { threshold: 0.6 } });
    await call('PATCH', `${strategies}/:id`, `${strategies}/${generated.body.id}`, 400, { key, json: { threshold: 6 } });
    const smartDone = await request(server.url, 'POST', `${configs}/${id}/smart-run`, { key, json: { strategy_id: generated.body.id } });
    expect((await waitForRun(server.url, key, smartDone.body.id)).status).toBe('completed');
    await call('POST', `${runs}/:id/ai-resolve`, `${runs}/${smartDone.body.id}/ai-resolve`, 202, { key });
    await call('POST', `${runs}/:id/ai-resolve`, `${runs}/${run.body.id}/ai-resolve`, 409, { key });
    await waitForRun(server.url, key, smartDone.body.id);

    await call('GET', runs, `${runs}?config_id=${id}&limit=1`, 200, { key });
    await call('GET', runs, `${runs}?status=bogus`, 400, { key });
    await call('GET', `${runs}/:id`, `${runs}/${run.body.id}`, 200, { key });
    await call('GET', `${runs}/:id`, `${runs}/${NIL}`, 404, { key });
    await call('GET', `${runs}/:id/progress`, `${runs}/${run.body.id}/progress`, 200, { key });
    await call('GET', `${runs}/:id/progress`, `${runs}/${NIL}/progress`, 404, { key });
    const results = await call('GET', `${runs}/:id/results`, `${runs}/${run.body.id}/results?limit=10`, 200, { key });
    expect(results.body.data.length).toBe(3);
    expect(results.body.data.flatMap((result: any) => result.evidence.map((evidence: any) => evidence.score))).toContain(null);
    await call('GET', `${runs}/:id`, `${runs}/${run.body.id}`, 200, { key });
    await call('GET', `${runs}/:id/results`, `${runs}/${run.body.id}/results?format=csv`, 200, { key });
    await call('GET', `${runs}/:id/results`, `${runs}/${NIL}/results`, 404, { key });
    const review = `${runs}/:run_id/results/:result_id/review`;
    const resultId = results.body.data[0].id as string;
    await call('POST', review, `${runs}/${run.body.id}/results/${resultId}/review`, 200, {
      key,
      json: { status: 'approved', notes: 'checked' },
    });
    await call('POST', review, `${runs}/${run.body.id}/results/${resultId}/review`, 400, { key, json: { status: 'bogus' } });

    // Errors of the auth layer: scope (403), and a 429 with Retry-After.
    const reader = await workspace.keyWithScopes(['read']);
    await call('POST', configs, configs, 403, { key: reader, json: configBody });
    const limited = await request(server.url, 'POST', '/v1/admin/workspaces', { key: ADMIN_TOKEN, json: { name: 'limited' } });
    const limitedKey = limited.body.api_key as string;
    const prefix = limitedKey.slice(0, 9);
    const set = await request(server.url, 'PUT', `/v1/admin/workspaces/${limited.body.workspace.id}/api-keys/${prefix}/rate-limit`, {
      key: ADMIN_TOKEN,
      json: { rate_limit_per_minute: 1 },
    });
    expect(set.status).toBe(200);
    await call('GET', configs, configs, 200, { key: limitedKey });
    const tooMany = await call('GET', configs, configs, 429, { key: limitedKey });
    expect(tooMany.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(tooMany.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('webhooks and their delivery log', async () => {
    const key = workspace.key;
    const hooks = '/v1/webhooks';
    const one = `${hooks}/:id`;
    const created = await call('POST', hooks, hooks, 201, { key, json: { url: 'https://example.com/concord', events: ['run.completed'] } });
    await call('POST', hooks, hooks, 400, { key, json: { url: 'ftp://example.com' } });
    const id = created.body.id as string;
    await call('GET', hooks, `${hooks}?limit=5`, 200, { key });
    await call('GET', hooks, `${hooks}?limit=0`, 400, { key });
    await call('GET', one, `${hooks}/${id}`, 200, { key });
    await call('GET', one, `${hooks}/${NIL}`, 404, { key });
    await call('PATCH', one, `${hooks}/${id}`, 200, { key, json: { events: ['run.failed', 'run.cancelled'] } });
    await call('PATCH', one, `${hooks}/${id}`, 400, { key, json: { events: [] } });
    // A delivery of a cancelled run, so the log has an item to validate.
    const configs = await request(server.url, 'GET', '/v1/matching/configs', { key });
    const run = await request(server.url, 'POST', `/v1/matching/configs/${configs.body.data[0].id}/run`, { key });
    await request(server.url, 'POST', `/v1/matching/runs/${run.body.id}/cancel`, { key });
    const log = await call('GET', `${one}/deliveries`, `${hooks}/${id}/deliveries?limit=10`, 200, { key });
    expect(log.body.data.length).toBeGreaterThan(0);
    await call('GET', `${one}/deliveries`, `${hooks}/${NIL}/deliveries`, 404, { key });
    // Nothing listens on port 2: a 200 telling that the attempt failed.
    await request(server.url, 'PATCH', `${hooks}/${id}`, { key, json: { url: 'http://127.0.0.1:2/none' } });
    const tested = await call('POST', `${one}/test`, `${hooks}/${id}/test`, 200, { key });
    expect(tested.body).toMatchObject({ delivered: false, status_code: null });
    await call('POST', `${one}/test`, `${hooks}/${NIL}/test`, 404, { key });
    await call('DELETE', one, `${hooks}/${id}`, 200, { key });
    await call('DELETE', one, `${hooks}/${id}`, 404, { key });
  });

  it('the reconciliation service (a read-only key in the URL)', async () => {
    const created = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      json: {
        name: 'recon',
        reference_data_id: referenceId,
        field_mappings: [{ source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 1 }],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const readKey = await workspace.keyWithScopes(['read']);
    const base = '/v1/reconcile/:config_id';
    const at = (suffix: string, query: Record<string, string>) =>
      `/v1/reconcile/${created.body.id}${suffix}?${new URLSearchParams({ key: readKey, ...query })}`;
    await call('GET', base, at('', {}), 200);
    await call('GET', base, at('', { queries: JSON.stringify({ q0: { query: 'Acme' } }) }), 200);
    await call('GET', base, at('', { extend: JSON.stringify({ ids: ['x'], properties: [{ id: 'name' }] }) }), 200);
    await call('GET', base, at('', { queries: '{' }), 400);
    await call('GET', base, `/v1/reconcile/${NIL}?key=${readKey}`, 404);
    const form = { headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    await call('POST', base, at('', {}), 200, {
      ...form,
      body: new URLSearchParams({ queries: JSON.stringify({ q0: { query: 'Acme' } }) }).toString(),
    });
    await call('POST', base, at('', {}), 400, { ...form, body: 'extend=%7B' });
    await call('POST', base, at('', {}), 415, { body: '{}', headers: { 'content-type': 'application/json' } });
    await call('GET', `${base}/preview`, at('/preview', { id: 'x' }), 404);
    const rows = await request(server.url, 'GET', `/v1/reference-data/${referenceId}/rows?limit=1`, { key: workspace.key });
    await call('GET', `${base}/preview`, at('/preview', { id: rows.body.data[0].external_id }), 200);
    await call('GET', `${base}/suggest/entity`, at('/suggest/entity', { prefix: 'a' }), 200);
    await call('GET', `${base}/suggest/entity`, at('/suggest/entity', {}), 400);
    await call('GET', `${base}/suggest/property`, at('/suggest/property', { prefix: 'v' }), 200);
    await call('GET', `${base}/suggest/property`, at('/suggest/property', { prefix: 'v', limit: '0' }), 400);
    await call('GET', `${base}/propose_properties`, at('/propose_properties', {}), 200);
    await call('GET', `${base}/propose_properties`, at('/propose_properties', { limit: '0' }), 400);
    // A key that may write is refused in a URL.
    await call('GET', base, `/v1/reconcile/${created.body.id}?key=${workspace.key}`, 403);
  });

  it('checked a live response of every operation of the document (a success and an error of each keyed or admin one)', () => {
    // Enumerated from the document itself, not from a list kept by hand: an operation added to it without a live
    // response checked above fails here.
    const documented = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({
        key: `${method.toUpperCase()} ${path.replace(/\{([a-z_]+)\}/g, ':$1')}`,
        operation: item[method],
      })),
    );
    expect(documented.length).toBe(buildRouter(server.app).list().length);
    const unexercised = documented.filter(({ key }) => !seen.has(key)).map(({ key }) => key);
    expect(unexercised, 'operations of the document without a live response checked against it').toEqual([]);
    const withoutError = documented
      .filter(({ operation }) => operation.security.length > 0)
      .filter(({ key }) => seen.get(key)?.size !== 2)
      .map(({ key }) => key);
    expect(withoutError, 'keyed or admin operations without both a success and an error response checked').toEqual([]);
  });
});
