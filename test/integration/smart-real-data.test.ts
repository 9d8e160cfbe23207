// A smart run through the service on a small slice of real data (Walmart-Amazon) gives the F1 the quality bench
// computes in-process for the same tables (issue 17): REST upload → strategy generation → smart run → results.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineRow } from '../../src/matching/index';
import { runSmart } from '../../bench/quality/smart-run';
import { sampledTable } from '../../bench/quality/table';
import type { QualityDataset } from '../../bench/quality/types';
import { fixture, uploadForm } from '../support/fixtures';
import { graphql, request } from '../support/http';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { startWorker, type RunningWorker } from '../../src/worker';
import { waitForRun } from './runs-fixture';

const COLUMNS = ['id', 'title', 'category', 'brand', 'modelno', 'price'];
type Record_ = Record<string, string>;
const read = (file: string) => parse(fixture(`walmart-amazon/${file}`), { columns: true, skip_empty_lines: true }) as Record_[];

/** The first 150 Walmart products, and the Amazon products that match them plus every 20th other one. */
function slice(): { walmart: Record_[]; amazon: Record_[]; pairs: Array<[string, string]> } {
  const walmart = read('walmart.csv').slice(0, 150);
  const ids = new Set(walmart.map((r) => r.id));
  const pairs = read('true_pairs.csv')
    .filter((p) => ids.has(p.walmart_id!))
    .map((p): [string, string] => [p.walmart_id!, p.amazon_id!]);
  const matched = new Set(pairs.map(([, a]) => a));
  const amazon = read('amazon.csv').filter((r, i) => matched.has(r.id!) || i % 20 === 0);
  return { walmart, amazon, pairs };
}

let server: TestServer;
let worker: RunningWorker;
let workspace: TestWorkspace;
let referenceId: string;
let sourceId: string;
const data = slice();

beforeAll(async () => {
  server = await startTestServer({ RUN_CHUNK_SIZE: 1000, RUN_WORKER: false, RUN_PROGRESS_INTERVAL_MS: 0 });
  worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
  workspace = await server.newWorkspace('real-data');
  const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
  const csv = (rows: Record_[]) =>
    [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => quote(r[c] ?? '')).join(','))].join('\n') + '\n';
  const upload = async (path: string, rows: Record_[], name: string) => {
    const response = await request(server.url, 'POST', path, {
      key: workspace.key,
      body: uploadForm(csv(rows), `${name}.csv`, { name, id_column: 'id' }),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.id as string;
  };
  referenceId = await upload('/v1/reference-data', data.amazon, 'amazon');
  sourceId = await upload('/v1/source-data', data.walmart, 'walmart');
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

function f1(predicted: Array<[string, string]>, truth: Array<[string, string]>): number {
  const truePairs = new Set(truth.map(([s, r]) => `${s}|${r}`));
  const tp = predicted.filter(([s, r]) => truePairs.has(`${s}|${r}`)).length;
  if (tp === 0) return 0;
  const precision = tp / predicted.length;
  const recall = tp / truth.length;
  return (2 * precision * recall) / (precision + recall);
}

describe('a smart run on real product data', { timeout: 240_000 }, () => {
  it('has the F1 through REST that the quality bench computes for the same tables', async () => {
    const config = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      json: {
        name: 'products',
        reference_data_id: referenceId,
        source_data_id: sourceId,
        field_mappings: [{ source: 'title', target: 'title', strategy: 'fuzzy', weight: 1 }],
        threshold: 0.8,
      },
    });
    expect(config.status, JSON.stringify(config.body)).toBe(201);
    const strategy = await request(server.url, 'POST', '/v1/matching/strategies/generate', {
      key: workspace.key,
      json: { matching_config_id: config.body.id },
    });
    expect(strategy.status, JSON.stringify(strategy.body).slice(0, 1000)).toBe(201);
    // Fields over several columns are shown as such, over REST and GraphQL.
    const codes = strategy.body.field_mappings.find((m: any) => m.options.algorithm === 'codes');
    expect(codes).toMatchObject({
      source_columns: expect.arrayContaining(['title', 'modelno']),
      target_columns: expect.arrayContaining(['title', 'modelno']),
    });
    const viaGraphQL = await graphql(
      server.url,
      'query StrategyFields($id: ID!) { strategy(id: $id) { ... on QueryStrategySuccess { data { fieldMappings { source sourceColumns targetColumns options { algorithm } } } } } }',
      { id: strategy.body.id },
      workspace.key,
    );
    expect(viaGraphQL.body.errors, JSON.stringify(viaGraphQL.body.errors)).toBeUndefined();
    expect(viaGraphQL.body.data!.strategy.data.fieldMappings).toContainEqual(
      expect.objectContaining({ sourceColumns: codes.source_columns, options: { algorithm: 'CODES' } }),
    );
    const started = await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/smart-run`, {
      key: workspace.key,
      json: { strategy_id: strategy.body.id },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await waitForRun(server.url, workspace.key, started.body.id);
    expect(done.status).toBe('completed');
    const served: Array<[string, string]> = [];
    for (let page = 1; ; page++) {
      const response = await request(
        server.url,
        'GET',
        `/v1/matching/runs/${started.body.id}/results?matched=true&limit=500&page=${page}`,
        { key: workspace.key },
      );
      expect(response.status).toBe(200);
      for (const result of response.body.data) served.push([String(result.document_id), String(result.matched_reference_external_id)]);
      if (response.body.data.length < 500) break;
    }

    // The bench's way: the same rows (values as uploaded, the id column among them), in-process.
    const rows = (records: Record_[]): EngineRow[] =>
      records.map((r) => ({ id: r.id!, values: Object.fromEntries(COLUMNS.map((c) => [c, r[c] ?? ''])) }));
    const dataset: QualityDataset = {
      name: 'walmart_amazon_slice',
      reference: { ...sampledTable(COLUMNS, rows(data.amazon)), idColumn: 'id' },
      source: { ...sampledTable(COLUMNS, rows(data.walmart)), idColumn: 'id' },
      truth: new Map(),
      handConfig: { fieldMappings: [], threshold: 1 },
    };
    const bench = runSmart(dataset);
    const benchPairs = bench.rows.filter((r) => r.referenceRowId !== null).map((r): [string, string] => [r.sourceRowId, r.referenceRowId!]);

    const servedF1 = f1(served, data.pairs);
    expect(servedF1).toBeGreaterThan(0.5);
    expect(servedF1).toBeCloseTo(f1(benchPairs, data.pairs), 6);
  });

  it("takes a strategy's field over several columns into a config (codes anywhere), checks each listed column, and runs it", async () => {
    const codes = {
      source: 'codes',
      target: 'codes',
      strategy: 'fuzzy',
      weight: 1,
      options: { algorithm: 'codes' },
      source_columns: ['title', 'modelno'],
      target_columns: ['title', 'modelno'],
    };
    const create = (mapping: Record<string, unknown>) =>
      request(server.url, 'POST', '/v1/matching/configs', {
        key: workspace.key,
        json: { name: 'codes', reference_data_id: referenceId, source_data_id: sourceId, field_mappings: [mapping], threshold: 0.5 },
      });
    const refused = await create({ ...codes, source_columns: ['title', 'model_number'] });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toContainEqual({
      path: 'field_mappings[0].source_columns[1]',
      message: 'the source data has no column "model_number"',
    });
    const alone = await create({ ...codes, target_columns: undefined });
    expect(alone.status).toBe(400);
    expect(JSON.stringify(alone.body.details)).toMatch(/go together/);
    const config = await create(codes);
    expect(config.status, JSON.stringify(config.body)).toBe(201);
    expect(config.body.field_mappings[0]).toMatchObject({ source_columns: ['title', 'modelno'], options: { algorithm: 'codes' } });
    const started = await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/run`, { key: workspace.key, json: {} });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await waitForRun(server.url, workspace.key, started.body.id);
    expect(done.status).toBe('completed');
    const matched = await request(server.url, 'GET', `/v1/matching/runs/${started.body.id}/results?matched=true&limit=500`, {
      key: workspace.key,
    });
    const predicted = matched.body.data.map((r: any): [string, string] => [String(r.document_id), String(r.matched_reference_external_id)]);
    // A shared rare model number alone finds most pairs of the slice.
    expect(f1(predicted, data.pairs)).toBeGreaterThan(0.5);
    expect(matched.body.data[0].evidence[0]).toMatchObject({ source_field: 'codes' });

    // GraphQL takes the same field (and leaves other mappings' lists out).
    const created = await graphql(
      server.url,
      'mutation CreateCodesConfig($input: MatchingConfigInput!) { createMatchingConfig(input: $input) { __typename ... on MutationCreateMatchingConfigSuccess { data { fieldMappings { source sourceColumns targetColumns options { algorithm } } } } ... on ValidationError { message } } }',
      {
        input: {
          name: 'codes (GraphQL)',
          referenceDataId: referenceId,
          sourceDataId: sourceId,
          threshold: 0.5,
          fieldMappings: [
            {
              source: 'codes',
              target: 'codes',
              strategy: 'FUZZY',
              weight: 0.5,
              options: { algorithm: 'CODES' },
              sourceColumns: ['title', 'modelno'],
              targetColumns: ['title', 'modelno'],
            },
            { source: 'brand', target: 'brand', strategy: 'EXACT', weight: 0.5 },
          ],
        },
      },
      workspace.key,
    );
    expect(created.body.errors, JSON.stringify(created.body)).toBeUndefined();
    expect(created.body.data.createMatchingConfig.data.fieldMappings).toEqual([
      { source: 'codes', sourceColumns: ['title', 'modelno'], targetColumns: ['title', 'modelno'], options: { algorithm: 'CODES' } },
      { source: 'brand', sourceColumns: null, targetColumns: null, options: { algorithm: null } },
    ]);
  });
});
