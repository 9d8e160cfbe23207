import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { graphql, request } from '../support/http';
import { startWorker, type RunningWorker } from '../../src/worker';
import { createStrategy } from '../../src/modules/strategies/service';
import { createContext } from '../../src/context';
import { createExecutionContext, planRun, runChunk } from '../../src/modules/runs/execute';
import { scheduleTick } from '../../src/modules/runs/schedule';
import { FEBRL_MAPPINGS, setupFebrl, waitForRun, type FebrlSetup } from './runs-fixture';

let server: TestServer;
let worker: RunningWorker | undefined;
let workspace: TestWorkspace;
let febrl: FebrlSetup;

beforeAll(async () => {
  server = await startTestServer({ RUN_CHUNK_SIZE: 1000, RUN_WORKER: false });
  workspace = await server.newWorkspace('runs-graphql');
  febrl = await setupFebrl(server.url, workspace.key);
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

async function ensureWorker(): Promise<void> {
  worker ??= await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
}

/** A run of the FEBRL config, planned, with no worker running: the test drives its chunks itself. */
async function plannedRunWithoutWorker(workerId: string): Promise<{ runId: string; execution: ReturnType<typeof createExecutionContext> }> {
  await worker?.stop();
  worker = undefined;
  const started = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, { key: workspace.key });
  const execution = createExecutionContext(server.app, workerId);
  await planRun(execution, started.body.id);
  return { runId: started.body.id, execution };
}

const gql = (query: string, variables: Record<string, unknown> = {}, key = workspace.key) => graphql(server.url, query, variables, key);

describe('GraphQL runs', { timeout: 180_000 }, () => {
  it('startRun, run (with results and top results), runs connection, reviewRunResult, cancelRun conflict', async () => {
    await ensureWorker();
    const started = await gql(
      `mutation($configId: ID!) { startRun(configId: $configId) { ... on MutationStartRunSuccess { data { id databaseId status triggeredBy rowsProcessed avgConfidence } } } }`,
      { configId: encodeGlobalID('MatchingConfig', febrl.configId) },
    );
    const run = started.body.data.startRun.data;
    expect(run).toMatchObject({ status: 'QUEUED', triggeredBy: 'MANUAL', rowsProcessed: null, avgConfidence: null });
    expect(run.id).toBe(encodeGlobalID('Run', run.databaseId));
    await waitForRun(server.url, workspace.key, run.databaseId);

    const fetched = await gql(
      `query($id: ID!) { run(id: $id) { ... on QueryRunSuccess { data {
          status phase phaseProgress rowsTotal rowsProcessed rowsMatched avgConfidence startedAt completedAt
          matchingConfig { databaseId }
          topResults(limit: 3) { confidence }
          results(first: 2, matched: true) { edges { node { databaseId documentId matchedReferenceExternalId confidence status evidence { sourceField targetField score } candidates { referenceRowId confidence } } } }
        } } } }`,
      { id: run.id },
    );
    expect(fetched.body.errors).toBeUndefined();
    const data = fetched.body.data.run.data;
    expect(data).toMatchObject({
      status: 'COMPLETED',
      phase: 'done',
      phaseProgress: 1,
      rowsTotal: 5000,
      rowsProcessed: 5000,
      matchingConfig: { databaseId: febrl.configId },
    });
    expect(data.topResults).toHaveLength(3);
    expect(data.results.edges).toHaveLength(2);
    const result = data.results.edges[0].node;
    expect(result.evidence).toHaveLength(FEBRL_MAPPINGS.length);

    const reviewed = await gql(
      `mutation($runId: ID!, $resultId: ID!) { reviewRunResult(runId: $runId, resultId: $resultId, status: APPROVED, notes: "ok") { ... on MutationReviewRunResultSuccess { data { status notes reviewedAt } } } }`,
      { runId: run.id, resultId: result.databaseId },
    );
    expect(reviewed.body.data.reviewRunResult.data).toMatchObject({ status: 'APPROVED', notes: 'ok' });

    const list = await gql(
      `query($configId: ID) { runs(configId: $configId, first: 10, status: COMPLETED) { totalCount edges { node { databaseId } } } }`,
      { configId: febrl.configId },
    );
    expect(list.body.data.runs.edges.map((edge: any) => edge.node.databaseId)).toContain(run.databaseId);

    const cancel = await gql(`mutation($id: ID!) { cancelRun(id: $id) { __typename ... on Error { code message } } }`, { id: run.id });
    expect(cancel.body.data.cancelRun).toMatchObject({ __typename: 'ConflictError', code: 'conflict' });
    const foreign = await server.newWorkspace('foreign');
    const notFound = await gql(`query($id: ID!) { run(id: $id) { __typename } }`, { id: run.id }, foreign.key);
    expect(notFound.body.data.run.__typename).toBe('NotFoundError');
  });

  it('smartRun runs a stored strategy plan and records its id and version', async () => {
    await ensureWorker();
    const context = await createContext(server.app, { authorization: `Bearer ${workspace.key}` });
    const strategy = await createStrategy(context, {
      matchingConfigId: febrl.configId,
      plan: { fieldMappings: FEBRL_MAPPINGS as never, threshold: 0.7 },
    });
    const response = await gql(
      `mutation($configId: ID!, $strategyId: ID!) { smartRun(configId: $configId, strategyId: $strategyId) { __typename ... on MutationSmartRunSuccess { data { databaseId strategyId strategyVersion } } } }`,
      { configId: febrl.configId, strategyId: strategy.id },
    );
    expect(response.body.data.smartRun.data).toMatchObject({ strategyId: strategy.id, strategyVersion: 1 });
    const done = await waitForRun(server.url, workspace.key, response.body.data.smartRun.data.databaseId);
    expect(done).toMatchObject({ status: 'completed', strategy_id: strategy.id, strategy_version: 1 });
  });

  it('one_to_one: no reference row is matched twice', async () => {
    await ensureWorker();
    const config = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      json: {
        name: 'one to one',
        reference_data_id: febrl.referenceId,
        source_data_id: febrl.sourceId,
        field_mappings: FEBRL_MAPPINGS,
        threshold: 0.5,
        one_to_one: true,
      },
    });
    const started = await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/run`, { key: workspace.key });
    const done = await waitForRun(server.url, workspace.key, started.body.id);
    expect(done.status).toBe('completed');
    const [dupes] = await server.app.sql`
      select count(*)::int as n from (select matched_reference_row_id from run_results
        where run_id = ${done.id} and matched_reference_row_id is not null group by 1 having count(*) > 1) d`;
    expect(dupes!.n).toBe(0);
    const [matched] = await server.app.sql`select count(matched_reference_row_id)::int as n from run_results where run_id = ${done.id}`;
    expect(done.rows_matched).toBe(matched!.n);
  });

  it('a failure sets failed with a useful error', async () => {
    await worker?.stop();
    worker = undefined;
    const upload = await request(server.url, 'POST', '/v1/source-data', {
      key: workspace.key,
      json: { name: 'doomed', data: [{ given_name: 'x' }] },
    });
    const started = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, {
      key: workspace.key,
      json: { source_data_id: upload.body.id },
    });
    expect(started.status).toBe(202);
    // The API refuses to delete a dataset a queued run reads (409); one deleted just before the run was queued
    // (the race that check cannot close) looks like this to the worker.
    expect((await request(server.url, 'DELETE', `/v1/source-data/${upload.body.id}`, { key: workspace.key })).status).toBe(409);
    await server.app.sql`delete from datasets where id = ${upload.body.id}`;
    await ensureWorker();
    const done = await waitForRun(server.url, workspace.key, started.body.id);
    expect(done).toMatchObject({ status: 'failed' });
    expect(done.error).toMatch(/source dataset of this run no longer exists/);
    expect(done.completed_at).toMatch(/Z$/);
  });

  it('a retried chunk never duplicates results nor double counts', async () => {
    await worker?.stop();
    worker = undefined;
    const started = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, { key: workspace.key });
    const runId = started.body.id;
    await ensureWorker();
    await waitForRun(server.url, workspace.key, runId);
    // Replay chunk 0 as if a second attempt ran after the first had written its results.
    const execution = createExecutionContext(server.app, 'replay');
    await server.app.sql`update run_chunks set status = 'running' where run_id = ${runId} and chunk_index = 0`;
    await server.app.sql`update runs set status = 'running' where id = ${runId}`;
    await Promise.all([runChunk(execution, runId, 0), runChunk(execution, runId, 0)]);
    const [counts] = await server.app.sql`
      select (select count(*)::int from run_results where run_id = ${runId}) as results,
             (select count(distinct source_row_id)::int from run_results where run_id = ${runId}) as distinct_rows`;
    expect(counts).toEqual({ results: 5000, distinct_rows: 5000 });
    const [run] = await server.app.sql`select status, rows_processed from runs where id = ${runId}`;
    // The replayed chunk counts again in the running counter, but finalisation recounts from the results table.
    expect(run).toEqual({ status: 'completed', rows_processed: 5000 });

    // A retry of the last chunk's job after its chunk committed but before finalisation finished: it finalises.
    await server.app.sql`update runs set status = 'running', completed_at = null, rows_processed = 4000 where id = ${runId}`;
    await runChunk(execution, runId, 1);
    const [finished] = await server.app.sql`select status, rows_processed from runs where id = ${runId}`;
    expect(finished).toEqual({ status: 'completed', rows_processed: 5000 });
  });

  it('a chunk still matching when its run is cancelled is dropped: the run stays as it was at the cancel', async () => {
    const { runId, execution } = await plannedRunWithoutWorker('cancelled-under');
    // The chunk reads the run (running) at once, then builds the index and matches 1,000 rows: the cancel lands
    // in between.
    const chunk = runChunk(execution, runId, 0);
    const cancelled = await request(server.url, 'POST', `/v1/matching/runs/${runId}/cancel`, { key: workspace.key });
    expect(cancelled.status).toBe(200);
    await chunk;
    const [run] = await server.app.sql`select status, rows_processed from runs where id = ${runId}`;
    const [stored] = await server.app.sql`select count(*)::int as results from run_results where run_id = ${runId}`;
    expect(run).toEqual({ status: 'cancelled', rows_processed: cancelled.body.rows_processed });
    expect(stored!.results).toBe(cancelled.body.rows_processed);
    const states = await server.app.sql`select distinct status from run_chunks where run_id = ${runId}`;
    expect(states.map((row) => row.status)).toEqual(['skipped']);
  });

  it('chunks of one run finishing at the same time do not deadlock on the run row', async () => {
    const { runId, execution } = await plannedRunWithoutWorker('parallel');
    const chunks = await server.app.sql`select chunk_index from run_chunks where run_id = ${runId}`;
    expect(chunks.length).toBeGreaterThan(1);
    await Promise.all(chunks.map((chunk) => runChunk(execution, runId, chunk.chunk_index as number)));
    const [run] = await server.app.sql`select status, rows_processed from runs where id = ${runId}`;
    expect(run).toEqual({ status: 'completed', rows_processed: 5000 });
    execution.close();
  });

  it('scheduled: the minute tick starts a scheduled run for configs whose cron matches', async () => {
    await ensureWorker();
    await request(server.url, 'PATCH', `/v1/matching/configs/${febrl.configId}`, { key: workspace.key, json: { schedule: '30 4 * * 1' } });
    const miss = await scheduleTick(server.app, new Date('2026-11-30T04:31:00Z'));
    expect(miss).toEqual([]);
    const [runId] = await scheduleTick(server.app, new Date('2026-11-30T04:30:00Z')); // a Monday
    expect(runId).toBeDefined();
    const done = await waitForRun(server.url, workspace.key, runId!);
    expect(done).toMatchObject({ status: 'completed', triggered_by: 'scheduled', rows_processed: 5000 });
    await request(server.url, 'PATCH', `/v1/matching/configs/${febrl.configId}`, { key: workspace.key, json: { schedule: null } });
  });
});
