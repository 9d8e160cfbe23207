import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { expectErrorShape, graphql, request } from '../support/http';
import { startWorker, type RunningWorker } from '../../src/worker';
import { createStrategy } from '../../src/modules/strategies/service';
import { createContext } from '../../src/context';
import { FEBRL_MAPPINGS, setupFebrl, waitForRun, type FebrlSetup } from './runs-fixture';

let server: TestServer;
let worker: RunningWorker;
let workspace: TestWorkspace;
let febrl: FebrlSetup;
let completedRunId: string;

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

beforeAll(async () => {
  server = await startTestServer({ RUN_CHUNK_SIZE: 500, RUN_WORKER: false });
  worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
  workspace = await server.newWorkspace('runs');
  febrl = await setupFebrl(server.url, workspace.key);
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

describe('REST runs on FEBRL4', { timeout: 180_000 }, () => {
  it('POST …/run answers 202 with the queued run object of the reference page', async () => {
    const response = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, { key: workspace.key });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    const run = response.body;
    expect(Object.keys(run).sort()).toEqual(
      [
        'id',
        'matching_config_id',
        'status',
        'triggered_by',
        'rows_processed',
        'rows_matched',
        'avg_confidence',
        'started_at',
        'completed_at',
        'error',
        'created_at',
        'reference_version',
        'links',
      ].sort(),
    );
    expect(run).toMatchObject({
      matching_config_id: febrl.configId,
      reference_version: null,
      status: 'queued',
      triggered_by: 'manual',
      rows_processed: null,
      rows_matched: null,
      avg_confidence: null,
      started_at: null,
      completed_at: null,
      error: null,
      links: { self: `/v1/matching/runs/${run.id}`, config: `/v1/matching/configs/${febrl.configId}` },
    });
    expect(run.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    completedRunId = run.id;

    const done = await waitForRun(server.url, workspace.key, run.id);
    expect(done.status, JSON.stringify(done)).toBe('completed');
    expect(done.rows_processed).toBe(5000);
    expect(done.rows_matched).toBeGreaterThan(4000);
    expect(done.avg_confidence).toBeGreaterThan(0.8);
    expect(done.avg_confidence).toBeLessThanOrEqual(1);
    expect(done.started_at).toMatch(/\.\d{3}Z$/);
    expect(done.completed_at).toMatch(/\.\d{3}Z$/);
    expect(done.results).toHaveLength(50);
    const confidences = done.results.map((result: any) => result.confidence);
    expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);

    const chunks = await server.app.sql`select status, worker_id from run_chunks where run_id = ${run.id}`;
    expect(chunks).toHaveLength(10);
    expect(chunks.every((chunk) => chunk.status === 'done' && chunk.worker_id === worker.workerId)).toBe(true);

    const progress = await request(server.url, 'GET', `/v1/matching/runs/${run.id}/progress`, { key: workspace.key });
    expect(progress.body).toMatchObject({
      run_id: run.id,
      status: 'completed',
      phase: 'done',
      phase_progress: 1,
      rows_total: 5000,
      rows_processed: 5000,
      rows_matched: done.rows_matched,
    });
  });

  it('results: the pages and the CSV export agree, filters work, and matches are mostly right', async () => {
    const all: any[] = [];
    for (let page = 1; ; page++) {
      const response = await request(server.url, 'GET', `/v1/matching/runs/${completedRunId}/results?page=${page}&limit=500`, {
        key: workspace.key,
      });
      expect(response.status).toBe(200);
      expect(response.body.pagination).toEqual({ total: 5000, page, limit: 500 });
      all.push(...response.body.data);
      if (response.body.data.length < 500) break;
    }
    expect(all).toHaveLength(5000);
    expect(new Set(all.map((result) => result.document_id)).size).toBe(5000);
    const first = all[0];
    expect(Object.keys(first).sort()).toEqual(
      [
        'id',
        'document_id',
        'document_filename',
        'matched_reference_row_id',
        'matched_reference_external_id',
        'confidence',
        'status',
        'evidence',
        'candidates',
        'notes',
        'reviewed_at',
      ].sort(),
    );
    const matched = all.filter((result) => result.matched_reference_row_id);
    const correct = matched.filter((result) => result.matched_reference_external_id.split('-')[1] === result.document_id.split('-')[1]);
    expect(correct.length / matched.length).toBeGreaterThan(0.95);
    const withEvidence = matched[0];
    expect(withEvidence.evidence).toHaveLength(FEBRL_MAPPINGS.length);
    expect(Object.keys(withEvidence.evidence[0]).sort()).toEqual([
      'reference_value',
      'score',
      'source_field',
      'source_value',
      'strategy',
      'target_field',
    ]);
    expect(withEvidence.candidates[0]).toEqual({
      reference_row_id: withEvidence.matched_reference_row_id,
      confidence: withEvidence.confidence,
    });

    const csv = await request(server.url, 'GET', `/v1/matching/runs/${completedRunId}/results?format=csv`, { key: workspace.key });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (csv.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,document_id,document_filename,matched_reference_row_id,matched_reference_external_id,confidence,status,notes,reviewed_at',
    );
    expect(lines).toHaveLength(5001);
    lines.slice(1).forEach((line, index) => {
      const cells = line.split(',');
      const result = all[index];
      expect(cells[0]).toBe(result.id);
      expect(cells[1]).toBe(result.document_id);
      expect(cells[3]).toBe(result.matched_reference_row_id ?? '');
      expect(Number(cells[5])).toBe(result.confidence);
    });

    const onlyMatched = await request(server.url, 'GET', `/v1/matching/runs/${completedRunId}/results?matched=true&limit=1`, {
      key: workspace.key,
    });
    expect(onlyMatched.body.pagination.total).toBe(matched.length);
    const unmatched = await request(server.url, 'GET', `/v1/matching/runs/${completedRunId}/results?matched=false&limit=1`, {
      key: workspace.key,
    });
    expect(unmatched.body.pagination.total).toBe(5000 - matched.length);
    const confident = await request(server.url, 'GET', `/v1/matching/runs/${completedRunId}/results?min_confidence=0.95&limit=500`, {
      key: workspace.key,
    });
    expect(confident.body.data.every((result: any) => result.confidence >= 0.95)).toBe(true);
    const bad = await request(server.url, 'GET', `/v1/matching/runs/${completedRunId}/results?min_confidence=2`, { key: workspace.key });
    expect(bad.status).toBe(400);
    expectErrorShape(bad.body, 'validation_error');
    const unknownFormat = await request(server.url, 'GET', `/v1/matching/runs/${completedRunId}/results?format=xml`, {
      key: workspace.key,
    });
    expect(unknownFormat.status).toBe(400);
    expectErrorShape(unknownFormat.body, 'validation_error');
    expect(unknownFormat.body.message).toContain('format');
    const explicitJson = await request(server.url, 'GET', `/v1/matching/runs/${completedRunId}/results?format=json&limit=1`, {
      key: workspace.key,
    });
    expect(explicitJson.body.pagination.total).toBe(5000);
  });

  it("a review changes a result's status and notes", async () => {
    const page = await request(server.url, 'GET', `/v1/matching/runs/${completedRunId}/results?limit=2`, { key: workspace.key });
    const [a, b] = page.body.data;
    const approved = await request(server.url, 'POST', `/v1/matching/runs/${completedRunId}/results/${a.id}/review`, {
      key: workspace.key,
      json: { status: 'approved', notes: 'looks right' },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ id: a.id, status: 'approved', notes: 'looks right' });
    expect(approved.body.reviewed_at).toMatch(/\.\d{3}Z$/);
    const rejected = await request(server.url, 'POST', `/v1/matching/runs/${completedRunId}/results/${b.id}/review`, {
      key: workspace.key,
      json: { status: 'rejected' },
    });
    expect(rejected.body.status).toBe('rejected');
    const filtered = await request(server.url, 'GET', `/v1/matching/runs/${completedRunId}/results?status=approved`, {
      key: workspace.key,
    });
    expect(filtered.body.data.map((result: any) => result.id)).toEqual([a.id]);
    const invalid = await request(server.url, 'POST', `/v1/matching/runs/${completedRunId}/results/${a.id}/review`, {
      key: workspace.key,
      json: { status: 'maybe' },
    });
    expect(invalid.status).toBe(400);
    expectErrorShape(invalid.body, 'validation_error');
    const missing = await request(server.url, 'POST', `/v1/matching/runs/${completedRunId}/results/${NIL_UUID}/review`, {
      key: workspace.key,
      json: { status: 'approved' },
    });
    expect(missing.status).toBe(404);
    expectErrorShape(missing.body, 'not_found');
  });

  it('cancel of a completed run is 409 conflict', async () => {
    const response = await request(server.url, 'POST', `/v1/matching/runs/${completedRunId}/cancel`, { key: workspace.key });
    expect(response.status).toBe(409);
    expectErrorShape(response.body, 'conflict');
  });

  it('runs inline documents and overrides of the source', async () => {
    const response = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, {
      key: workspace.key,
      json: {
        documents: [
          {
            document_id: 'inv-1',
            document_filename: 'a.pdf',
            values: { given_name: 'michaela', surname: 'neumann', date_of_birth: '19151111', suburb: 'winston hills', postcode: '4223' },
          },
          { document_id: 'inv-2', values: { given_name: 'zzzz', surname: 'qqqq' } },
        ],
      },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    const done = await waitForRun(server.url, workspace.key, response.body.id);
    expect(done).toMatchObject({ status: 'completed', rows_processed: 2, rows_matched: 1 });
    const results = await request(server.url, 'GET', `/v1/matching/runs/${done.id}/results`, { key: workspace.key });
    expect(results.body.data[0]).toMatchObject({
      document_id: 'inv-1',
      document_filename: 'a.pdf',
      matched_reference_external_id: 'rec-1070-org',
      confidence: 1,
    });
    expect(results.body.data[1]).toMatchObject({ document_id: 'inv-2', matched_reference_row_id: null, document_filename: null });

    const invalid = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, {
      key: workspace.key,
      json: { source_data_id: febrl.referenceId },
    });
    expect(invalid.status).toBe(400);
    expectErrorShape(invalid.body, 'validation_error');
  });

  it('smart-run: 400 without strategy_id, 404 for unknown or foreign strategies and configs, 202 with a stored strategy', async () => {
    const missing = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/smart-run`, { key: workspace.key, json: {} });
    expect(missing.status).toBe(400);
    expectErrorShape(missing.body, 'validation_error');
    expect(missing.body.message).toBe('strategy_id is required for smart-run.');
    const unknown = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/smart-run`, {
      key: workspace.key,
      json: { strategy_id: NIL_UUID },
    });
    expect(unknown.status).toBe(404);
    expectErrorShape(unknown.body, 'not_found');
    const noConfig = await request(server.url, 'POST', `/v1/matching/configs/${NIL_UUID}/run`, { key: workspace.key });
    expect(noConfig.status).toBe(404);
    expectErrorShape(noConfig.body, 'not_found');

    const context = await createContext(server.app, { authorization: `Bearer ${workspace.key}` });
    const strategy = await createStrategy(context, {
      matchingConfigId: febrl.configId,
      plan: { fieldMappings: FEBRL_MAPPINGS as never, threshold: 0.9 },
      version: 3,
    });
    const other = await server.newWorkspace('other');
    const foreignStrategy = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/smart-run`, {
      key: other.key,
      json: { strategy_id: strategy.id },
    });
    expect(foreignStrategy.status).toBe(404);
    const foreignRun = await request(server.url, 'GET', `/v1/matching/runs/${completedRunId}`, { key: other.key });
    expect(foreignRun.status).toBe(404);
    expectErrorShape(foreignRun.body, 'not_found');

    const started = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/smart-run`, {
      key: workspace.key,
      json: { strategy_id: strategy.id },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({ status: 'queued', triggered_by: 'manual', strategy_id: strategy.id, strategy_version: 3 });
    const done = await waitForRun(server.url, workspace.key, started.body.id);
    expect(done).toMatchObject({ status: 'completed', rows_processed: 5000, strategy_id: strategy.id });
    const [snapshot] = await server.app.sql`select snapshot from runs where id = ${done.id}`;
    expect(snapshot!.snapshot.match.threshold).toBe(0.9);
  });

  it('lists runs newest first with filters and cursor pagination', async () => {
    const first = await request(server.url, 'GET', `/v1/matching/runs?config_id=${febrl.configId}&limit=2`, { key: workspace.key });
    expect(first.status).toBe(200);
    expect(first.body.pagination).toMatchObject({ total: 3, limit: 2, has_more: true });
    const second = await request(
      server.url,
      'GET',
      `/v1/matching/runs?config_id=${febrl.configId}&limit=2&cursor=${first.body.pagination.next_cursor}`,
      { key: workspace.key },
    );
    expect(second.body.pagination).toMatchObject({ total: 3, has_more: false, next_cursor: null });
    const ids = [...first.body.data, ...second.body.data].map((run: any) => run.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids[2]).toBe(completedRunId);
    const completed = await request(server.url, 'GET', '/v1/matching/runs?status=completed', { key: workspace.key });
    expect(completed.body.data.every((run: any) => run.status === 'completed')).toBe(true);
    const badStatus = await request(server.url, 'GET', '/v1/matching/runs?status=done', { key: workspace.key });
    expect(badStatus.status).toBe(400);
    const readOnly = await workspace.keyWithScopes(['read']);
    const forbidden = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, { key: readOnly });
    expect(forbidden.status).toBe(403);
    const anonymous = await request(server.url, 'GET', '/v1/matching/runs');
    expect(anonymous.status).toBe(401);
  });

  it('records runs started by a caller as manual (REST and GraphQL alike) and stores no other trigger than manual or scheduled', async () => {
    // The reference page's /run and /smart-run examples answer "manual"; REST used to record "api".
    const started = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, { key: workspace.key });
    expect(started.body.triggered_by).toBe('manual');
    const shown = await graphql(
      server.url,
      'query TriggeredBy($id: ID!) { run(id: $id) { ... on QueryRunSuccess { data { triggeredBy } } } }',
      { id: started.body.id },
      workspace.key,
    );
    expect(shown.body).toEqual({ data: { run: { data: { triggeredBy: 'MANUAL' } } } });
    await waitForRun(server.url, workspace.key, started.body.id);
    // The migration turned stored "api" runs into "manual" ones, and a check constraint keeps it so.
    await expect(server.app.sql`update runs set triggered_by = 'api' where id = ${started.body.id}`).rejects.toMatchObject({
      code: '23514',
    });
  });
});
