/**
 * The reconciliation service (W3C Reconciliation Service API v0.2) through a real server: every kind of answer
 * validated against the specification's own JSON schemas (test/fixtures/reconciliation/0.2), GET and form POST,
 * JSONP and CORS, keys in the URL (read-only, never logged), workspace isolation and bad input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config';
import type { App } from '../../src/context';
import { connect } from '../../src/db/client';
import { startServer, type RunningServer } from '../../src/http/server';
import { createLogger } from '../../src/logger';
import { createApiKey, createWorkspace } from '../../src/modules/workspaces/service';
import { createContext } from '../../src/context';
import { createStrategy } from '../../src/modules/strategies/service';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { hostileBody, hostileString } from '../support/arbitraries';
import { expectErrorShape, request, type JsonResponse } from '../support/http';
import { ADMIN_TOKEN } from '../support/server';
import { lineSink } from '../support/log-lines';

const SCHEMAS = path.resolve(import.meta.dirname, '../fixtures/reconciliation/0.2');

let database: TestDatabase;
let client: ReturnType<typeof connect>;
let server: RunningServer;
let url: string;
/** Log lines of the server (level info): no key may appear in any of them. */
const lines: string[] = [];

/** Workspace A: a read+write key (headers), a read-only key (URLs), a read+write key tried in URLs. Strategies: one
 *  of the config (other mappings), one of a config over another reference table. */
const A = {
  fullKey: '',
  readKey: '',
  writeKey: '',
  configId: '',
  referenceId: '',
  workspaceId: '',
  strategyId: '',
  otherReferenceStrategyId: '',
};
/** Workspace B: its own read-only key, config and strategy. */
const B = { readKey: '', configId: '', strategyId: '' };

let ajv: Ajv;
const validators: Record<string, ValidateFunction> = {};

function expectValid(schema: string, body: unknown): void {
  const validate = validators[schema]!;
  const ok = validate(body);
  expect(ok, `${schema}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(body).slice(0, 1500)}`).toBe(true);
}

const SCRIPT_NAME = '<script>alert("pwned")</script> & Sons';

beforeAll(async () => {
  // The specification's schemas declare `$schema: http://json-schema.org/schema#` (no particular draft): compiled
  // as draft-07 without checking them against a meta-schema; the manifest's `authentication` refers to the Swagger
  // 2.0 schema (openapi.json), added by its $id.
  ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  addFormats.default(ajv);
  for (const file of readdirSync(SCHEMAS).filter((name) => name.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(path.join(SCHEMAS, file), 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    ajv.addSchema(schema, file);
  }
  for (const name of [
    'manifest',
    'reconciliation-query-batch',
    'reconciliation-result-batch',
    'suggest-entities-response',
    'suggest-properties-response',
    'data-extension-query',
    'data-extension-response',
    'data-extension-property-proposal',
  ]) {
    validators[name] = ajv.getSchema(`${name}.json`)!;
    expect(validators[name], name).toBeDefined();
  }

  database = await createTestDatabase();
  const settings = { ...readSettings({ LOG_LEVEL: 'info', ADMIN_TOKEN, RATE_LIMIT_PER_MINUTE: '100000' }), DATABASE_URL: database.url };
  client = connect(database.url);
  const sink = lineSink(lines);
  const app: App = { db: client.db, sql: client.sql, settings, logger: createLogger('info', sink) };
  server = await startServer(app, { port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${server.port}`;

  const a = await createWorkspace(app.db, { name: 'recon-a' });
  A.workspaceId = a.workspace.id;
  A.fullKey = a.apiKey;
  A.readKey = (await createApiKey(app.db, a.workspace.id, { scopes: ['read'] })).apiKey;
  A.writeKey = (await createApiKey(app.db, a.workspace.id, { scopes: ['read', 'write'] })).apiKey;
  const reference = await request(url, 'POST', '/v1/reference-data', {
    key: A.fullKey,
    json: {
      name: 'Vendors',
      id_column: 'vid',
      data: [
        { vid: 'V1', name: 'Acme Corporation', city: 'Springfield', revenue: '1200' },
        { vid: 'V2', name: 'Acme Holdings', city: 'Shelbyville', revenue: '35.5' },
        { vid: 'V3', name: 'Globex', city: 'Springfield', revenue: '' },
        { vid: 'V4', name: SCRIPT_NAME, city: '"><img src=x onerror=alert(1)>', revenue: '7' },
        { vid: 'V5', name: '100% Pure', city: 'Ogdenville', revenue: '3' },
      ],
    },
  });
  expect(reference.status, JSON.stringify(reference.body)).toBe(201);
  A.referenceId = reference.body.id;
  const config = await request(url, 'POST', '/v1/matching/configs', {
    key: A.fullKey,
    json: {
      name: 'Vendor service',
      reference_data_id: A.referenceId,
      field_mappings: [
        { source: 'town', target: 'city', strategy: 'exact', weight: 0.3 },
        { source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 0.7, options: { algorithm: 'jaro_winkler' } },
      ],
      threshold: 0.8,
    },
  });
  expect(config.status, JSON.stringify(config.body)).toBe(201);
  A.configId = config.body.id;

  const b = await createWorkspace(app.db, { name: 'recon-b' });
  B.readKey = (await createApiKey(app.db, b.workspace.id, { scopes: ['read'] })).apiKey;
  const bReference = await request(url, 'POST', '/v1/reference-data', {
    key: b.apiKey,
    json: { name: 'B vendors', data: [{ name: 'Initech' }] },
  });
  const bConfig = await request(url, 'POST', '/v1/matching/configs', {
    key: b.apiKey,
    json: {
      name: 'b',
      reference_data_id: bReference.body.id,
      field_mappings: [{ source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 1 }],
    },
  });
  B.configId = bConfig.body.id;
  B.strategyId = (
    await createStrategy(await createContext(app, { authorization: `Bearer ${b.apiKey}` }), {
      matchingConfigId: B.configId,
      plan: { fieldMappings: [{ source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 1 }], threshold: 0.5 },
    })
  ).id;

  // A's strategy reads another source column than the config (`company`) and scores it by edit distance.
  const contextA = await createContext(app, { authorization: `Bearer ${A.fullKey}` });
  A.strategyId = (
    await createStrategy(contextA, {
      matchingConfigId: A.configId,
      name: 'edit distance',
      plan: {
        fieldMappings: [{ source: 'company', target: 'name', strategy: 'fuzzy', weight: 1, options: { algorithm: 'levenshtein' } }],
        threshold: 0.9,
      },
    })
  ).id;
  const otherReference = await request(url, 'POST', '/v1/reference-data', {
    key: A.fullKey,
    json: { name: 'Other vendors', data: [{ name: 'Acme Corporation' }] },
  });
  const otherConfig = await request(url, 'POST', '/v1/matching/configs', {
    key: A.fullKey,
    json: {
      name: 'other',
      reference_data_id: otherReference.body.id,
      field_mappings: [{ source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 1 }],
    },
  });
  A.otherReferenceStrategyId = (
    await createStrategy(contextA, {
      matchingConfigId: otherConfig.body.id,
      plan: { fieldMappings: [{ source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 1 }], threshold: 0.5 },
    })
  ).id;
}, 60_000);

afterAll(async () => {
  await server?.close();
  await client?.close();
  await database?.drop();
});

const service = (query: Record<string, string> = {}, key: string | null = A.readKey, configId = A.configId) => {
  const params = new URLSearchParams(key ? { key, ...query } : query);
  const search = params.toString();
  return `/v1/reconcile/${configId}${search ? `?${search}` : ''}`;
};
const sub = (what: string, query: Record<string, string>, key: string | null = A.readKey, configId = A.configId) =>
  `/v1/reconcile/${configId}/${what}?${new URLSearchParams(key ? { key, ...query } : query)}`;

function postForm(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return request(url, 'POST', path, {
    body: new URLSearchParams(form).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

describe('manifest', () => {
  it('GET with a read-only key in the URL: valid against manifest.json, announcing URLs that carry the key', async () => {
    const response = await request(url, 'GET', service());
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expectValid('manifest', response.body);
    const manifest = response.body;
    expect(manifest.versions).toContain('0.2');
    expect(manifest.name).toBe('Concord: Vendor service');
    expect(manifest.defaultTypes).toEqual([{ id: A.referenceId, name: 'Vendors' }]);
    const base = `${url}/v1/reconcile/${A.configId}`;
    expect(manifest.preview.url).toBe(`${base}/preview?key=${A.readKey}&id={{id}}`);
    expect(manifest.view.url).toBe(manifest.preview.url);
    expect(manifest.suggest.entity).toEqual({ service_url: base, service_path: `/suggest/entity?key=${A.readKey}` });
    expect(manifest.suggest.property).toEqual({ service_url: base, service_path: `/suggest/property?key=${A.readKey}` });
    expect(manifest.extend.propose_properties).toEqual({ service_url: base, service_path: `/propose_properties?key=${A.readKey}` });
    // Browsers call it from OpenRefine's origin; nothing of it is to be kept by caches (the URLs hold a key).
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-ratelimit-limit')).not.toBeNull();
  });

  it('GET with the key in the Authorization header (any read key): URLs without a key', async () => {
    const response = await request(url, 'GET', service({}, null), { key: A.fullKey });
    expect(response.status).toBe(200);
    expectValid('manifest', response.body);
    expect(response.body.preview.url).toBe(`${url}/v1/reconcile/${A.configId}/preview?id={{id}}`);
  });

  it('JSONP: callback=… wraps the manifest in a script; a callback that is not an identifier path is a 400', async () => {
    const response = await request(url, 'GET', service({ callback: 'jQuery123_456', _: '1700000000' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const text = response.body as string;
    expect(text.startsWith('/**/jQuery123_456(')).toBe(true);
    expect(text.endsWith(');')).toBe(true);
    expectValid('manifest', JSON.parse(text.slice('/**/jQuery123_456('.length, -2)));

    for (const callback of ['alert(1)//', 'a b', '1abc', 'x'.repeat(129)]) {
      const bad = await request(url, 'GET', service({ callback }));
      expect(bad.status, callback).toBe(400);
      expectErrorShape(bad.body, 'validation_error');
    }
  });

  it('answers a CORS preflight on the service paths', async () => {
    const response = await fetch(`${url}/v1/reconcile/${A.configId}`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:3333',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    const preview = await fetch(`${url}/v1/reconcile/${A.configId}/preview`, { method: 'OPTIONS' });
    expect(preview.status).toBe(204);
    expect(preview.headers.get('access-control-allow-methods')).toBe('GET');
  });
});

describe('keys', () => {
  it('a key with the write scope in the URL is refused (403), so a leaked service URL cannot write', async () => {
    for (const key of [A.writeKey, A.fullKey]) {
      const response = await request(url, 'GET', service({}, key));
      expect(response.status).toBe(403);
      expectErrorShape(response.body, 'insufficient_scope');
      expect(response.body.message).toMatch(/read-only/);
      // The error names neither the key nor the query string.
      expect(JSON.stringify(response.body)).not.toContain(key);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('no key, an unknown key, the key twice, or a key both in the URL and the header: 401 / 400', async () => {
    const none = await request(url, 'GET', service({}, null));
    expect(none.status).toBe(401);
    expectErrorShape(none.body, 'unauthorized');
    const unknown = await request(url, 'GET', service({}, `ck_${'A'.repeat(43)}`));
    expect(unknown.status).toBe(401);
    const twice = await request(url, 'GET', `${service()}&key=${A.readKey}`);
    expect(twice.status).toBe(400);
    const both = await request(url, 'GET', service(), { key: A.readKey });
    expect(both.status).toBe(400);
    expectErrorShape(both.body, 'validation_error');
  });

  it("isolation: another workspace's config is a 404 with a valid key; an unknown or malformed id too", async () => {
    for (const path of [
      service({}, B.readKey),
      service({ queries: JSON.stringify({ q0: { query: 'Acme' } }) }, B.readKey),
      sub('preview', { id: 'V1' }, B.readKey),
      sub('suggest/entity', { prefix: 'ac' }, B.readKey),
      sub('suggest/property', { prefix: 'v' }, B.readKey),
      sub('propose_properties', {}, B.readKey),
      service({}, A.readKey, B.configId),
      service({}, A.readKey, '00000000-0000-0000-0000-000000000000'),
      service({}, A.readKey, 'not-a-uuid'),
    ]) {
      const response = await request(url, 'GET', path);
      expect(response.status, path).toBe(404);
      expectErrorShape(response.body, 'not_found');
      expect(JSON.stringify(response.body)).not.toContain('Vendor');
    }
    const extend = await postForm(service({}, B.readKey), { extend: JSON.stringify({ ids: ['V1'], properties: [{ id: 'name' }] }) });
    expect(extend.status).toBe(404);
  });

  it('tolerates clients that append their parameters with a second "?" to a URL that has the key', async () => {
    const response = await request(url, 'GET', `/v1/reconcile/${A.configId}/suggest/entity?key=${A.readKey}?prefix=glo&limit=3`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.result.map((entity: { id: string }) => entity.id)).toEqual(['V3']);
  });
});

type Candidate = { id: string; score: number; match: boolean; features: Array<{ id: string; value: number }> };
/** A candidate's score is the config's confidence × 100 from its features (Σ w·s / Σ w over the fields with a
 *  score), within the rounding of a score to two decimals. */
function expectScoreFromFeatures(candidate: Candidate): void {
  const weights: Record<string, number> = { town: 0.3, vendor: 0.7 };
  const weighted = candidate.features.reduce((sum, feature) => sum + weights[feature.id]! * feature.value, 0);
  const present = candidate.features.reduce((sum, feature) => sum + weights[feature.id]!, 0);
  expect(Math.abs(candidate.score - (weighted / present) * 100), JSON.stringify(candidate)).toBeLessThanOrEqual(0.0051);
}

describe('queries', () => {
  const batch = {
    q0: { query: 'Acme Corporation', properties: [{ pid: 'town', v: 'Springfield' }] },
    q1: { query: 'Globex', limit: 1 },
    q2: { query: 'Acme Holdngs', type: A.referenceId || 'set below' },
    q3: { query: 'Acme', type: 'something-else' },
    q4: { properties: [{ pid: 'vendor', v: ['', { id: 'x', name: 'Globex' }] }] },
    q5: { query: '   ' },
  };

  it('GET queries=…: a result batch valid against reconciliation-result-batch.json', async () => {
    const queries = { ...batch, q2: { ...batch.q2, type: A.referenceId } };
    expectValid('reconciliation-query-batch', queries);
    const response = await request(url, 'GET', service({ queries: JSON.stringify(queries) }));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expectValid('reconciliation-result-batch', response.body);
    const answer = response.body;
    expect(Object.keys(answer).sort()).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5']);

    const best = answer.q0.result[0];
    expect(best).toMatchObject({ id: 'V1', name: 'Acme Corporation', match: true, type: [{ id: A.referenceId, name: 'Vendors' }] });
    expect(best.score).toBe(100);
    // One feature per mapping, named by its source column (the property id), valued by the field's score.
    expect(best.features).toEqual([
      { id: 'town', value: 1 },
      { id: 'vendor', value: 1 },
    ]);
    // Only the best candidate is a match; every candidate has its own features, which make its score.
    expect(answer.q0.result.length).toBeGreaterThan(1);
    for (const other of answer.q0.result.slice(1)) {
      expect(other.match).toBe(false);
      expect(other.score).toBeLessThanOrEqual(best.score);
    }
    const globex = answer.q0.result.find((candidate: { id: string }) => candidate.id === 'V3');
    expect(globex.features).toEqual([
      { id: 'town', value: 1 },
      { id: 'vendor', value: expect.any(Number) },
    ]);
    expect(globex.features[1].value).toBeLessThan(0.7);
    for (const result of Object.values(answer) as Array<{ result: Candidate[] }>) {
      for (const candidate of result.result) expectScoreFromFeatures(candidate);
    }
    expect(answer.q1.result).toHaveLength(1);
    expect(answer.q1.result[0]).toMatchObject({ id: 'V3', name: 'Globex', match: true });
    // The town was not given: only the name mapping counts.
    expect(answer.q1.result[0].features).toEqual([{ id: 'vendor', value: 1 }]);
    expect(answer.q2.result[0]).toMatchObject({ id: 'V2', name: 'Acme Holdings' });
    expect(answer.q2.result[0].score).toBeGreaterThan(80);
    expect(answer.q2.result[0].score).toBeLessThan(100);
    // Another type than this service's: no entity of it here.
    expect(answer.q3.result).toEqual([]);
    // A property value given as an entity, after an empty one: its name.
    expect(answer.q4.result[0]).toMatchObject({ id: 'V3', match: true });
    // Blank text: nothing to match.
    expect(answer.q5.result).toEqual([]);
  });

  it('form POST (what OpenRefine sends) gives the same answer as GET; a score is confidence × 100', async () => {
    const queries = JSON.stringify({
      a: { query: 'Acme Holdngs' },
      b: { query: 'Acme Corp', properties: [{ pid: 'town', v: 'Shelbyville' }] },
    });
    const posted = await postForm(service(), { queries });
    expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    expectValid('reconciliation-result-batch', posted.body);
    const got = await request(url, 'GET', service({ queries }));
    expect(posted.body).toEqual(got.body);
    // The key may also come in the form's URL only with the header: the form carries parameters, not keys.
    const withHeader = await postForm(service({}, null), { queries }, { authorization: `Bearer ${A.fullKey}` });
    expect(withHeader.status).toBe(200);
    expect(withHeader.body).toEqual(posted.body);
    for (const result of Object.values(posted.body) as Array<{ result: Array<{ score: number; match: boolean }> }>) {
      for (const candidate of result.result) {
        expect(candidate.score).toBeGreaterThanOrEqual(0);
        expect(candidate.score).toBeLessThanOrEqual(100);
        if (candidate.match) expect(candidate.score).toBeGreaterThanOrEqual(80);
      }
    }
  });

  it('query and entity ids are the client\'s own keys, "__proto__" included', async () => {
    const queries = '{"__proto__": {"query": "Globex"}, "constructor": {"query": "Acme Holdings"}}';
    const response = await request(url, 'GET', service({ queries }));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(response.body, '__proto__')?.value.result[0].id).toBe('V3');
    const extend = await postForm(service(), { extend: '{"ids": ["__proto__"], "properties": [{"id": "city"}]}' });
    expect(extend.status).toBe(200);
    expect(Object.keys(extend.body.rows)).toEqual(['__proto__']);
  });

  it('bad input is a 400 in the error shape, naming each problem', async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ queries: '{"q0": {"query": "Acme"' }, 'queries'],
      [{ queries: 'null' }, 'queries'],
      [{ queries: '[]' }, 'queries'],
      [{ queries: '{}' }, 'queries'],
      [{ queries: JSON.stringify({ q0: {} }) }, 'queries["q0"]'],
      [{ queries: JSON.stringify({ q0: { query: 'x', colour: 'red' } }) }, 'queries["q0"]["colour"]'],
      [{ queries: JSON.stringify({ q0: { query: 'x', limit: 0 } }) }, 'queries["q0"].limit'],
      [{ queries: JSON.stringify({ q0: { query: 'x', limit: 'many' } }) }, 'queries["q0"].limit'],
      [{ queries: JSON.stringify({ q0: { query: 7 } }) }, 'queries["q0"].query'],
      [{ queries: JSON.stringify({ q0: { query: 'x', properties: [{ pid: 'colour', v: 'red' }] } }) }, 'queries["q0"].properties[0].pid'],
      // A query id is the client's own key: written as sent (not snake_cased like our field names), quoted.
      [{ queries: JSON.stringify({ myQuery: { query: 'x', maxResults: 3 } }) }, 'queries["myQuery"]["maxResults"]'],
      [{ queries: JSON.stringify({ 'a.b "c"': { query: 7 } }) }, 'queries["a.b \\"c\\""].query'],
      [{ queries: JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`q${i}`, { query: 'x' }]))) }, 'queries'],
      [{ queries: '{}', extend: '{}' }, 'extend'],
    ];
    for (const [params, detailPath] of cases) {
      for (const response of [await request(url, 'GET', service(params)), await postForm(service(), params)]) {
        expect(response.status, `${JSON.stringify(params).slice(0, 100)}: ${JSON.stringify(response.body)}`).toBe(400);
        expectErrorShape(response.body, 'validation_error');
        expect(
          response.body.details?.map((detail: { path: string }) => detail.path),
          JSON.stringify(response.body),
        ).toContain(detailPath);
      }
    }
    const unknownPid = await request(
      url,
      'GET',
      service({ queries: JSON.stringify({ q0: { query: 'x', properties: [{ pid: 'colour', v: 'red' }] } }) }),
    );
    expect(unknownPid.body.details[0].message).toMatch(/"colour".*town, vendor/);

    const json = await request(url, 'POST', service(), { json: { queries: {} } });
    expect(json.status).toBe(415);
    expectErrorShape(json.body, 'unsupported_media_type');
    const empty = await postForm(service(), {});
    expect(empty.status).toBe(400);
    const twice = await postForm(service({ queries: '{"a":{"query":"x"}}' }), { queries: '{"a":{"query":"x"}}' });
    expect(twice.status).toBe(400);
  });
});

describe('the same engine as match now', () => {
  it("candidates, scores, match and features are match now's answer for the same record", async () => {
    const records = [{ vendor: 'Acme Holdngs' }, { vendor: 'Acme Corp', town: 'Shelbyville' }, { vendor: 'Globx', town: 'Springfield' }];
    const now = await request(url, 'POST', `/v1/matching/configs/${A.configId}/match`, { key: A.fullKey, json: { records } });
    expect(now.status, JSON.stringify(now.body)).toBe(200);
    const queries = Object.fromEntries(
      records.map((record, i) => [
        `q${i}`,
        { query: record.vendor, ...(record.town ? { properties: [{ pid: 'town', v: record.town }] } : {}) },
      ]),
    );
    const reconciled = await request(url, 'GET', service({ queries: JSON.stringify(queries) }));
    expect(reconciled.status).toBe(200);
    now.body.data.forEach((result: any, i: number) => {
      const candidates = reconciled.body[`q${i}`].result;
      expect(candidates.map((candidate: any) => candidate.id)).toEqual(
        result.candidates.map((candidate: any) => candidate.reference_external_id),
      );
      expect(candidates.map((candidate: any) => candidate.score)).toEqual(
        result.candidates.map((candidate: any) => Math.round(candidate.confidence * 10_000) / 100),
      );
      expect(candidates[0].match).toBe(result.matched);
      // The best candidate's features are match now's evidence; the others' are scored the same way (their score).
      expect(candidates[0].features).toEqual(
        result.evidence.filter((item: any) => item.score !== null).map((item: any) => ({ id: item.source_field, value: item.score })),
      );
      for (const candidate of candidates) expectScoreFromFeatures(candidate);
    });
  });
});

describe("a strategy's service (strategy_id on the service URL)", () => {
  const withStrategy = (query: Record<string, string> = {}, strategyId = A.strategyId) => service({ strategy_id: strategyId, ...query });

  it('the manifest names the strategy and every URL it announces carries it, before the key', async () => {
    const response = await request(url, 'GET', withStrategy());
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expectValid('manifest', response.body);
    const manifest = response.body;
    expect(manifest.name).toBe('Concord: Vendor service (strategy "edit distance")');
    // The same entities as the config's own service: OpenRefine may reconcile against either.
    expect(manifest.identifierSpace).toBe(`urn:concord:reference-data:${A.referenceId}`);
    const parameters = `strategy_id=${A.strategyId}&key=${A.readKey}`;
    const base = `${url}/v1/reconcile/${A.configId}`;
    expect(manifest.preview.url).toBe(`${base}/preview?${parameters}&id={{id}}`);
    expect(manifest.suggest.entity).toEqual({ service_url: base, service_path: `/suggest/entity?${parameters}` });
    expect(manifest.suggest.property).toEqual({ service_url: base, service_path: `/suggest/property?${parameters}` });
    expect(manifest.extend.propose_properties.service_path).toBe(`/propose_properties?${parameters}`);
    const withHeader = await request(url, 'GET', service({ strategy_id: A.strategyId }, null), { key: A.fullKey });
    expect(withHeader.body.suggest.entity.service_path).toBe(`/suggest/entity?strategy_id=${A.strategyId}`);
  });

  it("queries match with the strategy's mappings: match now's answer with the same strategy, its properties, its features", async () => {
    const records = [{ company: 'Acme Holdngs' }, { company: 'Globex Corp' }, { company: 'acme corporation' }];
    const now = await request(url, 'POST', `/v1/matching/configs/${A.configId}/match`, {
      key: A.fullKey,
      json: { records, strategy_id: A.strategyId },
    });
    expect(now.status, JSON.stringify(now.body)).toBe(200);
    const queries = JSON.stringify(Object.fromEntries(records.map((record, i) => [`q${i}`, { query: record.company }])));
    // As OpenRefine sends a batch: a form POST to the service URL it was given, the strategy in that URL.
    const reconciled = await postForm(withStrategy(), { queries });
    expect(reconciled.status, JSON.stringify(reconciled.body)).toBe(200);
    expectValid('reconciliation-result-batch', reconciled.body);
    now.body.data.forEach((result: any, i: number) => {
      const candidates = reconciled.body[`q${i}`].result;
      expect(candidates.length).toBeGreaterThan(0);
      expect(candidates.map((candidate: any) => candidate.id)).toEqual(
        result.candidates.map((candidate: any) => candidate.reference_external_id),
      );
      expect(candidates.map((candidate: any) => candidate.score)).toEqual(
        result.candidates.map((candidate: any) => Math.round(candidate.confidence * 10_000) / 100),
      );
      expect(candidates[0].match).toBe(result.matched);
      // One field (company): every candidate's feature is its confidence.
      for (const [k, candidate] of candidates.entries()) {
        expect(candidate.features).toEqual([{ id: 'company', value: expect.any(Number) }]);
        expect(Math.abs(candidate.features[0].value * 100 - candidate.score)).toBeLessThanOrEqual(0.0051);
        if (k === 0) expect(candidate.features[0].value).toBe(result.evidence[0].score);
      }
    });
    // Edit distance, not the config's Jaro–Winkler: one letter missing of 13 is 12/13, a match at the strategy's 0.9.
    expect(reconciled.body.q0.result[0]).toMatchObject({ id: 'V2', score: Math.round((12 / 13) * 10_000) / 100, match: true });
    const own = await request(url, 'GET', service({ queries: JSON.stringify({ q0: { query: 'Acme Holdngs' } }) }));
    expect(own.body.q0.result[0].id).toBe('V2');
    expect(own.body.q0.result[0].score).not.toBe(reconciled.body.q0.result[0].score);
    expect(own.body.q0.result[0].features).toEqual([{ id: 'vendor', value: expect.any(Number) }]);

    // The strategy's property ids are its source columns: the config's `town` is not one.
    const town = await request(
      url,
      'GET',
      withStrategy({ queries: JSON.stringify({ q0: { query: 'Acme', properties: [{ pid: 'town', v: 'Springfield' }] } }) }),
    );
    expect(town.status).toBe(400);
    expectErrorShape(town.body, 'validation_error');
    expect(town.body.details).toEqual([{ path: 'queries["q0"].properties[0].pid', message: expect.stringMatching(/"town".* company$/) }]);
    const company = await request(
      url,
      'GET',
      withStrategy({ queries: JSON.stringify({ q0: { properties: [{ pid: 'company', v: 'Globex' }] } }) }),
    );
    expect(company.body.q0.result[0]).toMatchObject({ id: 'V3', match: true, features: [{ id: 'company', value: 1 }] });
  });

  it('preview, suggest, extend and property proposals take it too; a "?" appended to it starts parameters', async () => {
    const suggest = await request(url, 'GET', `/v1/reconcile/${A.configId}/suggest/entity?strategy_id=${A.strategyId}?prefix=glo`, {
      key: A.readKey,
    });
    expect(suggest.status, JSON.stringify(suggest.body)).toBe(200);
    expect(suggest.body.result).toEqual([{ id: 'V3', name: 'Globex' }]);
    const preview = await request(url, 'GET', sub('preview', { strategy_id: A.strategyId, id: 'V1' }));
    expect(preview.status).toBe(200);
    expect(preview.body).toContain('<h1>Acme Corporation</h1>');
    const proposal = await request(url, 'GET', sub('propose_properties', { strategy_id: A.strategyId }));
    expectValid('data-extension-property-proposal', proposal.body);
    const extension = await postForm(withStrategy(), { extend: JSON.stringify({ ids: ['V1'], properties: [{ id: 'city' }] }) });
    expect(extension.body.rows).toEqual({ V1: { city: [{ str: 'Springfield' }] } });
  });

  it("as match now validates it: another reference table's strategy is a 400, another workspace's or none a 404", async () => {
    const queries = JSON.stringify({ q0: { query: 'Acme' } });
    const paths = (strategyId: string) => [
      withStrategy({}, strategyId),
      withStrategy({ queries }, strategyId),
      sub('suggest/entity', { strategy_id: strategyId, prefix: 'ac' }),
      sub('suggest/property', { strategy_id: strategyId, prefix: 'c' }),
      sub('preview', { strategy_id: strategyId, id: 'V1' }),
      sub('propose_properties', { strategy_id: strategyId }),
    ];
    const now = await request(url, 'POST', `/v1/matching/configs/${A.configId}/match`, {
      key: A.fullKey,
      json: { records: [{ vendor: 'Acme' }], strategy_id: A.otherReferenceStrategyId },
    });
    expect(now.status).toBe(400);
    for (const path of paths(A.otherReferenceStrategyId)) {
      const response = await request(url, 'GET', path);
      expect(response.status, path).toBe(400);
      expectErrorShape(response.body, 'validation_error');
      expect(response.body.details).toEqual([
        { path: 'strategy_id', message: "the strategy was made for another reference dataset than this config's" },
      ]);
    }
    const posted = await postForm(withStrategy({}, A.otherReferenceStrategyId), { queries });
    expect(posted.status).toBe(400);
    for (const strategyId of [B.strategyId, '00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
      for (const path of paths(strategyId)) {
        const response = await request(url, 'GET', path);
        expect(response.status, path).toBe(404);
        expectErrorShape(response.body, 'not_found');
      }
    }
    // Empty, or given twice (also once in the URL and once in the form): a 400 naming strategy_id.
    const empty = await request(url, 'GET', withStrategy({ queries }, ''));
    const twice = await request(url, 'GET', `${withStrategy({ queries })}&strategy_id=${A.strategyId}`);
    const urlAndForm = await postForm(withStrategy(), { queries, strategy_id: A.strategyId });
    for (const response of [empty, twice, urlAndForm]) {
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expectErrorShape(response.body, 'validation_error');
      expect(response.body.details[0].path).toBe('strategy_id');
    }
    // In the form alone, it counts as in the URL.
    const inForm = await postForm(service(), { queries, strategy_id: A.strategyId });
    expect(inForm.status).toBe(200);
    expect(inForm.body.q0.result[0].features[0].id).toBe('company');
  });
});

describe('live reference rows', () => {
  it('a row upserted or deleted through the live rows API is reconciled, suggested, previewed and extended at once', async () => {
    const rows = `/v1/reference-data/${A.referenceId}/rows`;
    const upsert = await request(url, 'POST', rows, {
      key: A.fullKey,
      json: [
        { vid: 'V6', name: 'Initrode Systems', city: 'Capital City', revenue: '12' },
        { vid: 'V7', name: 'Initrode Systemz', city: 'Springfield', revenue: '1' },
      ],
    });
    expect(upsert.status, JSON.stringify(upsert.body)).toBe(200);
    const queries = JSON.stringify({ q0: { query: 'Initrode Systems' } });
    const found = await request(url, 'GET', service({ queries }));
    expectValid('reconciliation-result-batch', found.body);
    expect(found.body.q0.result[0]).toMatchObject({ id: 'V6', name: 'Initrode Systems', match: true });
    // Both rows come from the index's overlay of upserted rows; the second has its own features there too.
    expect(found.body.q0.result[0].features).toEqual([{ id: 'vendor', value: 1 }]);
    const second = found.body.q0.result[1];
    expect(second).toMatchObject({ id: 'V7', match: false });
    expect(second.features).toEqual([{ id: 'vendor', value: expect.any(Number) }]);
    expectScoreFromFeatures(second);
    expect(second.score).toBeGreaterThan(90);
    expect(second.score).toBeLessThan(100);
    expect((await request(url, 'DELETE', `${rows}/V7`, { key: A.fullKey })).status).toBe(200);
    expect((await request(url, 'GET', sub('suggest/entity', { prefix: 'initro' }))).body.result).toEqual([
      { id: 'V6', name: 'Initrode Systems' },
    ]);
    expect((await request(url, 'GET', sub('preview', { id: 'V6' }))).body).toContain('<h1>Initrode Systems</h1>');

    const removed = await request(url, 'DELETE', `${rows}/V6`, { key: A.fullKey });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    const gone = await request(url, 'GET', service({ queries }));
    expect(gone.body.q0.result.map((candidate: { id: string }) => candidate.id)).not.toContain('V6');
    expect((await request(url, 'GET', sub('preview', { id: 'V6' }))).status).toBe(404);
    const extend = await postForm(service(), { extend: JSON.stringify({ ids: ['V6'], properties: [{ id: 'name' }] }) });
    expect(extend.body.rows).toEqual({ V6: { name: [] } });
  });
});

describe('preview', () => {
  it('an HTML card of the row, every value escaped and scripts forbidden', async () => {
    const response = await request(url, 'GET', sub('preview', { id: 'V4' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = response.body as string;
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; Sons');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<th>revenue</th><td>7</td>');

    const plain = await request(url, 'GET', sub('preview', { id: 'V1' }));
    expect(plain.body).toContain('<h1>Acme Corporation</h1>');
  });

  it('an unknown id is a 404, a missing one a 400', async () => {
    const unknown = await request(url, 'GET', sub('preview', { id: 'V999' }));
    expect(unknown.status).toBe(404);
    expectErrorShape(unknown.body, 'not_found');
    const missing = await request(url, 'GET', sub('preview', {}));
    expect(missing.status).toBe(400);
    expectErrorShape(missing.body, 'validation_error');
  });
});

describe('suggest', () => {
  it('entities whose name starts with the prefix, valid against suggest-entities-response.json', async () => {
    const response = await request(url, 'GET', sub('suggest/entity', { prefix: 'aCm' }));
    expect(response.status).toBe(200);
    expectValid('suggest-entities-response', response.body);
    expect(response.body.result).toEqual([
      { id: 'V1', name: 'Acme Corporation' },
      { id: 'V2', name: 'Acme Holdings' },
    ]);
    const page = await request(url, 'GET', sub('suggest/entity', { prefix: 'acme', limit: '1', cursor: '1' }));
    expect(page.body.result).toEqual([{ id: 'V2', name: 'Acme Holdings' }]);
    // LIKE's wildcards are the user's text: "%" finds the name that starts with "%" only.
    const percent = await request(url, 'GET', sub('suggest/entity', { prefix: '100%' }));
    expect(percent.body.result).toEqual([{ id: 'V5', name: '100% Pure' }]);
    expect((await request(url, 'GET', sub('suggest/entity', { prefix: '%' }))).body.result).toEqual([]);
    expect((await request(url, 'GET', sub('suggest/entity', { prefix: '_' }))).body.result).toEqual([]);
    const jsonp = await request(url, 'GET', sub('suggest/entity', { prefix: 'glo', callback: 'cb' }));
    expect(jsonp.body).toBe('/**/cb({"result":[{"id":"V3","name":"Globex"}]});');
  });

  it('a missing prefix or a bad limit is a 400', async () => {
    const queries: Array<Record<string, string>> = [
      {},
      { prefix: '  ' },
      { prefix: 'a', limit: '0' },
      { prefix: 'a', limit: '51' },
      { prefix: 'a', cursor: '-1' },
    ];
    for (const query of queries) {
      const response = await request(url, 'GET', sub('suggest/entity', query));
      expect(response.status, JSON.stringify(query)).toBe(400);
      expectErrorShape(response.body, 'validation_error');
    }
  });
});

describe('property suggest', () => {
  it('the properties a query may use, by prefix of their id or compared column, valid against suggest-properties-response.json', async () => {
    const response = await request(url, 'GET', sub('suggest/property', { prefix: 'TO' }));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expectValid('suggest-properties-response', response.body);
    expect(response.body.result).toEqual([{ id: 'town', name: 'town', description: 'compared with the reference column "city"' }]);
    // By the reference column it is compared with; the name mapping's column takes the query text.
    expect((await request(url, 'GET', sub('suggest/property', { prefix: 'cit' }))).body.result.map((p: any) => p.id)).toEqual(['town']);
    const vendor = await request(url, 'GET', sub('suggest/property', { prefix: 'nam' }));
    expect(vendor.body.result).toEqual([
      { id: 'vendor', name: 'vendor', description: 'compared with the reference column "name"; a query\'s text goes here too' },
    ]);
    expect((await request(url, 'GET', sub('suggest/property', { prefix: 'revenue' }))).body.result).toEqual([]);
    // What it suggests, a query takes.
    const query = await request(
      url,
      'GET',
      service({ queries: JSON.stringify({ q0: { query: 'Acme', properties: [{ pid: response.body.result[0].id, v: 'Springfield' }] } }) }),
    );
    expect(query.status).toBe(200);
    const jsonp = await request(url, 'GET', sub('suggest/property', { prefix: 'to', callback: 'cb' }));
    expect(jsonp.body).toBe(`/**/cb(${JSON.stringify(response.body)});`);
  });

  it("a strategy's service suggests the strategy's columns; a field over several columns, each of its columns; paged", async () => {
    const strategy = await request(url, 'GET', sub('suggest/property', { prefix: 'c', strategy_id: A.strategyId }));
    expect(strategy.body.result.map((p: any) => p.id)).toEqual(['company']);

    const config = await request(url, 'POST', '/v1/matching/configs', {
      key: A.fullKey,
      json: {
        name: 'addresses',
        reference_data_id: A.referenceId,
        field_mappings: [
          { source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 0.5 },
          {
            source: 'address',
            target: 'address',
            source_columns: ['street', 'town'],
            target_columns: ['name', 'city'],
            strategy: 'fuzzy',
            weight: 0.3,
            options: { algorithm: 'token_set' },
          },
          { source: 'town', target: 'city', strategy: 'exact', weight: 0.2 },
        ],
      },
    });
    expect(config.status, JSON.stringify(config.body)).toBe(201);
    const at = (query: Record<string, string>) => sub('suggest/property', query, A.readKey, config.body.id);
    const all = await request(url, 'GET', at({ prefix: 'c' }));
    expectValid('suggest-properties-response', all.body);
    expect(all.body.result).toEqual([
      { id: 'street', name: 'street', description: 'compared with the reference columns "name", "city"' },
      { id: 'town', name: 'town', description: 'compared with the reference columns "name", "city"' },
    ]);
    expect((await request(url, 'GET', at({ prefix: 'c', limit: '1', cursor: '1' }))).body.result.map((p: any) => p.id)).toEqual(['town']);
    expect((await request(url, 'GET', at({ prefix: 'c', cursor: '2' }))).body.result).toEqual([]);
    expect((await request(url, 'GET', at({ prefix: 'n' }))).body.result.map((p: any) => p.id)).toEqual(['vendor', 'street', 'town']);
  });

  it('a missing prefix, a bad limit or cursor, or a bad strategy is a 4xx in the error shape', async () => {
    for (const [query, status] of [
      [{}, 400],
      [{ prefix: ' ' }, 400],
      [{ prefix: 't', limit: '0' }, 400],
      [{ prefix: 't', limit: '51' }, 400],
      [{ prefix: 't', cursor: 'x' }, 400],
      [{ prefix: 't', strategy_id: A.otherReferenceStrategyId }, 400],
      [{ prefix: 't', strategy_id: B.strategyId }, 404],
    ] as Array<[Record<string, string>, number]>) {
      const response = await request(url, 'GET', sub('suggest/property', query));
      expect(response.status, JSON.stringify(query)).toBe(status);
      expectErrorShape(response.body, status === 400 ? 'validation_error' : 'not_found');
    }
    const other = await request(url, 'GET', sub('suggest/property', { prefix: 'v' }, B.readKey));
    expect(other.status).toBe(404);
  });
});

describe('data extension', () => {
  it('propose_properties lists the reference columns, valid against data-extension-property-proposal.json', async () => {
    const response = await request(url, 'GET', sub('propose_properties', { type: A.referenceId }));
    expect(response.status).toBe(200);
    expectValid('data-extension-property-proposal', response.body);
    expect(response.body.properties.map((property: { id: string }) => property.id)).toEqual(['vid', 'name', 'city', 'revenue']);
    const limited = await request(url, 'GET', sub('propose_properties', { limit: '2' }));
    expectValid('data-extension-property-proposal', limited.body);
    expect(limited.body).toMatchObject({ type: A.referenceId, limit: 2 });
    expect(limited.body.properties).toHaveLength(2);
  });

  it('extend returns the columns of the matched ids, valid against data-extension-response.json (GET and POST)', async () => {
    const query = { ids: ['V1', 'V2', 'V3', 'V999'], properties: [{ id: 'city' }, { id: 'revenue' }] };
    expectValid('data-extension-query', query);
    const response = await postForm(service(), { extend: JSON.stringify(query) });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expectValid('data-extension-response', response.body);
    expect(response.body.meta).toEqual([
      { id: 'city', name: 'city' },
      { id: 'revenue', name: 'revenue' },
    ]);
    expect(response.body.rows).toEqual({
      // revenue is a number column (its values were all numbers): ints and floats, as the schema spells them.
      V1: { city: [{ str: 'Springfield' }], revenue: [{ int: 1200 }] },
      V2: { city: [{ str: 'Shelbyville' }], revenue: [{ float: 35.5 }] },
      V3: { city: [{ str: 'Springfield' }], revenue: [] },
      V999: { city: [], revenue: [] },
    });
    const got = await request(url, 'GET', service({ extend: JSON.stringify(query) }));
    expect(got.body).toEqual(response.body);
  });

  it('an unknown property, no ids or bad JSON is a 400', async () => {
    for (const extend of [
      JSON.stringify({ ids: ['V1'], properties: [{ id: 'colour' }] }),
      JSON.stringify({ ids: [], properties: [{ id: 'city' }] }),
      '{"ids":',
      '[]',
    ]) {
      const response = await postForm(service(), { extend });
      expect(response.status, extend).toBe(400);
      expectErrorShape(response.body, 'validation_error');
    }
  });
});

describe('hostile input', () => {
  /** Sends one request; fails on a 5xx, or a 4xx outside the error shape. */
  async function expectHandled(label: string, send: () => Promise<JsonResponse>): Promise<void> {
    const response = await send();
    expect(response.status, `${label}: ${JSON.stringify(response.body)?.slice(0, 300)}`).toBeLessThan(500);
    if (response.status >= 400) expectErrorShape(response.body, response.body?.code);
  }
  const validQueries = {
    q0: { query: 'Acme', type: 'x', limit: 3, properties: [{ pid: 'town', v: ['Springfield', { id: 'a', name: 'b' }] }] },
  };
  const validExtend = { ids: ['V1', 'V2'], properties: [{ id: 'city', settings: {} }] };
  const asParameter = (value: unknown) =>
    typeof value === 'string' && Math.random() < 0.3 ? value : (JSON.stringify(value) ?? 'undefined');

  it('queries and extend: arbitrary and near-valid JSON, by GET and form POST', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('queries', 'extend'),
        fc.boolean(),
        hostileBody(validQueries),
        hostileBody(validExtend),
        async (name, post, queries, extension) => {
          // Lone surrogates (which URLSearchParams would replace anyway) as U+FFFD, so the text can be URL-encoded.
          const text = asParameter(name === 'queries' ? queries : extension)
            .slice(0, 100_000)
            .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
          // A GET's URL stays within Node's header limit (16 KB; beyond it Node answers 431 before Concord sees it),
          // measured as the query string is sent (URLSearchParams encodes ' and ( that encodeURIComponent keeps).
          const viaPost = post || new URLSearchParams({ [name]: text }).toString().length > 12_000;
          const label = `${viaPost ? 'POST' : 'GET'} ${name}=${text.slice(0, 200)}`;
          await expectHandled(label, () =>
            viaPost ? postForm(service(), { [name]: text }) : request(url, 'GET', service({ [name]: text })),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('preview ids, suggest prefixes, limits, cursors, callbacks and strategy ids: hostile strings', { timeout: 120_000 }, async () => {
    const text = hostileString.filter((value) => value.length < 3000).map((value) => value.replace(/[\ud800-\udfff]/g, '\ufffd'));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('preview', 'suggest', 'propose', 'manifest', 'strategy'),
        text,
        text,
        async (route, first, second) => {
          const path =
            route === 'preview'
              ? sub('preview', { id: first })
              : route === 'suggest'
                ? sub('suggest/entity', { prefix: first, limit: second, cursor: second })
                : route === 'propose'
                  ? sub('propose_properties', { type: first, limit: second })
                  : route === 'strategy'
                    ? service({ strategy_id: first, queries: JSON.stringify({ q0: { query: second } }) })
                    : service({ callback: first });
          // Within Node's header limit (16 KB): beyond it Node answers 431 with no body before Concord sees the
          // request (two parameters of 3,000 characters percent-encode past it).
          fc.pre(path.length <= 12_000);
          await expectHandled(`${route} ${path.slice(0, 300)}`, () => request(url, 'GET', path));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('logs', () => {
  it('no log line carries a key, whether it came in the URL or the header', async () => {
    // Every request above was logged (route pattern, status): wait for the last ones to be written.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines.some((line) => line.includes('/v1/reconcile/:config_id'))).toBe(true);
    for (const key of [A.readKey, A.writeKey, A.fullKey, B.readKey]) {
      const leaking = lines.filter((line) => line.includes(key) || line.includes(key.slice(3)));
      expect(leaking, `log lines with a key: ${leaking.join('\n')}`).toEqual([]);
    }
    expect(lines.filter((line) => line.includes('"level":50'))).toEqual([]);
  });
});
