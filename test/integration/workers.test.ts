import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { expectErrorShape, request } from '../support/http';
import { startProcess, type StartedProcess } from '../support/process';
import { startWorker } from '../../src/worker';
import { runEventHub } from '../../src/events/run-events';
import { setupFebrl, waitForRun, type FebrlSetup } from './runs-fixture';

let server: TestServer;
let workspace: TestWorkspace;
let febrl: FebrlSetup;
const processes: StartedProcess[] = [];

beforeAll(async () => {
  server = await startTestServer({ RUN_WORKER: false, RUN_CHUNK_SIZE: 250 });
  workspace = await server.newWorkspace('workers');
  febrl = await setupFebrl(server.url, workspace.key);
});

afterAll(async () => {
  for (const child of processes) await child.stop();
  await server?.close();
});

async function startWorkerProcess(env: Record<string, string> = {}): Promise<{ process: StartedProcess; workerId: string }> {
  const child = startProcess('src/worker/main.ts', {
    DATABASE_URL: server.database.url,
    LOG_LEVEL: 'warn',
    RUN_CHUNK_SIZE: '100',
    WORKER_CONCURRENCY: '1',
    ...env,
  });
  processes.push(child);
  const match = await child.waitFor(/Concord worker (\S+) is running/, 90_000);
  return { process: child, workerId: match[1]! };
}

async function allResults(runId: string): Promise<Map<string, { ref: string | null; confidence: number }>> {
  const rows = await server.app.sql<{ document_id: string; matched_reference_row_id: string | null; confidence: number }[]>`
    select document_id, matched_reference_row_id, confidence from run_results where run_id = ${runId}`;
  return new Map(rows.map((row) => [row.document_id, { ref: row.matched_reference_row_id, confidence: row.confidence }]));
}

async function startRun(): Promise<string> {
  const response = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, { key: workspace.key });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body.id;
}

describe('worker processes (npm run worker)', { timeout: 180_000 }, () => {
  it('two worker processes share the chunks of one run; the results equal a single-worker run', async () => {
    // A long progress interval: across both processes, only the first chunk may publish a progress event.
    const [a, b] = await Promise.all([
      startWorkerProcess({ RUN_PROGRESS_INTERVAL_MS: '600000' }),
      startWorkerProcess({ RUN_PROGRESS_INTERVAL_MS: '600000' }),
    ]);
    expect(a.workerId).not.toBe(b.workerId);
    const events = await runEventHub(server.app).subscribe({ workspaceId: workspace.id });
    const sharedRun = await startRun();
    const shared = await waitForRun(server.url, workspace.key, sharedRun);
    const kinds: string[] = [];
    for await (const event of events) {
      if (event.kind === 'resync' || event.run.id !== sharedRun) continue;
      kinds.push(`${event.kind}:${event.run.status}`);
      if (event.run.status === 'completed') break;
    }
    events.close();
    expect(kinds).toEqual(['state:queued', 'state:running', 'progress:running', 'state:completed']);
    expect(shared.status, JSON.stringify(shared)).toBe('completed');
    expect(shared.rows_processed).toBe(5000);
    const chunks = await server.app.sql<{ worker_id: string; n: number }[]>`
      select worker_id, count(*)::int as n from run_chunks where run_id = ${sharedRun} and status = 'done' group by worker_id`;
    expect(chunks.reduce((sum, row) => sum + row.n, 0)).toBe(50);
    expect(chunks.map((row) => row.worker_id).sort()).toEqual([a.workerId, b.workerId].sort());

    expect(await a.process.stop('SIGTERM')).toBe(0);
    expect(await b.process.stop('SIGINT')).toBe(0);
    expect(a.process.output()).toContain('Concord worker stopped');

    // The same config on one in-process worker (other chunk size and threads: results must not depend on the split).
    // Matched on two threads (MATCH_THREADS=2 forces them even for a small reference).
    const single = await startWorker(
      { ...server.app, settings: { ...server.app.settings, MATCH_THREADS: 2 } },
      {
        databaseUrl: server.database.url,
        schedules: false,
        workerId: 'single',
      },
    );
    try {
      const singleRun = await startRun();
      const done = await waitForRun(server.url, workspace.key, singleRun);
      expect(done).toMatchObject({ status: 'completed', rows_processed: 5000, rows_matched: shared.rows_matched });
      expect(done.avg_confidence).toBeCloseTo(shared.avg_confidence, 12);
      const workers = await server.app.sql`select distinct worker_id from run_chunks where run_id = ${singleRun}`;
      expect(workers.map((row) => row.worker_id)).toEqual(['single']);
      expect(await allResults(singleRun)).toEqual(await allResults(sharedRun));
    } finally {
      await single.stop();
    }
  });

  it('cancel mid-run: cancelled, chunks stop, partial results kept; cancelling again is 409', async () => {
    // Tiny chunks so the run is still going when the cancel arrives.
    const { process: child } = await startWorkerProcess({ RUN_CHUNK_SIZE: '10' });
    const runId = await startRun();
    await waitForRun(
      server.url,
      workspace.key,
      runId,
      (run) => run.rows_processed > 0 || (run.status !== 'queued' && run.status !== 'running'),
    );
    const cancelled = await request(server.url, 'POST', `/v1/matching/runs/${runId}/cancel`, { key: workspace.key });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ id: runId, status: 'cancelled' });
    expect(cancelled.body.completed_at).toMatch(/\.\d{3}Z$/);

    // Wait until no chunk is pending or running any more (the one in flight may finish), then compare.
    for (;;) {
      const [busy] = await server.app
        .sql`select count(*)::int as n from run_chunks where run_id = ${runId} and status in ('pending', 'running')`;
      if (busy!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const run = (await request(server.url, 'GET', `/v1/matching/runs/${runId}`, { key: workspace.key })).body;
    expect(run.status).toBe('cancelled');
    const [counts] = await server.app.sql`
      select (select count(*)::int from run_results where run_id = ${runId}) as results,
             (select coalesce(sum(rows_processed), 0)::int from run_chunks where run_id = ${runId} and status = 'done') as processed,
             (select count(*)::int from run_chunks where run_id = ${runId} and status = 'skipped') as skipped`;
    expect(counts!.results).toBeGreaterThan(0);
    expect(counts!.results).toBeLessThan(5000);
    expect(counts!.skipped).toBeGreaterThan(0);
    expect(run.rows_processed).toBe(counts!.processed);
    expect(counts!.results).toBe(counts!.processed);
    const results = await request(server.url, 'GET', `/v1/matching/runs/${runId}/results?limit=1`, { key: workspace.key });
    expect(results.body.pagination.total).toBe(counts!.results);

    const again = await request(server.url, 'POST', `/v1/matching/runs/${runId}/cancel`, { key: workspace.key });
    expect(again.status).toBe(409);
    expectErrorShape(again.body, 'conflict');
    expect(await child.stop()).toBe(0);
  });

  it('a worker killed mid-run loses nothing: its locked chunk runs on another worker, results are complete and unique', async () => {
    const { process: victim, workerId: victimId } = await startWorkerProcess({ RUN_CHUNK_SIZE: '10', WORKER_STALE_SECONDS: '2' });
    const runId = await startRun();
    await waitForRun(server.url, workspace.key, runId, (run) => run.rows_processed > 0 || !['queued', 'running'].includes(run.status));
    victim.child.kill('SIGKILL');
    await victim.stop();
    const { process: rescuer, workerId: rescuerId } = await startWorkerProcess({ WORKER_STALE_SECONDS: '2' });
    const done = await waitForRun(server.url, workspace.key, runId).catch(async (error) => {
      // Diagnostics for a stuck run: the rescuer's log, the heartbeat table and the unfinished chunks.
      console.log(rescuer.output(), await server.app.sql`select * from worker_processes`);
      console.log(await server.app.sql`select * from run_chunks where run_id = ${runId} and status <> 'done'`);
      throw error;
    });
    expect(done).toMatchObject({ status: 'completed', rows_processed: 5000 });
    const [counts] = await server.app.sql`
      select count(*)::int as results, count(distinct source_row_id)::int as rows from run_results where run_id = ${runId}`;
    expect(counts).toEqual({ results: 5000, rows: 5000 });
    const workers = await server.app.sql`select distinct worker_id from run_chunks where run_id = ${runId} order by 1`;
    expect(workers.map((row) => row.worker_id).sort()).toEqual([victimId, rescuerId].sort());
    const [gone] = await server.app.sql`select count(*)::int as n from worker_processes where id = ${victimId}`;
    expect(gone!.n).toBe(0);
    expect(await rescuer.stop()).toBe(0);
  });

  it('a queued run can be cancelled before any worker sees it', async () => {
    const runId = await startRun();
    const cancelled = await request(server.url, 'POST', `/v1/matching/runs/${runId}/cancel`, { key: workspace.key });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', rows_processed: null, started_at: null });
    const { process: child } = await startWorkerProcess();
    // The plan job finds the run cancelled and does nothing.
    for (;;) {
      const [jobs] = await server.app.sql`select count(*)::int as n from graphile_worker._private_jobs where payload->>'runId' = ${runId}`;
      if (jobs!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const [chunks] = await server.app.sql`select count(*)::int as n from run_chunks where run_id = ${runId}`;
    expect(chunks!.n).toBe(0);
    expect(await child.stop()).toBe(0);
  });
});
