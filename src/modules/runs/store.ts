/**
 * The SQL of the runs module, in two files: this one (runs, their chunks and source rows) and results-store.ts (their
 * results). The service (service.ts) and the worker side (execute.ts, review-pass.ts, one-to-one.ts) decide what
 * happens and when; the stores say how it is read and written. Every function takes the connection or the
 * transaction to run on (`Queryable`), so a write joins the caller's transaction with the run event (notifyRun) and
 * the jobs that must commit with it.
 *
 * postgres.js rather than drizzle: the run's writes share their transaction with NOTIFY, webhook deliveries and
 * graphile-worker jobs, and use what drizzle does not express (row locks, jsonb_to_recordset batches, cursors).
 */
import type postgres from 'postgres';
import type { RunSnapshot, RunStatus, RunTrigger } from '../../db/schema';
import { runStateFromRow, type RunRow, type RunState } from '../../events/run-events';
import type { EngineRow } from '../../matching';

export type Queryable = postgres.Sql | postgres.TransactionSql;
export type Run = RunState;

// ─── runs ───────────────────────────────────────────────────────────────────────────────────────────────────────

export interface NewRunRow {
  workspaceId: string;
  matchingConfigId: string;
  strategy?: { id: string; version: number };
  triggeredBy: RunTrigger;
  snapshot: RunSnapshot;
}

export async function insertRunRow(tx: postgres.TransactionSql, run: NewRunRow): Promise<Run> {
  const [row] = await tx<RunRow[]>`
    insert into runs (workspace_id, matching_config_id, strategy_id, strategy_version, triggered_by, snapshot)
    values (${run.workspaceId}, ${run.matchingConfigId}, ${run.strategy?.id ?? null}, ${run.strategy?.version ?? null},
            ${run.triggeredBy}, ${tx.json(run.snapshot as never)})
    returning *`;
  return runStateFromRow(row!);
}

export interface NewRunDocument {
  documentId: string;
  documentFilename?: string | null;
  values: Record<string, unknown>;
}

/** A run's inline documents, in the order given (positions from 1). */
export async function insertRunDocuments(tx: postgres.TransactionSql, runId: string, documents: NewRunDocument[]): Promise<void> {
  const rows = documents.map((document, index) => ({
    position: index + 1,
    external_id: document.documentId,
    filename: document.documentFilename ?? null,
    values: document.values,
  }));
  await tx`
    insert into run_documents (run_id, position, external_id, filename, values)
    select ${runId}, x.position, x.external_id, x.filename, x.values
    from jsonb_to_recordset(${tx.json(rows as never)}::jsonb) as x(position int, external_id text, filename text, values jsonb)`;
}

export async function findRun(sql: Queryable, workspaceId: string, id: string): Promise<Run | undefined> {
  const [row] = await sql<RunRow[]>`select * from runs where id = ${id} and workspace_id = ${workspaceId}`;
  return row ? runStateFromRow(row) : undefined;
}

export async function runSnapshot(sql: Queryable, runId: string): Promise<RunSnapshot | undefined> {
  const [row] = await sql<{ snapshot: RunSnapshot }[]>`select snapshot from runs where id = ${runId}`;
  return row?.snapshot;
}

export interface RunFilter {
  workspaceId: string;
  configId?: string;
  status?: RunStatus;
}

/** `limit` runs newest first after the cursor position (if any), and how many runs pass the filter. */
export async function runsNewestFirst(
  sql: postgres.Sql,
  filter: RunFilter,
  after: { createdAt: Date; id: string } | undefined,
  limit: number,
): Promise<{ runs: Run[]; total: number }> {
  const where = sql`workspace_id = ${filter.workspaceId}
    ${filter.configId ? sql`and matching_config_id = ${filter.configId}` : sql``}
    ${filter.status ? sql`and status = ${filter.status}` : sql``}`;
  const [rows, [totals]] = await Promise.all([
    sql<RunRow[]>`
      select * from runs where ${where}
      ${after ? sql`and (created_at, id) < (${after.createdAt}, ${after.id})` : sql``}
      order by created_at desc, id desc limit ${limit}`,
    sql<{ total: number }[]>`select count(*)::int as total from runs where ${where}`,
  ]);
  return { runs: rows.map(runStateFromRow), total: totals?.total ?? 0 };
}

/** Cancels the run if it is queued, running or ai_resolving; undefined when it was not. */
export async function cancelRunRow(tx: postgres.TransactionSql, runId: string): Promise<Run | undefined> {
  const [row] = await tx<RunRow[]>`
    update runs set status = 'cancelled', phase = 'cancelled', completed_at = now(), updated_at = now(), version = version + 1
    where id = ${runId} and status in ('queued', 'running', 'ai_resolving')
    returning *`;
  return row ? runStateFromRow(row) : undefined;
}

/** Moves a run from `fromStatus` into `ai_resolving`; false when it was not in that status. */
export async function enterReviewPass(tx: postgres.TransactionSql, runId: string, fromStatus: 'running' | 'completed'): Promise<boolean> {
  const [updated] = await tx`
    update runs set status = 'ai_resolving', phase = 'ai_resolving', completed_at = null, updated_at = now(), version = version + 1
    where id = ${runId} and status = ${fromStatus}
    returning id`;
  return updated !== undefined;
}

/** Counters from the results table (so retries cannot double count), status `completed`; false when the run was
 *  no longer running or ai_resolving. */
export async function completeRunRow(tx: postgres.TransactionSql, runId: string): Promise<boolean> {
  const [updated] = await tx`
    with totals as (
      select count(*)::int as processed, count(matched_reference_row_id)::int as matched,
        avg(confidence) filter (where matched_reference_row_id is not null) as avg_confidence,
        coalesce(sum(confidence) filter (where matched_reference_row_id is not null), 0) as confidence_sum
      from run_results where run_id = ${runId})
    update runs set status = 'completed', phase = 'done', rows_processed = totals.processed, rows_matched = totals.matched,
      avg_confidence = totals.avg_confidence, confidence_sum = totals.confidence_sum,
      completed_at = now(), updated_at = now(), version = version + 1
    from totals
    where id = ${runId} and status in ('running', 'ai_resolving')
    returning id`;
  return updated !== undefined;
}

/** Marks the run failed with the error; false when it had already ended. */
export async function failRunRow(tx: postgres.TransactionSql, runId: string, message: string): Promise<boolean> {
  const [updated] = await tx`
    update runs set status = 'failed', phase = 'failed', error = ${message.slice(0, 2000)}, completed_at = now(),
      updated_at = now(), version = version + 1
    where id = ${runId} and status in ('queued', 'running', 'ai_resolving')
    returning id`;
  return updated !== undefined;
}

export async function markAssigning(tx: postgres.TransactionSql, runId: string): Promise<void> {
  await tx`update runs set phase = 'assigning', updated_at = now(), version = version + 1 where id = ${runId} and status in ('running', 'ai_resolving')`;
}

/** Bumps the run's version (its results changed; a progress event follows). */
export async function touchRun(tx: postgres.TransactionSql, runId: string): Promise<void> {
  await tx`update runs set updated_at = now(), version = version + 1 where id = ${runId}`;
}

/** The run's status and snapshot; `lock` holds the run row until the transaction ends (FOR NO KEY UPDATE: it must
 *  not conflict with the KEY SHARE locks that concurrent chunks' result inserts take through the foreign key). */
export async function runForWork(
  sql: Queryable,
  runId: string,
  lock = false,
): Promise<{ status: RunStatus; snapshot: RunSnapshot; referenceVersion: number | null } | undefined> {
  type Row = { status: RunStatus; snapshot: RunSnapshot; reference_version: string | null };
  const [run] = lock
    ? await sql<Row[]>`select status, snapshot, reference_version from runs where id = ${runId} for no key update`
    : await sql<Row[]>`select status, snapshot, reference_version from runs where id = ${runId}`;
  // The reference version the run matches against (bigint: text from postgres.js); null before it is planned.
  return (
    run && {
      status: run.status,
      snapshot: run.snapshot,
      referenceVersion: run.reference_version === null ? null : Number(run.reference_version),
    }
  );
}

export async function runStatus(sql: Queryable, runId: string, lock = false): Promise<RunStatus | undefined> {
  const [run] = lock
    ? await sql<{ status: RunStatus }[]>`select status from runs where id = ${runId} for no key update`
    : await sql<{ status: RunStatus }[]>`select status from runs where id = ${runId}`;
  return run?.status;
}

/** A run that has no source rows: completed at once. */
export async function completeEmptyRun(tx: postgres.TransactionSql, runId: string, referenceVersion: number): Promise<void> {
  await tx`
    update runs set status = 'completed', phase = 'done', rows_total = 0, rows_processed = 0, rows_matched = 0,
      reference_version = ${referenceVersion}, started_at = now(), completed_at = now(), updated_at = now(), version = version + 1
    where id = ${runId}`;
}

/** Planned: the run matches its chunks against the reference data at `referenceVersion` (see execute.ts). */
export async function startMatching(
  tx: postgres.TransactionSql,
  runId: string,
  rowsTotal: number,
  chunksTotal: number,
  referenceVersion: number,
): Promise<void> {
  await tx`
    update runs set status = 'running', phase = 'matching', rows_total = ${rowsTotal}, rows_processed = 0, rows_matched = 0,
      reference_version = ${referenceVersion}, chunks_total = ${chunksTotal}, chunks_done = 0, started_at = now(), updated_at = now(),
      version = version + 1
    where id = ${runId}`;
}

export interface ChunkTally {
  chunks_done: number;
  chunks_total: number;
  status: RunStatus;
}

export async function chunkTally(sql: Queryable, runId: string): Promise<ChunkTally | undefined> {
  const [tally] = await sql<ChunkTally[]>`select chunks_done, chunks_total, status from runs where id = ${runId}`;
  return tally;
}

/**
 * Adds a chunk's counts to the run. Progress events of a run go out at most once per `intervalMs`, across all
 * worker processes: the run row remembers when the last one went out, and `notify` says whether this one is due.
 */
export async function addChunkCounts(
  tx: postgres.TransactionSql,
  runId: string,
  counts: { processed: number; matched: number; confidenceSum: number },
  intervalMs: number,
): Promise<ChunkTally & { notify: boolean }> {
  const { processed, matched, confidenceSum } = counts;
  const [updated] = await tx<(ChunkTally & { notify: boolean })[]>`
    with previous as (select progress_notified_at as at from runs where id = ${runId} for no key update)
    update runs set rows_processed = coalesce(rows_processed, 0) + ${processed},
      rows_matched = coalesce(rows_matched, 0) + ${matched},
      confidence_sum = confidence_sum + ${confidenceSum},
      avg_confidence = case when coalesce(rows_matched, 0) + ${matched} > 0
        then (confidence_sum + ${confidenceSum}) / (coalesce(rows_matched, 0) + ${matched}) end,
      chunks_done = chunks_done + 1, updated_at = now(), version = version + 1,
      progress_notified_at = case when previous.at is null or now() - previous.at >= ${intervalMs} * interval '1 millisecond'
        then now() else previous.at end
    from previous
    where id = ${runId}
    returning chunks_done, chunks_total, status,
      (previous.at is null or now() - previous.at >= ${intervalMs} * interval '1 millisecond') as notify`;
  return updated!;
}

// ─── chunks ─────────────────────────────────────────────────────────────────────────────────────────────────────

export interface NewChunk {
  run_id: string;
  chunk_index: number;
  first_position: number;
  last_position: number;
}

export async function insertChunks(tx: postgres.TransactionSql, chunks: NewChunk[]): Promise<void> {
  await tx`insert into run_chunks ${tx(chunks)} on conflict (run_id, chunk_index) do nothing`;
}

/** Takes the chunk for this worker (pending, or running after a retry); undefined when it is already done. */
export async function claimChunk(
  sql: Queryable,
  runId: string,
  chunkIndex: number,
  workerId: string,
): Promise<{ id: string; first_position: number; last_position: number } | undefined> {
  const [chunk] = await sql<{ id: string; first_position: number; last_position: number }[]>`
    update run_chunks set status = 'running', worker_id = ${workerId}, attempts = attempts + 1, started_at = now()
    where run_id = ${runId} and chunk_index = ${chunkIndex} and status in ('pending', 'running')
    returning id, first_position, last_position`;
  return chunk;
}

/** Marks a running chunk done with its counts; false when it was not running any more. */
export async function finishChunk(
  tx: postgres.TransactionSql,
  chunkId: string,
  workerId: string,
  processed: number,
  matched: number,
): Promise<boolean> {
  const [done] = await tx`
    update run_chunks set status = 'done', completed_at = now(), worker_id = ${workerId},
      rows_processed = ${processed}, rows_matched = ${matched}
    where id = ${chunkId} and status = 'running'
    returning id`;
  return done !== undefined;
}

export async function skipPendingChunk(sql: Queryable, runId: string, chunkIndex: number): Promise<void> {
  await sql`update run_chunks set status = 'skipped' where run_id = ${runId} and chunk_index = ${chunkIndex} and status = 'pending'`;
}

export async function skipRunningChunk(sql: Queryable, chunkId: string): Promise<void> {
  await sql`update run_chunks set status = 'skipped' where id = ${chunkId} and status = 'running'`;
}

/** The chunks of an ended run that no worker took yet. */
export async function skipPendingChunks(tx: postgres.TransactionSql, runId: string): Promise<void> {
  await tx`update run_chunks set status = 'skipped' where run_id = ${runId} and status = 'pending'`;
}

// ─── source rows ────────────────────────────────────────────────────────────────────────────────────────────────

export async function datasetExists(sql: Queryable, datasetId: string): Promise<boolean> {
  const [found] = await sql`select 1 from datasets where id = ${datasetId}`;
  return found !== undefined;
}

export async function datasetRowCount(sql: Queryable, datasetId: string): Promise<number | undefined> {
  const [dataset] = await sql<{ row_count: number }[]>`select row_count from datasets where id = ${datasetId}`;
  return dataset?.row_count;
}

/** How many source rows the run has, and their first and last positions (null when none). */
export async function sourceRange(
  sql: Queryable,
  runId: string,
  snapshot: RunSnapshot,
): Promise<{ n: number; lo: number | null; hi: number | null } | undefined> {
  const [range] = snapshot.sourceDataId
    ? await sql<{ n: number; lo: number | null; hi: number | null }[]>`
        select count(*)::int as n, min(position) as lo, max(position) as hi from dataset_rows where dataset_id = ${snapshot.sourceDataId}`
    : await sql<{ n: number; lo: number | null; hi: number | null }[]>`
        select count(*)::int as n, min(position) as lo, max(position) as hi from run_documents where run_id = ${runId}`;
  return range;
}

export interface SourceRow {
  id: string;
  position: number;
  external_id: string;
  filename: string | null;
  values: Record<string, unknown>;
}

/** The run's source rows (its dataset's, or its inline documents) with first ≤ position ≤ last, in order. */
export async function sourceRows(sql: Queryable, runId: string, snapshot: RunSnapshot, first: number, last: number): Promise<SourceRow[]> {
  return snapshot.sourceDataId
    ? sql<SourceRow[]>`
        select id, position, external_id, filename, values from dataset_rows
        where dataset_id = ${snapshot.sourceDataId} and position between ${first} and ${last} order by position`
    : sql<SourceRow[]>`
        select id, position, external_id, filename, values from run_documents
        where run_id = ${runId} and position between ${first} and ${last} order by position`;
}

/** Every row of a dataset as engine rows, in file order, read in batches (no single huge result set). */
export async function* streamEngineRows(sql: postgres.Sql, datasetId: string): AsyncGenerator<EngineRow> {
  const cursor = sql<{ id: string; values: Record<string, unknown> }[]>`
    select id, values from dataset_rows where dataset_id = ${datasetId} order by position`.cursor(10_000);
  for await (const batch of cursor) for (const row of batch) yield { id: row.id, values: row.values };
}

/** Every source row of a run (its dataset's, or its inline documents) as engine rows, in order, read in batches. */
export async function* streamRunSourceRows(sql: postgres.Sql, runId: string, snapshot: RunSnapshot): AsyncGenerator<EngineRow> {
  if (snapshot.sourceDataId) {
    yield* streamEngineRows(sql, snapshot.sourceDataId);
    return;
  }
  const cursor = sql<{ id: string; values: Record<string, unknown> }[]>`
    select id, values from run_documents where run_id = ${runId} order by position`.cursor(10_000);
  for await (const batch of cursor) for (const row of batch) yield { id: row.id, values: row.values };
}

/** Every row of a dataset as engine rows, in file order. */
export async function loadEngineRows(sql: postgres.Sql, datasetId: string): Promise<EngineRow[]> {
  const rows: EngineRow[] = [];
  for await (const row of streamEngineRows(sql, datasetId)) rows.push(row);
  return rows;
}

/** The rows of a dataset with these ids. */
export async function engineRowsById(sql: Queryable, datasetId: string, ids: string[]): Promise<EngineRow[]> {
  if (ids.length === 0) return [];
  const rows = await sql<{ id: string; values: Record<string, unknown> }[]>`
    select id, values from dataset_rows where dataset_id = ${datasetId} and id = any(${ids}::uuid[])`;
  return rows.map((row) => ({ id: row.id, values: row.values }));
}
