/**
 * Graceful shutdown: SIGTERM to a server with its in-process worker while it is in the middle of a chunk. It must
 * close graphql-ws subscriptions with 1001 (going away), stop taking jobs, hand the running chunk back (its job lock
 * released at once, the attempt given back) after SHUTDOWN_GRACE_MS, and exit 0 within 10 s; a second worker then
 * finishes the run with the results of an uninterrupted run.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupFebrl } from '../integration/runs-fixture';
import { createTestDatabase, type TestDatabase } from '../support/database';
import type { StartedProcess } from '../support/process';
import {
  createWorkspace,
  isTerminal,
  runResults,
  startRun,
  startServerProcess,
  startWorkerProcess,
  subscribe,
  waitForRunRow,
} from './support';
import { until } from '../support/wait';

let database: TestDatabase;
let sql: postgres.Sql;
const processes: StartedProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  for (const child of processes) await child.stop('SIGKILL');
  await sql?.end();
  await database?.drop();
});

// Timeouts allow for a busy shared machine; on an idle one the case takes about 20-30 s.
describe('SIGTERM mid-chunk', { timeout: 120_000 }, () => {
  it('closes subscriptions with 1001, hands the chunk back, exits 0 within 10 s; another worker finishes the run', async () => {
    // Large chunks matched on threads (the event loop stays free, as with a large reference) and a short grace, so the
    // SIGTERM surely lands in a chunk that outlasts the grace.
    const server = await startServerProcess(database.url, {
      RUN_WORKER: 'true',
      WORKER_CONCURRENCY: '1',
      RUN_CHUNK_SIZE: '2500',
      MATCH_THREADS: '2',
      SHUTDOWN_GRACE_MS: '300',
    });
    processes.push(server.process);
    const { key } = await createWorkspace(server.url, 'shutdown');
    const { configId } = await setupFebrl(server.url, key);
    const referenceRun = await startRun(server.url, key, configId);
    expect(await waitForRunRow(sql, referenceRun, isTerminal)).toMatchObject({ status: 'completed', rows_processed: 5000 });

    const runId = await startRun(server.url, key, configId);
    const watcher = subscribe(server.url, key, `subscription($id: ID!) { runUpdated(id: $id) { status rowsProcessed } }`, { id: runId });
    await until('the current state', () => watcher.events.length > 0, 10_000);
    await until('a running chunk', async () => {
      const [running] = await sql`select count(*)::int as n from run_chunks where run_id = ${runId} and status = 'running'`;
      return running!.n > 0;
    });

    const signalled = Date.now();
    const code = await server.process.stop('SIGTERM');
    const exitMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(exitMs).toBeLessThanOrEqual(10_000);
    await until('the socket to close', () => watcher.closes.length > 0, 5_000);
    expect(watcher.closes[0]!.code).toBe(1001);

    // Handed back: nothing locked, runnable now, and the interrupted attempt does not count.
    const jobs = await sql<{ locked_by: string | null; runnable: boolean; attempts: number }[]>`
      select j.locked_by, j.run_at <= now() as runnable, j.attempts
      from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier = 'run_chunk' and j.payload->>'runId' = ${runId}`;
    expect(jobs.length).toBeGreaterThan(0);
    expect(jobs.every((job) => job.locked_by === null && job.runnable && job.attempts === 0)).toBe(true);
    const [progress] = await sql`select status, rows_processed from runs where id = ${runId}`;
    expect(progress!.status).toBe('running');

    const taken = Date.now();
    const second = await startWorkerProcess(database.url, { RUN_CHUNK_SIZE: '2500' });
    processes.push(second.process);
    const done = await waitForRunRow(sql, runId, isTerminal);
    expect(done).toMatchObject({ status: 'completed', rows_processed: 5000 });
    expect(await runResults(sql, runId)).toEqual(await runResults(sql, referenceRun));
    const finishers = await sql`select distinct worker_id from run_chunks where run_id = ${runId} and status = 'done'`;
    expect(finishers.map((row) => row.worker_id)).toContain(second.workerId);
    console.log(
      `shutdown: exit ${exitMs} ms after SIGTERM (code ${code}); the second worker finished the run ${Date.now() - taken} ms after it started`,
    );
    expect(await second.process.stop('SIGTERM')).toBe(0);
  });
});
