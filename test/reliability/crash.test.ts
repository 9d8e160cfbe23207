/**
 * Crash: a worker process SIGKILLed mid-chunk loses nothing. Its heartbeat stops, another worker unlocks and runs its
 * chunk, and the results equal those of an uninterrupted run (same rows, same matches, same confidences).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { setupFebrl } from '../integration/runs-fixture';
import type { StartedProcess } from '../support/process';
import {
  createWorkspace,
  isTerminal,
  runResults,
  startRun,
  startServerProcess,
  startWorkerProcess,
  waitForRunRow,
  type ServerProcess,
} from './support';
import { until } from '../support/wait';
import postgres from 'postgres';

let database: TestDatabase;
let sql: postgres.Sql;
let server: ServerProcess;
const processes: StartedProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  sql = postgres(database.url, { max: 2, onnotice: () => {} });
  server = await startServerProcess(database.url);
  processes.push(server.process);
});

afterAll(async () => {
  for (const child of processes) await child.stop('SIGKILL');
  await sql?.end();
  await database?.drop();
});

// Timeouts allow for a busy shared machine; on an idle one the case takes about 20 s.
describe('worker crash (SIGKILL mid-chunk)', { timeout: 120_000 }, () => {
  it('the killed worker’s chunk runs elsewhere; results equal an uninterrupted run', async () => {
    const { key } = await createWorkspace(server.url, 'crash');
    const { configId } = await setupFebrl(server.url, key);

    // Reference: the same run, uninterrupted, on one worker; that worker later rescues the victim's chunk (a short
    // staleness so the rescue is quick).
    const env = { RUN_CHUNK_SIZE: '250', WORKER_STALE_SECONDS: '2' };
    const rescuer = await startWorkerProcess(database.url, env);
    processes.push(rescuer.process);
    const referenceRun = await startRun(server.url, key, configId);
    expect(await waitForRunRow(sql, referenceRun, isTerminal)).toMatchObject({ status: 'completed', rows_processed: 5000 });

    // Kill the victim while it holds a running chunk.
    const victim = await startWorkerProcess(database.url, env);
    processes.push(victim.process);
    const runId = await startRun(server.url, key, configId);
    await until('a chunk running on the victim', async () => {
      const [held] =
        await sql`select count(*)::int as n from run_chunks where run_id = ${runId} and status = 'running' and worker_id = ${victim.workerId}`;
      return held!.n > 0;
    });
    victim.process.child.kill('SIGKILL');
    expect(await victim.process.stop()).toBeNull(); // killed by the signal, no exit code

    const done = await waitForRunRow(sql, runId, isTerminal);
    expect(done).toMatchObject({ status: 'completed', rows_processed: 5000 });
    const [counts] =
      await sql`select count(*)::int as results, count(distinct source_row_id)::int as rows from run_results where run_id = ${runId}`;
    expect(counts).toEqual({ results: 5000, rows: 5000 });
    expect(await runResults(sql, runId)).toEqual(await runResults(sql, referenceRun));
    // The victim's chunk was taken again (a chunk records its last taker and counts its takes).
    const [retaken] = await sql`select count(*)::int as n from run_chunks where run_id = ${runId} and attempts > 1`;
    expect(retaken!.n).toBeGreaterThanOrEqual(1);
    const workers = await sql`select distinct worker_id from run_chunks where run_id = ${runId} and status = 'done'`;
    expect(workers.map((row) => row.worker_id)).toContain(rescuer.workerId);
    const [gone] = await sql`select count(*)::int as n from worker_processes where id = ${victim.workerId}`;
    expect(gone!.n).toBe(0);
    expect(await rescuer.process.stop('SIGTERM')).toBe(0);
  });
});
