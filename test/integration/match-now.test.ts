import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { expectErrorShape, graphql, request } from '../support/http';
import { startWorker, type RunningWorker } from '../../src/worker';
import { buildReferenceIndex, matchSlice, type MatchConfig } from '../../src/matching';
import { setupFebrl, waitForRun, type FebrlSetup } from './runs-fixture';

let server: TestServer;
let worker: RunningWorker;
let workspace: TestWorkspace;
let febrl: FebrlSetup;
/** The first 100 source rows (position order), as records of column: value. */
let sourceRows: Array<{ external_id: string; values: Record<string, unknown> }>;

const match = (json: unknown, key = workspace.key, configId = febrl.configId) =>
  request(server.url, 'POST', `/v1/matching/configs/${configId}/match`, { key, json });

beforeAll(async () => {
  server = await startTestServer({ RUN_CHUNK_SIZE: 1000, RUN_WORKER: false });
  worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
  workspace = await server.newWorkspace('match-now');
  febrl = await setupFebrl(server.url, workspace.key);
  sourceRows = await server.app.sql`
    select external_id, values from dataset_rows where dataset_id = ${febrl.sourceId} order by position limit 100`;
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

describe('POST /v1/matching/configs/:id/match', { timeout: 180_000 }, () => {
  it('answers one result per record, in order, with the scores of a run over the same rows', async () => {
    const response = await match({ records: sourceRows.map((row) => row.values) });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.data).toHaveLength(100);

    const started = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, { key: workspace.key });
    expect(started.status).toBe(202);
    const run = await waitForRun(server.url, workspace.key, started.body.id);
    expect(run.status).toBe('completed');
    const stored = await server.app.sql<
      Array<{
        document_id: string;
        matched_reference_row_id: string | null;
        matched_reference_external_id: string | null;
        confidence: number;
        evidence: any[];
        candidates: any[];
      }>
    >`
      select document_id, matched_reference_row_id, matched_reference_external_id, confidence, evidence, candidates
      from run_results where run_id = ${run.id} and position <= 100 order by position`;
    expect(stored).toHaveLength(100);
    let matched = 0;
    stored.forEach((result, i) => {
      const now = response.body.data[i];
      expect(result.document_id).toBe(sourceRows[i]!.external_id);
      expect(now.matched_reference_row_id).toBe(result.matched_reference_row_id);
      expect(now.matched_reference_external_id).toBe(result.matched_reference_external_id);
      expect(now.matched).toBe(result.matched_reference_row_id !== null);
      expect(now.confidence).toBe(result.confidence);
      expect(now.candidates.map((c: any) => ({ referenceRowId: c.reference_row_id, confidence: c.confidence }))).toEqual(result.candidates);
      expect(now.evidence).toEqual(
        result.evidence.map((item) => ({
          source_field: item.source,
          target_field: item.target,
          strategy: item.strategy,
          score: item.score,
          source_value: item.sourceValue,
          reference_value: item.referenceValue,
        })),
      );
      if (now.matched) matched++;
    });
    expect(matched).toBeGreaterThan(70);
    const first = response.body.data.find((result: any) => result.matched);
    expect(first.candidates[0]).toMatchObject({
      reference_row_id: first.matched_reference_row_id,
      reference_external_id: first.matched_reference_external_id,
    });
  });

  it("matches with a smart strategy's model (as the engine does with the strategy's plan)", async () => {
    const generated = await request(server.url, 'POST', '/v1/matching/strategies/generate', {
      key: workspace.key,
      json: { matching_config_id: febrl.configId },
    });
    expect(generated.status, JSON.stringify(generated.body)).toBe(201);
    const strategyId = generated.body.id;
    const records = sourceRows.slice(0, 20).map((row) => row.values);
    const response = await match({ records, strategy_id: strategyId });
    expect(response.status, JSON.stringify(response.body)).toBe(200);

    const [strategy] = await server.app.sql<[{ plan: MatchConfig }]>`select plan from strategies where id = ${strategyId}`;
    const reference = await server.app.sql<Array<{ id: string; values: Record<string, unknown> }>>`
      select id, values from dataset_rows where dataset_id = ${febrl.referenceId} order by position`;
    const expected = matchSlice(
      buildReferenceIndex(reference, strategy.plan),
      records.map((values, i) => ({ id: String(i), values })),
    );
    expected.rows.forEach((row, i) => {
      expect(response.body.data[i].confidence).toBe(row.confidence);
      expect(response.body.data[i].matched_reference_row_id).toBe(row.referenceRowId);
      expect(response.body.data[i].candidates.map((c: any) => c.reference_row_id)).toEqual(row.candidates.map((c) => c.referenceRowId));
    });
    // A strategy of another workspace is not found.
    const other = await server.newWorkspace('match-now-other-strategy');
    const foreign = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/match`, {
      key: other.key,
      json: { records, strategy_id: strategyId },
    });
    expect(foreign.status).toBe(404);
  });

  it('takes the columns a field over several columns reads (its source only names it)', async () => {
    const config = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      json: {
        name: 'whole name',
        reference_data_id: febrl.referenceId,
        field_mappings: [
          {
            source: 'name',
            target: 'name',
            source_columns: ['given_name', 'surname'],
            target_columns: ['given_name', 'surname'],
            strategy: 'fuzzy',
            weight: 1,
            options: { algorithm: 'token_set' },
          },
        ],
        threshold: 0.5,
      },
    });
    expect(config.status, JSON.stringify(config.body)).toBe(201);
    const answered = await match({ records: [{ given_name: 'jane', surname: 'smith' }] }, workspace.key, config.body.id);
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body.data[0].evidence[0]).toMatchObject({ source_field: 'name' });
    const unknown = await match({ records: [{ name: 'jane smith' }] }, workspace.key, config.body.id);
    expect(unknown.status).toBe(400);
  });

  it('refuses bad input with 400, naming each problem', async () => {
    const unknownColumns = await match({ records: [{ surname: 'smith', shoe_size: 44 }, {}, 'text'] });
    expect(unknownColumns.status).toBe(400);
    expectErrorShape(unknownColumns.body, 'validation_error');
    expect(unknownColumns.body.details).toEqual([
      { path: 'records[0]', message: expect.stringContaining('unknown column "shoe_size"') },
      { path: 'records[1]', message: 'must not be empty' },
      { path: 'records[2]', message: 'must be an object of column: value' },
    ]);
    const tooMany = await match({ records: Array.from({ length: 101 }, () => ({ surname: 'smith' })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.details).toEqual([{ path: 'records', message: 'at most 100 records' }]);
    const none = await match({ records: [] });
    expect(none.status).toBe(400);
    expect(none.body.details).toEqual([{ path: 'records', message: 'must hold at least one record' }]);
    const missing = await match({});
    expect(missing.status).toBe(400);
    expect(missing.body.details[0].path).toBe('records');
    const extra = await match({ records: [{ surname: 'smith' }], threshold: 0.1 });
    expect(extra.status).toBe(400);
    expect(extra.body.details).toEqual([{ path: 'threshold', message: 'unknown field' }]);
  });

  it("answers 404 for another workspace's config or an unknown one", async () => {
    const other = await server.newWorkspace('match-now-other');
    const foreign = await match({ records: [{ surname: 'smith' }] }, other.key);
    expect(foreign.status).toBe(404);
    expectErrorShape(foreign.body, 'not_found');
    const unknown = await match({ records: [{ surname: 'smith' }] }, workspace.key, '00000000-0000-0000-0000-000000000000');
    expect(unknown.status).toBe(404);
  });

  it('needs the read scope only, and counts against the rate limit', async () => {
    const readOnly = await workspace.keyWithScopes(['read']);
    expect((await match({ records: [{ surname: 'smith' }] }, readOnly)).status).toBe(200);
    const writeOnly = await workspace.keyWithScopes(['write']);
    const refused = await match({ records: [{ surname: 'smith' }] }, writeOnly);
    expect(refused.status).toBe(403);
    expectErrorShape(refused.body, 'insufficient_scope');

    const limited = await server.newWorkspace('match-now-limit');
    const prefix = limited.key.slice(0, 9);
    const put = await request(server.url, 'PUT', `/v1/admin/workspaces/${limited.id}/api-keys/${prefix}/rate-limit`, {
      key: ADMIN_TOKEN,
      json: { rate_limit_per_minute: 1 },
    });
    expect(put.status).toBe(200);
    const once = await match({ records: [{ surname: 'smith' }] }, limited.key);
    expect(once.status).toBe(404); // another workspace's config: refused, but counted
    const twice = await match({ records: [{ surname: 'smith' }] }, limited.key);
    expect(twice.status).toBe(429);
    expect(twice.headers.get('retry-after')).not.toBeNull();
  });
});

describe('GraphQL matchRecords', { timeout: 60_000 }, () => {
  const query = `query($configId: ID!, $records: [JSON!]!, $strategyId: ID) {
    matchRecords(configId: $configId, records: $records, strategyId: $strategyId) {
      ... on QueryMatchRecordsSuccess { data { matchedReferenceRowId matchedReferenceExternalId confidence matched
        evidence { sourceField targetField score } candidates { referenceRowId referenceExternalId confidence } } }
      ... on ValidationError { message details { path message } }
      ... on NotFoundError { message }
    } }`;

  it('gives the REST answer', async () => {
    const records = sourceRows.slice(0, 5).map((row) => row.values);
    const rest = await match({ records });
    const response = await graphql(server.url, query, { configId: febrl.configId, records }, workspace.key);
    expect(response.body.errors).toBeUndefined();
    const data = (response.body.data as any).matchRecords.data;
    expect(data).toHaveLength(5);
    data.forEach((result: any, i: number) => {
      const expected = rest.body.data[i];
      expect(result.matchedReferenceRowId).toBe(expected.matched_reference_row_id);
      expect(result.matchedReferenceExternalId).toBe(expected.matched_reference_external_id);
      expect(result.confidence).toBe(expected.confidence);
      expect(result.matched).toBe(expected.matched);
      expect(result.candidates.map((c: any) => c.referenceRowId)).toEqual(expected.candidates.map((c: any) => c.reference_row_id));
    });
  });

  it('answers typed errors: validation (each problem) and not found', async () => {
    const bad = await graphql(server.url, query, { configId: febrl.configId, records: [{}, { nope: 1 }] }, workspace.key);
    expect((bad.body.data as any).matchRecords.details).toEqual([
      { path: 'records[0]', message: 'must not be empty' },
      { path: 'records[1]', message: expect.stringContaining('unknown column "nope"') },
    ]);
    const other = await server.newWorkspace('match-now-graphql-other');
    const foreign = await graphql(server.url, query, { configId: febrl.configId, records: [{ surname: 'x' }] }, other.key);
    expect((foreign.body.data as any).matchRecords.message).toMatch(/matching config/i);
  });
});
