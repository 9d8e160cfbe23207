/**
 * Input bounds of issue 19, through a real server: JSON nesting is limited to 256 levels in every entry point (REST
 * bodies, JSON file uploads, GraphQL createDataset), numeric query parameters take decimal digits only, and a
 * read-only key running a GraphQL mutation is told it lacks "write".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadForm } from '../support/fixtures';
import { expectErrorShape, graphql, request } from '../support/http';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';

let server: TestServer;
let workspace: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer({ RUN_WORKER: false });
  workspace = await server.newWorkspace('bounds');
});

afterAll(async () => {
  await server?.close();
});

/** `levels` objects nested in one another, as JSON text: {"a": {"a": … {} …}} (JSON.stringify overflows at 5,000). */
function nested(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
}

/** createDataset with one row whose `v` is nested `levels` deep, sent as text. */
function createDeepDataset(name: string, levels: number, key = workspace.key) {
  const variables = `{"input":{"kind":"REFERENCE","name":${JSON.stringify(name)},"data":[{"id":"1","v":${nested(levels)}}]}}`;
  return request(server.url, 'POST', '/graphql', {
    key,
    body: `{"query":${JSON.stringify(CREATE_DATASET)},"variables":${variables}}`,
    headers: { 'content-type': 'application/json' },
  });
}

const CREATE_DATASET = `mutation($input: CreateDatasetInput!) {
  createDataset(input: $input) {
    __typename
    ... on ValidationError { message }
    ... on MutationCreateDatasetSuccess { data { databaseId rowCount } }
  }
}`;

async function datasetCount(): Promise<number> {
  const [row] = await server.app.sql<{ n: number }[]>`select count(*)::int as n from datasets where workspace_id = ${workspace.id}`;
  return row!.n;
}

describe('JSON nesting: 256 levels in every entry point', () => {
  it('GraphQL createDataset refuses data nested past 256 levels (5,000 was an INTERNAL_SERVER_ERROR, 3,000 was stored)', async () => {
    const before = await datasetCount();
    for (const levels of [5000, 3000, 257]) {
      // The input is {name, kind, data: [row]}: the row's value adds its levels to the three around it, as in REST.
      const response = await createDeepDataset(`deep-${levels}`, levels - 3);
      expect(response.body.errors, String(levels)).toBeUndefined();
      expect(response.body.data.createDataset, String(levels)).toEqual({
        __typename: 'ValidationError',
        message: 'The dataset is nested deeper than 256 levels.',
      });
    }
    expect(await datasetCount()).toBe(before);
    const atLimit = await createDeepDataset('deep-256', 253);
    expect(atLimit.body.data.createDataset, JSON.stringify(atLimit.body).slice(0, 300)).toMatchObject({
      __typename: 'MutationCreateDatasetSuccess',
      data: { rowCount: 1 },
    });
  });

  it('REST: the same row is refused in a JSON body and in a JSON file upload', async () => {
    const before = await datasetCount();
    const body = await request(server.url, 'POST', '/v1/reference-data', {
      key: workspace.key,
      body: `{"name":"deep","data":[{"id":"1","v":${nested(254)}}]}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(body.status).toBe(400);
    expectErrorShape(body.body, 'validation_error');
    expect(body.body.message).toBe('The body is nested deeper than 256 levels.');
    for (const levels of [3000, 257]) {
      const file = `[{"id":"1","v":${nested(levels - 2)}}]`;
      const upload = await request(server.url, 'POST', '/v1/reference-data', {
        key: workspace.key,
        body: uploadForm(file, 'deep.json', { name: 'deep' }, 'application/json'),
      });
      expect(upload.status, `${levels}: ${JSON.stringify(upload.body).slice(0, 300)}`).toBe(400);
      expectErrorShape(upload.body, 'validation_error');
      expect(upload.body.message).toBe('Line 1: the JSON is nested deeper than 256 levels.');
    }
    expect(await datasetCount()).toBe(before);
    const file = `[{"id":"1","v":${nested(254)}}]`;
    const atLimit = await request(server.url, 'POST', '/v1/reference-data', {
      key: workspace.key,
      body: uploadForm(file, 'deep.json', { name: 'deep-256' }, 'application/json'),
    });
    expect(atLimit.status, JSON.stringify(atLimit.body).slice(0, 300)).toBe(201);
  });
});

describe('numeric query parameters: decimal digits only', () => {
  it('refuses 0x10, 1e1, 0b11, 0o7, Infinity, " 5" and "+5" with 400 validation_error on every list route', async () => {
    const reference = await request(server.url, 'POST', '/v1/reference-data', {
      key: workspace.key,
      json: { name: 'r', id_column: 'id', data: [{ id: '1', n: 'a' }] },
    });
    const config = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      json: {
        name: 'c',
        reference_data_id: reference.body.id,
        field_mappings: [{ source: 'n', target: 'n', strategy: 'exact', weight: 1 }],
        threshold: 0.5,
      },
    });
    const run = await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/run`, {
      key: workspace.key,
      json: { documents: [{ document_id: 'd', values: { n: 'a' } }] },
    });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    const hook = await request(server.url, 'POST', '/v1/webhooks', { key: workspace.key, json: { url: 'https://example.com/hook' } });
    const routes: Array<[string, string]> = [
      ['/v1/reference-data', 'limit'],
      ['/v1/reference-data', 'page'],
      [`/v1/reference-data/${reference.body.id}/rows`, 'limit'],
      [`/v1/reference-data/${reference.body.id}/rows`, 'page'],
      ['/v1/source-data', 'limit'],
      ['/v1/matching/configs', 'limit'],
      ['/v1/matching/runs', 'limit'],
      [`/v1/matching/runs/${run.body.id}/results`, 'limit'],
      [`/v1/matching/runs/${run.body.id}/results`, 'page'],
      [`/v1/matching/runs/${run.body.id}/results`, 'min_confidence'],
      ['/v1/matching/strategies', 'limit'],
      ['/v1/webhooks', 'limit'],
      [`/v1/webhooks/${hook.body.id}/deliveries`, 'limit'],
    ];
    for (const [path, name] of routes) {
      const good = name === 'min_confidence' ? '0.5' : '16';
      const ok = await request(server.url, 'GET', `${path}?${name}=${good}`, { key: workspace.key });
      expect(ok.status, `${path}?${name}=${good}: ${JSON.stringify(ok.body).slice(0, 200)}`).toBe(200);
      for (const bad of ['0x10', '1e1', '0b11', '0o7', 'Infinity', '%205', '%2B5', '1_0']) {
        const response = await request(server.url, 'GET', `${path}?${name}=${bad}`, { key: workspace.key });
        expect(response.status, `${path}?${name}=${bad}`).toBe(400);
        expectErrorShape(response.body, 'validation_error');
        expect(response.body.details, `${path}?${name}=${bad}`).toEqual([{ path: name, message: 'must be a number' }]);
      }
    }
    const sixteen = await request(server.url, 'GET', '/v1/webhooks?limit=16', { key: workspace.key });
    expect(sixteen.body.pagination.limit).toBe(16);
  });
});

describe('GraphQL scopes', () => {
  it('a read-only key running a mutation is told it lacks the "write" scope, as REST says', async () => {
    const readOnly = await workspace.keyWithScopes(['read']);
    const mutation = await graphql(server.url, CREATE_DATASET, { input: { kind: 'REFERENCE', name: 'ro', data: [{ id: '1' }] } }, readOnly);
    expect(mutation.body.errors?.[0]).toMatchObject({
      message: 'This API key lacks the "write" scope.',
      extensions: { code: 'insufficient_scope' },
    });
    const rest = await request(server.url, 'POST', '/v1/reference-data', { key: readOnly, json: { name: 'ro', data: [{ id: '1' }] } });
    expect(rest.status).toBe(403);
    expect(rest.body.message).toBe(mutation.body.errors?.[0]?.message);
    const writeOnly = await workspace.keyWithScopes(['write']);
    const query = await graphql(server.url, '{ viewer { scopes } }', {}, writeOnly);
    expect(query.body.errors?.[0]).toMatchObject({
      message: 'This API key lacks the "read" scope.',
      extensions: { code: 'insufficient_scope' },
    });
  });
});
