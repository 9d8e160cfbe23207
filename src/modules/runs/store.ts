/**
 * The SQL of the runs module: runs, their documents, chunks and results. The service (service.ts) and the worker side
 * (execute.ts, review-pass.ts, one-to-one.ts) decide what happens and when; this file says how it is read and
 * written. Everything here takes the connection or the transaction to run on (`Queryable`), so a write joins the
 * caller's transaction with the run event (notifyRun) and the jobs that must commit with it.
 *
 * postgres.js rather than drizzle: the run's writes share their transaction with NOTIFY, webhook deliveries and
 * graphile-worker jobs, and use what drizzle does not express (row locks, jsonb_to_recordset batches, cursors).
 */
import type postgres from 'postgres';
import type { RunSnapshot, RunStatus, RunTrigger, runResults } from '../../db/schema';
import { runStateFromRow, type RunRow, type RunState } from '../../events/run-events';
import type { EngineRow, RowMatch } from '../../matching';

export type Queryable = postgres.Sql | postgres.TransactionSql;
export type Run = RunState;
/** A result as the API hands it out: the run_results row (db/schema.ts) less its insertion time. */
export type RunResult = Omit<typeof runResults.$inferSelect, 'createdAt'>;
export type ResultStatus = RunResult['status'];
export type Candidate = RunResult['candidates'][number];

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
export async function runForWork(sql: Queryable, runId: string, lock = false): Promise<{ status: RunStatus; snapshot: RunSnapshot } | undefined> {
  const [run] = lock
    ? await sql<{ status: RunStatus; snapshot: RunSnapshot }[]>`select status, snapshot from runs where id = ${runId} for no key update`
    : await sql<{ status: RunStatus; snapshot: RunSnapshot }[]>`select status, snapshot from runs where id = ${runId}`;
  return run;
}

export async function runStatus(sql: Queryable, runId: string, lock = false): Promise<RunStatus | undefined> {
  const [run] = lock
    ? await sql<{ status: RunStatus }[]>`select status from runs where id = ${runId} for no key update`
    : await sql<{ status: RunStatus }[]>`select status from runs where id = ${runId}`;
  return run?.status;
}

/** A run that has no source rows: completed at once. */
export async function completeEmptyRun(tx: postgres.TransactionSql, runId: string): Promise<void> {
  await tx`
    update runs set status = 'completed', phase = 'done', rows_total = 0, rows_processed = 0, rows_matched = 0,
      started_at = now(), completed_at = now(), updated_at = now(), version = version + 1
    where id = ${runId}`;
}

export async function startMatching(tx: postgres.TransactionSql, runId: string, rowsTotal: number, chunksTotal: number): Promise<void> {
  await tx`
    update runs set status = 'running', phase = 'matching', rows_total = ${rowsTotal}, rows_processed = 0, rows_matched = 0,
      chunks_total = ${chunksTotal}, chunks_done = 0, started_at = now(), updated_at = now(), version = version + 1
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
export async function finishChunk(tx: postgres.TransactionSql, chunkId: string, workerId: string, processed: number, matched: number): Promise<boolean> {
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
export async function sourceRange(sql: Queryable, runId: string, snapshot: RunSnapshot): Promise<{ n: number; lo: number | null; hi: number | null } | undefined> {
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

// ─── results ────────────────────────────────────────────────────────────────────────────────────────────────────

/** A run_results row as postgres.js returns it: timestamps as text (drizzle's parsers, src/db/client.ts). */
interface ResultRow {
  id: string;
  run_id: string;
  source_row_id: string;
  position: number;
  document_id: string;
  document_filename: string | null;
  matched_reference_row_id: string | null;
  matched_reference_external_id: string | null;
  confidence: number;
  status: ResultStatus;
  evidence: RunResult['evidence'] | null;
  candidates: RunResult['candidates'] | null;
  notes: string | null;
  reviewed_at: string | Date | null;
}

function resultFromRow(row: ResultRow): RunResult {
  return {
    id: row.id,
    runId: row.run_id,
    sourceRowId: row.source_row_id,
    position: Number(row.position),
    documentId: row.document_id,
    documentFilename: row.document_filename ?? null,
    matchedReferenceRowId: row.matched_reference_row_id ?? null,
    matchedReferenceExternalId: row.matched_reference_external_id ?? null,
    confidence: Number(row.confidence),
    status: row.status,
    evidence: row.evidence ?? [],
    candidates: row.candidates ?? [],
    notes: row.notes ?? null,
    reviewedAt: row.reviewed_at ? new Date(row.reviewed_at) : null,
  };
}

export interface ResultFilter {
  status?: ResultStatus;
  matched?: boolean;
  minConfidence?: number;
}

function resultsWhere(sql: postgres.Sql, runId: string, filter: ResultFilter) {
  return sql`run_id = ${runId}
    ${filter.status ? sql`and status = ${filter.status}` : sql``}
    ${filter.matched === true ? sql`and matched_reference_row_id is not null` : sql``}
    ${filter.matched === false ? sql`and matched_reference_row_id is null` : sql``}
    ${filter.minConfidence !== undefined ? sql`and confidence >= ${filter.minConfidence}` : sql``}`;
}

/** Results that pass the filter, in source order after `offset`, and how many pass it. */
export async function resultsInOrder(
  sql: postgres.Sql,
  runId: string,
  filter: ResultFilter,
  offset: number,
  limit: number,
): Promise<{ results: RunResult[]; total: number }> {
  const where = resultsWhere(sql, runId, filter);
  const [rows, [totals]] = await Promise.all([
    sql<ResultRow[]>`select * from run_results where ${where} order by position, id limit ${limit} offset ${offset}`,
    sql<{ total: number }[]>`select count(*)::int as total from run_results where ${where}`,
  ]);
  return { results: rows.map(resultFromRow), total: totals?.total ?? 0 };
}

/** Every result that passes the filter, in source order, a batch at a time (a cursor: no huge result set). */
export async function* streamResults(sql: postgres.Sql, runId: string, filter: ResultFilter): AsyncGenerator<RunResult[]> {
  const cursor = sql<ResultRow[]>`select * from run_results where ${resultsWhere(sql, runId, filter)} order by position, id`.cursor(2000);
  for await (const rows of cursor) yield rows.map(resultFromRow);
}

/** The best results of a run, by confidence, then source order. */
export async function bestResults(sql: Queryable, runId: string, limit: number): Promise<RunResult[]> {
  const rows = await sql<ResultRow[]>`select * from run_results where run_id = ${runId} order by confidence desc, position limit ${limit}`;
  return rows.map(resultFromRow);
}

export async function findResult(sql: Queryable, runId: string, resultId: string): Promise<RunResult | undefined> {
  const [row] = await sql<ResultRow[]>`select * from run_results where id = ${resultId} and run_id = ${runId}`;
  return row ? resultFromRow(row) : undefined;
}

export async function recordReview(
  sql: Queryable,
  runId: string,
  resultId: string,
  review: { status: 'approved' | 'rejected'; notes: string | null },
): Promise<RunResult | undefined> {
  const [row] = await sql<ResultRow[]>`
    update run_results set status = ${review.status}, notes = ${review.notes}, reviewed_at = now()
    where id = ${resultId} and run_id = ${runId}
    returning *`;
  return row ? resultFromRow(row) : undefined;
}

export interface MatchedRow {
  source_row_id: string;
  position: number;
  document_id: string;
  document_filename: string | null;
  matched_reference_row_id: string | null;
  confidence: number;
  evidence: unknown;
  candidates: unknown;
}

/** Upserts results keyed by (run, source row): a retried chunk overwrites its own rows, never duplicates them. */
export async function writeResults(tx: postgres.TransactionSql, runId: string, records: MatchedRow[]): Promise<void> {
  for (let start = 0; start < records.length; start += 5000) {
    const batch = JSON.stringify(records.slice(start, start + 5000));
    await tx`
      insert into run_results (run_id, source_row_id, position, document_id, document_filename, matched_reference_row_id,
        matched_reference_external_id, confidence, evidence, candidates)
      select ${runId}, x.source_row_id, x.position, x.document_id, x.document_filename, x.matched_reference_row_id,
        d.external_id, x.confidence, x.evidence, x.candidates
      from jsonb_to_recordset(${batch}::text::jsonb) as x(source_row_id uuid, position int, document_id text, document_filename text,
        matched_reference_row_id uuid, confidence float8, evidence jsonb, candidates jsonb)
      left join dataset_rows d on d.id = x.matched_reference_row_id
      on conflict (run_id, source_row_id) do update set
        position = excluded.position, document_id = excluded.document_id, document_filename = excluded.document_filename,
        matched_reference_row_id = excluded.matched_reference_row_id,
        matched_reference_external_id = excluded.matched_reference_external_id,
        confidence = excluded.confidence, evidence = excluded.evidence, candidates = excluded.candidates`;
  }
}

/** Every result's match and candidates (what one_to_one assignment reads). */
export async function resultCandidates(
  sql: Queryable,
  runId: string,
): Promise<Array<{ source_row_id: string; matched_reference_row_id: string | null; candidates: Candidate[] }>> {
  return sql<{ source_row_id: string; matched_reference_row_id: string | null; candidates: Candidate[] }[]>`
    select source_row_id, matched_reference_row_id, candidates from run_results where run_id = ${runId}`;
}

/** Gives results another match and confidence (one_to_one), with the matched row's external id. */
export async function reassignMatches(
  sql: Queryable,
  runId: string,
  changes: Array<{ source_row_id: string; reference: string | null; confidence: number }>,
): Promise<void> {
  const batch = JSON.stringify(changes);
  await sql`
    update run_results r set matched_reference_row_id = x.reference, confidence = x.confidence,
      matched_reference_external_id = d.external_id
    from jsonb_to_recordset(${batch}::text::jsonb) as x(source_row_id uuid, reference uuid, confidence float8)
    left join dataset_rows d on d.id = x.reference
    where r.run_id = ${runId} and r.source_row_id = x.source_row_id`;
}

export interface BandRow {
  position: number;
  source_row_id: string;
  values: Record<string, unknown> | null;
  candidates: Candidate[];
}

/** Results whose confidence lies in the band, after a position, with their source row's values. */
export async function bandRows(sql: Queryable, runId: string, band: { low: number; high: number }, after: number, limit: number): Promise<BandRow[]> {
  return sql<BandRow[]>`
    select r.position, r.source_row_id, coalesce(s.values, d.values) as values, r.candidates
    from run_results r
    left join dataset_rows s on s.id = r.source_row_id
    left join run_documents d on d.id = r.source_row_id
    where r.run_id = ${runId} and r.confidence between ${band.low} and ${band.high} and r.position > ${after}
    order by r.position
    limit ${limit}`;
}

/** The reference rows among `references` that results of the run other than `exceptSources` hold. */
export async function heldReferences(tx: postgres.TransactionSql, runId: string, references: string[], exceptSources: string[]): Promise<Set<string>> {
  const held = await tx<{ reference: string }[]>`
    select matched_reference_row_id as reference from run_results
    where run_id = ${runId} and matched_reference_row_id = any(${references}::uuid[])
      and source_row_id <> all(${exceptSources}::uuid[])`;
  return new Set(held.map((row) => row.reference));
}

/** Writes rescored results (the review pass): match, confidence, evidence and re-ranked candidates. */
export async function writeRescored(
  tx: postgres.TransactionSql,
  runId: string,
  records: Array<{ source_row_id: string; reference: string | null; confidence: number; evidence: RowMatch['evidence']; candidates: Candidate[] }>,
): Promise<void> {
  await tx`
    update run_results r set matched_reference_row_id = x.reference, matched_reference_external_id = d.external_id,
      confidence = x.confidence, evidence = x.evidence, candidates = x.candidates
    from jsonb_to_recordset(${JSON.stringify(records)}::text::jsonb)
      as x(source_row_id uuid, reference uuid, confidence float8, evidence jsonb, candidates jsonb)
    left join dataset_rows d on d.id = x.reference
    where r.run_id = ${runId} and r.source_row_id = x.source_row_id`;
}
