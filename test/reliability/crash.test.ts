/**
 * Crash: a worker process SIGKILLed mid-chunk loses nothing. Its heartbeat stops, another worker unlocks and runs its
 * chunk, and the results equal those of an uninterrupted run (same rows, same matches, same confidences).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { setupFebrl } from '../integration/runs-fixture';
import type { StartedProcess } from '../support/process';
import { createWorkspace, isTerminal, runResults, startRun, startServerProcess, startWorkerProcess, until, waitForRunRow, type ServerProcess } from './support';
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

describe('worker crash (SIGKILL mid-chunk)', { timeout: 60_000 }, () => {
  it('the killed worker’s chunk runs elsewhere; results equal an uninterrupted run', async () => {
    const { key } = await createWorkspace(server.url, 'crash');
    const { configId } = await setupFebrl(server.url, key);

    // Reference: the same run, uninterrupted.
    const steady = await startWorkerProcess(database.url, { RUN_CHUNK_SIZE: '500' });
    processes.push(steady.process);
    const referenceRun = await startRun(server.url, key, configId);
    expect(await waitForRunRow(sql, referenceRun, isTerminal)).toMatchObject({ status: 'completed', rows_processed: 5000 });
    expect(await steady.process.stop('SIGTERM')).toBe(0);

    // Small chunks and a short staleness so the rescue is quick; kill while the victim holds a running chunk.
    const victim = await startWorkerProcess(database.url, { RUN_CHUNK_SIZE: '50', WORKER_STALE_SECONDS: '2' });
    processes.push(victim.process);
    const runId = await startRun(server.url, key, configId);
    await waitForRunRow(sql, runId, (run) => run.rows_processed > 0);
    await until(async () => {
      const [held] = await sql`select count(*)::int as n from run_chunks where run_id = ${runId} and status = 'running' and worker_id = ${victim.workerId}`;
      return held!.n > 0;
    }, 10_000, 'a chunk running on the victim');
    victim.process.child.kill('SIGKILL');
    expect(await victim.process.stop()).toBeNull(); // killed by the signal, no exit code

    const rescuer = await startWorkerProcess(database.url, { WORKER_STALE_SECONDS: '2' });
    processes.push(rescuer.process);
    const done = await waitForRunRow(sql, runId, isTerminal);
    expect(done).toMatchObject({ status: 'completed', rows_processed: 5000 });
    const [counts] = await sql`select count(*)::int as results, count(distinct source_row_id)::int as rows from run_results where run_id = ${runId}`;
    expect(counts).toEqual({ results: 5000, rows: 5000 });
    expect(await runResults(sql, runId)).toEqual(await runResults(sql, referenceRun));
    const workers = await sql`select distinct worker_id from run_chunks where run_id = ${runId}`;
    expect(workers.map((row) => row.worker_id).sort()).toEqual([victim.workerId, rescuer.workerId].sort());
    expect(await rescuer.process.stop('SIGTERM')).toBe(0);
  });
});
