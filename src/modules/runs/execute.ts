/**
 * Run execution, called by the graphile-worker tasks of src/worker:
 *   run_plan  → counts the source rows, writes run_chunks (position ranges), queues one run_chunk job per chunk
 *               and sets the run `running`, all in one transaction;
 *   run_chunk → matches its slice against the run's reference index (cached per process) and, in one transaction,
 *               upserts the results (unique per run and source row), marks the chunk done and adds its counts to
 *               the run; the transaction that brings chunks_done to chunks_total is the only one that finalises.
 * Cancellation is cooperative: a chunk checks the run's status before it starts. A chunk that keeps failing (or
 * a permanent problem such as a deleted dataset) fails the run with the error.
 */
import os, { availableParallelism } from 'node:os';
import type postgres from 'postgres';
import type { App } from '../../context';
import type { RunSnapshot } from '../../db/schema';
import { notifyRun } from '../../events/run-events';
import {
  buildReferenceIndex,
  expandSliceResult,
  matchSlice,
  MatchWorkerPool,
  type EngineRow,
  type MatchConfig,
  ReferenceIndex,
  type ReferenceIndexData,
  type SliceResult,
} from '../../matching';
import { runOnThread, siblingModule } from '../../process/threads';
import { processIndexBudget, ReferenceIndexCache } from './index-cache';
import { assignOneToOne } from './one-to-one';
import { loadReferenceSnapshotAs, ReferenceDatasetGone, ReferenceVersionUnavailable } from '../datasets/row-changes';
import { queueReviewPass } from './review-pass';
import { enqueueRunWebhooks } from '../webhooks/enqueue';
import { addJobs } from '../../worker/tasks';

/** A problem retrying cannot fix: the run fails at once. */
export class RunFailure extends Error {}

/** A run's reference index and, for large references, the worker threads that match against it. */
export interface PreparedIndex {
  index: ReferenceIndex;
  pool: MatchWorkerPool | null;
  estimatedBytes: number;
}

/** Below this many reference rows a chunk is matched inline (starting threads costs more than it saves). */
const THREADED_MIN_REFERENCE_ROWS = 50_000;

export interface ExecutionContext {
  app: App;
  /** Recorded on each chunk this process takes. */
  workerId: string;
  cache: ReferenceIndexCache<PreparedIndex>;
  /** Where index threads connect (large references are loaded and indexed off the main thread). */
  databaseUrl: string | undefined;
  /** Releases the cached indexes and their threads. */
  close(): void;
}

export function createExecutionContext(
  app: App,
  workerId = `${os.hostname()}:${process.pid}`,
  databaseUrl: string | undefined = app.settings.DATABASE_URL,
): ExecutionContext {
  const cache = new ReferenceIndexCache<PreparedIndex>(processIndexBudget(app.settings), (prepared) => {
    void prepared.pool?.close();
  });
  return {
    app,
    workerId,
    cache,
    databaseUrl,
    close: () => cache.clear(),
  };
}

interface RunRow {
  id: string;
  workspace_id: string;
  status: string;
  snapshot: RunSnapshot;
  /** bigint: postgres.js reads it as text. Null for runs planned before reference versions existed. */
  reference_version: string | null;
}

/**
 * The cache key of a run's index: the run and the reference version it matches against, so an index built from
 * other rows is never served for it (a run's version never changes; the key says so instead of assuming it).
 */
export function runIndexKey(runId: string, referenceVersion: number | null): string {
  return `run:${runId}@${referenceVersion ?? 'current'}`;
}

const versionOf = (run: RunRow): number | null => (run.reference_version === null ? null : Number(run.reference_version));

// ─── plan ───────────────────────────────────────────────────────────────────────────────────────────────────────

export async function planRun(execution: ExecutionContext, runId: string): Promise<void> {
  const { app } = execution;
  const chunkSize = app.settings.RUN_CHUNK_SIZE;
  const maxAttempts = app.settings.RUN_CHUNK_MAX_ATTEMPTS;
  const outcome = await app.sql.begin(async (tx) => {
    const [run] = await tx<RunRow[]>`select id, workspace_id, status, snapshot, reference_version from runs where id = ${runId} for no key update`;
    if (!run || run.status !== 'queued') return 'skip' as const;
    const snapshot = run.snapshot;
    // The version the whole run matches against: every chunk, on any worker, rewinds the reference rows to it
    // (row-changes.ts, loadReferenceSnapshot), so rows written while the run goes on are wholly out of it.
    const [reference] = await tx<{ version: string }[]>`select version from datasets where id = ${snapshot.referenceDataId}`;
    if (!reference) throw new RunFailure('The reference dataset of this run no longer exists.');
    const referenceVersion = Number(reference.version);
    let range: { n: number; lo: number | null; hi: number | null } | undefined;
    if (snapshot.sourceDataId) {
      const [source] = await tx`select 1 from datasets where id = ${snapshot.sourceDataId}`;
      if (!source) throw new RunFailure('The source dataset of this run no longer exists.');
      [range] = await tx<{ n: number; lo: number | null; hi: number | null }[]>`
        select count(*)::int as n, min(position) as lo, max(position) as hi from dataset_rows where dataset_id = ${snapshot.sourceDataId}`;
    } else {
      [range] = await tx<{ n: number; lo: number | null; hi: number | null }[]>`
        select count(*)::int as n, min(position) as lo, max(position) as hi from run_documents where run_id = ${runId}`;
    }
    const total = range?.n ?? 0;
    const chunks: Array<{ run_id: string; chunk_index: number; first_position: number; last_position: number }> = [];
    if (total > 0 && range?.lo != null && range.hi != null) {
      for (let first = range.lo, index = 0; first <= range.hi; first += chunkSize, index++) {
        chunks.push({ run_id: runId, chunk_index: index, first_position: first, last_position: Math.min(first + chunkSize - 1, range.hi) });
      }
    }
    if (chunks.length === 0) {
      await tx`
        update runs set status = 'completed', phase = 'done', rows_total = 0, rows_processed = 0, rows_matched = 0,
          reference_version = ${referenceVersion}, started_at = now(), completed_at = now(), updated_at = now(), version = version + 1
        where id = ${runId}`;
      await notifyRun(tx, runId, 'state');
      await enqueueRunWebhooks(tx, runId);
      return 'done' as const;
    }
    await tx`insert into run_chunks ${tx(chunks)} on conflict (run_id, chunk_index) do nothing`;
    await addJobs(tx, 'run_chunk', chunks.map((chunk) => ({ payload: { runId, chunkIndex: chunk.chunk_index } })), { maxAttempts });
    await tx`
      update runs set status = 'running', phase = 'matching', rows_total = ${total}, rows_processed = 0, rows_matched = 0,
        reference_version = ${referenceVersion}, chunks_total = ${chunks.length}, chunks_done = 0, started_at = now(), updated_at = now(),
        version = version + 1
      where id = ${runId}`;
    await notifyRun(tx, runId, 'state');
    return 'planned' as const;
  });
  app.logger.debug({ runId, outcome }, 'run planned');
}

// ─── chunk ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** Loads and indexes the reference rows on a worker thread; the index comes back on shared memory. */
async function buildIndexOffThread(
  databaseUrl: string,
  referenceDataId: string,
  referenceVersion: number | null,
  config: MatchConfig,
): Promise<ReferenceIndex> {
  const data = await runOnThread<ReferenceIndexData>(siblingModule(import.meta.url, 'index-thread'), {
    databaseUrl,
    referenceDataId,
    referenceVersion,
    config,
  }).catch((error: unknown) => {
    if (typeof error === 'string' && error.startsWith(SNAPSHOT_FAILURE)) throw new RunFailure(error.slice(SNAPSHOT_FAILURE.length));
    throw error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'index thread failed');
  });
  return ReferenceIndex.fromData(data);
}

/** Marks an index thread's error that no retry can fix (the dataset or its version is gone). */
export const SNAPSHOT_FAILURE = 'reference snapshot unavailable: ';

/**
 * The reference rows as engine rows, as they were at the run's version (the current rows for a run planned before
 * versions existed), read in one snapshot. A dataset deleted, or a version no longer reconstructible, fails the run.
 */
export async function loadRunReference(sql: postgres.Sql, referenceDataId: string, referenceVersion: number | null): Promise<EngineRow[]> {
  try {
    const { rows } = await loadReferenceSnapshotAs(sql, referenceDataId, referenceVersion ?? undefined, (row): EngineRow => ({ id: row.id, values: row.values }));
    return rows;
  } catch (error) {
    if (error instanceof ReferenceDatasetGone) throw new RunFailure('The reference dataset of this run no longer exists.');
    if (error instanceof ReferenceVersionUnavailable) throw new RunFailure(error.message);
    throw error;
  }
}

/**
 * Test hook: called after a chunk's reference index is ready and before it matches, with the run id. Tests hold a
 * run there to write reference rows "mid-run"; undefined (always, outside tests) costs nothing.
 */
export const runHooks: { beforeMatch?: (runId: string) => Promise<void> } = {};

async function prepareIndex(execution: ExecutionContext, snapshot: RunSnapshot, referenceVersion: number | null): Promise<PreparedIndex> {
  const { app } = execution;
  const started = performance.now();
  const [dataset] = await app.sql<{ row_count: number }[]>`select row_count from datasets where id = ${snapshot.referenceDataId}`;
  if (!dataset) throw new RunFailure('The reference dataset of this run no longer exists.');
  const threads = app.settings.MATCH_THREADS || availableParallelism();
  const large = dataset.row_count >= THREADED_MIN_REFERENCE_ROWS;
  // Automatic (MATCH_THREADS=0): threads for large references only; an explicit MATCH_THREADS > 1 always uses them.
  const threaded = threads > 1 && (app.settings.MATCH_THREADS > 1 || large);
  // A large reference is always loaded and indexed off the main thread (seconds of work that would otherwise stall
  // HTTP, events and the worker heartbeat); the index then lives on SharedArrayBuffers, shared with matching threads.
  const offThread = (large || threaded) && execution.databaseUrl !== undefined;
  // Matching threads boot while the index is built.
  const pool = threaded ? new MatchWorkerPool(null, threads) : null;
  try {
    let index: ReferenceIndex;
    if (offThread) {
      index = await buildIndexOffThread(execution.databaseUrl!, snapshot.referenceDataId, referenceVersion, snapshot.match as MatchConfig);
    } else {
      const rows = await loadRunReference(app.sql, snapshot.referenceDataId, referenceVersion);
      index = buildReferenceIndex(rows, snapshot.match as MatchConfig, { shared: threaded });
    }
    pool?.useIndex(index);
    app.logger.info(
      { rows: index.size, ms: Math.round(performance.now() - started), bytes: index.estimatedBytes, threads: pool ? threads : 1, offThread },
      'reference index ready',
    );
    return { index, pool, estimatedBytes: index.estimatedBytes };
  } catch (error) {
    await pool?.close();
    throw error;
  }
}

async function matchRows(prepared: PreparedIndex, rows: EngineRow[]): Promise<SliceResult> {
  if (!prepared.pool) return matchSlice(prepared.index, rows);
  return expandSliceResult(prepared.index, rows, await prepared.pool.matchCompact(rows));
}

interface SourceRow {
  id: string;
  position: number;
  external_id: string;
  filename: string | null;
  values: Record<string, unknown>;
}

async function loadSourceRows(app: App, runId: string, snapshot: RunSnapshot, first: number, last: number): Promise<SourceRow[]> {
  return snapshot.sourceDataId
    ? app.sql<SourceRow[]>`
        select id, position, external_id, filename, values from dataset_rows
        where dataset_id = ${snapshot.sourceDataId} and position between ${first} and ${last} order by position`
    : app.sql<SourceRow[]>`
        select id, position, external_id, filename, values from run_documents
        where run_id = ${runId} and position between ${first} and ${last} order by position`;
}

export async function runChunk(execution: ExecutionContext, runId: string, chunkIndex: number): Promise<void> {
  const { app, cache, workerId } = execution;
  const [run] = await app.sql<RunRow[]>`select id, workspace_id, status, snapshot, reference_version from runs where id = ${runId}`;
  if (!run) return;
  const indexKey = runIndexKey(runId, versionOf(run));
  if (run.status !== 'running') {
    // Cancelled or failed meanwhile: this chunk is not needed any more.
    await app.sql`update run_chunks set status = 'skipped' where run_id = ${runId} and chunk_index = ${chunkIndex} and status = 'pending'`;
    cache.delete(indexKey);
    return;
  }
  const [chunk] = await app.sql<{ id: string; first_position: number; last_position: number }[]>`
    update run_chunks set status = 'running', worker_id = ${workerId}, attempts = attempts + 1, started_at = now()
    where run_id = ${runId} and chunk_index = ${chunkIndex} and status in ('pending', 'running')
    returning id, first_position, last_position`;
  if (!chunk) {
    // Already done: a retry of a job whose chunk committed but whose finalisation did not finish. Finish it.
    const [state] = await app.sql<{ chunks_done: number; chunks_total: number; status: string }[]>`
      select chunks_done, chunks_total, status from runs where id = ${runId}`;
    if (state && state.status === 'running' && state.chunks_done >= state.chunks_total) await finaliseRun(execution, runId, run.snapshot);
    return;
  }

  const [prepared, sourceRows] = await Promise.all([
    cache.get(indexKey, () => prepareIndex(execution, run.snapshot, versionOf(run))),
    loadSourceRows(app, runId, run.snapshot, chunk.first_position, chunk.last_position),
  ]);
  if (runHooks.beforeMatch) await runHooks.beforeMatch(runId);
  const loaded = performance.now();
  const engineRows: EngineRow[] = sourceRows.map((row) => ({ id: row.id, values: row.values }));
  const { rows: matches } = await matchRows(prepared, engineRows);
  const matchedAt = performance.now();

  let matched = 0;
  let confidenceSum = 0;
  const records = matches.map((match, i) => {
    const source = sourceRows[i]!;
    if (match.referenceRowId !== null) {
      matched++;
      confidenceSum += match.confidence;
    }
    return {
      source_row_id: source.id,
      position: source.position,
      document_id: source.external_id,
      document_filename: source.filename,
      matched_reference_row_id: match.referenceRowId,
      confidence: match.confidence,
      evidence: match.evidence,
      candidates: match.candidates,
    };
  });

  const intervalMs = app.settings.RUN_PROGRESS_INTERVAL_MS;
  const progress = await retryTransient(() => app.sql.begin(async (tx) => {
    await writeResults(tx, runId, records);
    const [done] = await tx`
      update run_chunks set status = 'done', completed_at = now(), worker_id = ${workerId},
        rows_processed = ${records.length}, rows_matched = ${matched}
      where id = ${chunk.id} and status = 'running'
      returning id`;
    if (!done) return undefined;
    // Cancelled or failed while this chunk was matching: the run's end is final (its counters, results and events
    // went out with it), so this chunk's work is dropped. Waits for a cancel in progress (same row lock).
    const [state] = await tx<{ status: string }[]>`select status from runs where id = ${runId} for no key update`;
    if (state?.status !== 'running') throw new RunEnded();
    // Progress events of a run go out at most once per RUN_PROGRESS_INTERVAL_MS, across all worker processes:
    // the run row remembers when the last one went out. (FOR NO KEY UPDATE: it must not conflict with the KEY SHARE
    // locks that concurrent chunks' result inserts take on the run row through the foreign key.)
    const [updated] = await tx<{ chunks_done: number; chunks_total: number; status: string; notify: boolean }[]>`
      with previous as (select progress_notified_at as at from runs where id = ${runId} for no key update)
      update runs set rows_processed = coalesce(rows_processed, 0) + ${records.length},
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
    const last = updated!.chunks_done >= updated!.chunks_total;
    if (!last && updated!.notify) await notifyRun(tx, runId, 'progress');
    return updated!;
  })).catch(async (error: unknown) => {
    if (!(error instanceof RunEnded)) throw error;
    await app.sql`update run_chunks set status = 'skipped' where id = ${chunk.id} and status = 'running'`;
    cache.delete(indexKey);
    return undefined;
  });
  app.logger.debug({ runId, chunkIndex, rows: records.length, matchMs: Math.round(matchedAt - loaded), writeMs: Math.round(performance.now() - matchedAt) }, 'chunk done');
  if (progress && progress.chunks_done >= progress.chunks_total) {
    cache.delete(indexKey);
    if (progress.status === 'running') await finaliseRun(execution, runId, run.snapshot);
  }
}

/** Rolls back a chunk's write: its run ended (cancelled, failed) while the chunk was matching. */
class RunEnded extends Error {}

/** Runs a transaction again (up to 3 times) when Postgres aborts it as a deadlock victim or serialization failure. */
async function retryTransient<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 50));
    }
  }
}

type ResultRecord = {
  source_row_id: string;
  position: number;
  document_id: string;
  document_filename: string | null;
  matched_reference_row_id: string | null;
  confidence: number;
  evidence: unknown;
  candidates: unknown;
};

/** Upserts results keyed by (run, source row): a retried chunk overwrites its own rows, never duplicates them. */
async function writeResults(tx: postgres.TransactionSql, runId: string, records: ResultRecord[]): Promise<void> {
  for (let start = 0; start < records.length; start += 5000) {
    const batch = JSON.stringify(records.slice(start, start + 5000));
    await tx`
      insert into run_results (run_id, source_row_id, position, document_id, document_filename, matched_reference_row_id,
        matched_reference_external_id, confidence, evidence, candidates)
      select ${runId}, x.source_row_id, x.position, x.document_id, x.document_filename, x.matched_reference_row_id,
        -- A row deleted since the run's reference version is gone from dataset_rows; its change records keep its
        -- external id (a row id never changes external id).
        coalesce(d.external_id, (select c.external_id from reference_row_changes c where c.row_id = x.matched_reference_row_id limit 1)),
        x.confidence, x.evidence, x.candidates
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

// ─── finalise ───────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * After the last chunk: one_to_one assignment over all results (when the config asks for it; smart runs: before
 * and after the review pass), then the counters from the results table (so retries cannot double count),
 * `completed_at` and status `completed`.
 */
export async function finaliseRun(execution: ExecutionContext, runId: string, snapshot: RunSnapshot): Promise<void> {
  const { app } = execution;
  const reviewPass = snapshot.reviewPass === true && snapshot.reviewBand != null;
  // With a review pass, one_to_one is assigned before it too: the pass then never gives a reference row another row
  // holds, and assigns again after it from the re-ranked candidates (review-pass.ts).
  if (snapshot.match.oneToOne) await assignOneToOne(app, runId, snapshot.match.threshold);
  if (reviewPass) {
    // Smart runs: the review band's second pass completes the run (src/modules/runs/review-pass.ts).
    await app.sql.begin((tx) => queueReviewPass(tx, runId, 'running'));
    return;
  }
  await completeRun(app, runId);
}

/** Counters from the results table (so retries cannot double count), `completed_at` and status `completed`. */
export async function completeRun(app: App, runId: string): Promise<void> {
  await app.sql.begin(async (tx) => {
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
    if (!updated) return;
    await notifyRun(tx, runId, 'state');
    await enqueueRunWebhooks(tx, runId);
  });
}

/** Marks a run failed (unless it already ended) with the error, and publishes the change. */
export async function failRun(app: App, runId: string, message: string): Promise<void> {
  await app.sql.begin(async (tx) => {
    const [updated] = await tx`
      update runs set status = 'failed', phase = 'failed', error = ${message.slice(0, 2000)}, completed_at = now(),
        updated_at = now(), version = version + 1
      where id = ${runId} and status in ('queued', 'running', 'ai_resolving')
      returning id`;
    if (!updated) return;
    await tx`update run_chunks set status = 'skipped' where run_id = ${runId} and status = 'pending'`;
    await notifyRun(tx, runId, 'state');
    await enqueueRunWebhooks(tx, runId);
  });
}
