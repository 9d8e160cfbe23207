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
  decidedOutcomes,
  expandSliceResult,
  matchSlice,
  MatchWorkerPool,
  type EngineRow,
  type MatchConfig,
  ReferenceIndex,
  type SliceResult,
} from '../../matching';
import type { IndexThreadOutput } from './index-thread';
import { runOnThread, siblingModule } from '../../process/threads';
import { processIndexBudget, ReferenceIndexCache } from './index-cache';
import { assignOneToOne } from './one-to-one';
import {
  loadReferenceSnapshotAs,
  ReferenceDatasetGone,
  referenceVersion as currentReferenceVersion,
  ReferenceVersionUnavailable,
} from '../datasets/row-changes';
import { queueReviewPass } from './review-pass';
import {
  addChunkCounts,
  chunkTally,
  claimChunk,
  completeEmptyRun,
  completeRunRow,
  datasetExists,
  datasetRowCount,
  failRunRow,
  finishChunk,
  insertChunks,
  runForWork,
  runSnapshot,
  runStatus,
  skipPendingChunk,
  skipPendingChunks,
  skipRunningChunk,
  sourceRange,
  sourceRows as loadSourceRows,
  startMatching,
  type NewChunk,
} from './store';
import { approveDecidedResults, writeResults, type MatchedRow } from './results-store';
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

/**
 * The cache key of a run's index: the run and the reference version it matches against, so an index built from
 * other rows is never served for it (a run's version never changes; the key says so instead of assuming it).
 */
export function runIndexKey(runId: string, referenceVersion: number | null): string {
  return `run:${runId}@${referenceVersion ?? 'current'}`;
}

// ─── plan ───────────────────────────────────────────────────────────────────────────────────────────────────────

export async function planRun(execution: ExecutionContext, runId: string): Promise<void> {
  const { app } = execution;
  const chunkSize = app.settings.RUN_CHUNK_SIZE;
  const maxAttempts = app.settings.RUN_CHUNK_MAX_ATTEMPTS;
  const outcome = await app.sql.begin(async (tx) => {
    const run = await runForWork(tx, runId, true);
    if (!run || run.status !== 'queued') return 'skip' as const;
    const snapshot = run.snapshot;
    // The version the whole run matches against: every chunk, on any worker, rewinds the reference rows to it
    // (row-changes.ts, loadReferenceSnapshot), so rows written while the run goes on are wholly out of it.
    const referenceVersion = await currentReferenceVersion(tx, snapshot.referenceDataId);
    if (referenceVersion === undefined) throw new RunFailure('The reference dataset of this run no longer exists.');
    if (snapshot.sourceDataId && !(await datasetExists(tx, snapshot.sourceDataId))) {
      throw new RunFailure('The source dataset of this run no longer exists.');
    }
    const range = await sourceRange(tx, runId, snapshot);
    const total = range?.n ?? 0;
    const chunks: NewChunk[] = [];
    if (total > 0 && range?.lo != null && range.hi != null) {
      for (let first = range.lo, index = 0; first <= range.hi; first += chunkSize, index++) {
        chunks.push({ run_id: runId, chunk_index: index, first_position: first, last_position: Math.min(first + chunkSize - 1, range.hi) });
      }
    }
    if (chunks.length === 0) {
      await completeEmptyRun(tx, runId, referenceVersion);
      await notifyRun(tx, runId, 'state');
      await enqueueRunWebhooks(tx, runId);
      return 'done' as const;
    }
    await insertChunks(tx, chunks);
    await addJobs(
      tx,
      'run_chunk',
      chunks.map((chunk) => ({ payload: { runId, chunkIndex: chunk.chunk_index } })),
      { maxAttempts },
    );
    await startMatching(tx, runId, total, chunks.length, referenceVersion);
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
  const { index } = await runOnThread<IndexThreadOutput>(siblingModule(import.meta.url, 'index-thread'), {
    databaseUrl,
    referenceDataId,
    referenceVersion,
    config,
  }).catch((error: unknown) => {
    if (typeof error === 'string' && error.startsWith(SNAPSHOT_FAILURE)) throw new RunFailure(error.slice(SNAPSHOT_FAILURE.length));
    throw error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'index thread failed');
  });
  return ReferenceIndex.fromData(index);
}

/** Marks an index thread's error that no retry can fix (the dataset or its version is gone). */
export const SNAPSHOT_FAILURE = 'reference snapshot unavailable: ';

/**
 * The reference rows as engine rows, as they were at the run's version (the current rows for a run planned before
 * versions existed), read in one snapshot. A dataset deleted, or a version no longer reconstructible, fails the run.
 */
export async function loadRunReference(sql: postgres.Sql, referenceDataId: string, referenceVersion: number | null): Promise<EngineRow[]> {
  try {
    const { rows } = await loadReferenceSnapshotAs(
      sql,
      referenceDataId,
      referenceVersion ?? undefined,
      (row): EngineRow => ({ id: row.id, values: row.values }),
    );
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
  const referenceRows = await datasetRowCount(app.sql, snapshot.referenceDataId);
  if (referenceRows === undefined) throw new RunFailure('The reference dataset of this run no longer exists.');
  const threads = app.settings.MATCH_THREADS || availableParallelism();
  const large = referenceRows >= THREADED_MIN_REFERENCE_ROWS;
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
      {
        rows: index.size,
        ms: Math.round(performance.now() - started),
        bytes: index.estimatedBytes,
        threads: pool ? threads : 1,
        offThread,
      },
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

export async function runChunk(execution: ExecutionContext, runId: string, chunkIndex: number): Promise<void> {
  const { app, cache, workerId } = execution;
  const run = await runForWork(app.sql, runId);
  if (!run) return;
  const indexKey = runIndexKey(runId, run.referenceVersion);
  if (run.status !== 'running') {
    // Cancelled or failed meanwhile: this chunk is not needed any more.
    await skipPendingChunk(app.sql, runId, chunkIndex);
    cache.delete(indexKey);
    return;
  }
  const chunk = await claimChunk(app.sql, runId, chunkIndex, workerId);
  if (!chunk) {
    // Already done: a retry of a job whose chunk committed but whose finalisation did not finish. Finish it.
    const state = await chunkTally(app.sql, runId);
    if (state && state.status === 'running' && state.chunks_done >= state.chunks_total) await finaliseRun(execution, runId, run.snapshot);
    return;
  }

  const [prepared, sourceRows] = await Promise.all([
    cache.get(indexKey, () => prepareIndex(execution, run.snapshot, run.referenceVersion)),
    loadSourceRows(app.sql, runId, run.snapshot, chunk.first_position, chunk.last_position),
  ]);
  if (runHooks.beforeMatch) await runHooks.beforeMatch(runId);
  const loaded = performance.now();
  const engineRows: EngineRow[] = sourceRows.map((row) => ({ id: row.id, values: row.values }));
  const { rows: matches } = await matchRows(prepared, engineRows);
  const matchedAt = performance.now();

  let matched = 0;
  let confidenceSum = 0;
  const records = matches.map((match, i): MatchedRow => {
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
  const progress = await retryTransient(() =>
    app.sql.begin(async (tx) => {
      await writeResults(tx, runId, records);
      if (!(await finishChunk(tx, chunk.id, workerId, records.length, matched))) return undefined;
      // Cancelled or failed while this chunk was matching: the run's end is final (its counters, results and events
      // went out with it), so this chunk's work is dropped. Waits for a cancel in progress (same row lock).
      if ((await runStatus(tx, runId, true)) !== 'running') throw new RunEnded();
      // Progress events of a run go out at most once per RUN_PROGRESS_INTERVAL_MS, across all worker processes.
      const updated = await addChunkCounts(tx, runId, { processed: records.length, matched, confidenceSum }, intervalMs);
      const last = updated.chunks_done >= updated.chunks_total;
      if (!last && updated.notify) await notifyRun(tx, runId, 'progress');
      return updated;
    }),
  ).catch(async (error: unknown) => {
    if (!(error instanceof RunEnded)) throw error;
    await skipRunningChunk(app.sql, chunk.id);
    cache.delete(indexKey);
    return undefined;
  });
  app.logger.debug(
    {
      runId,
      chunkIndex,
      rows: records.length,
      matchMs: Math.round(matchedAt - loaded),
      writeMs: Math.round(performance.now() - matchedAt),
    },
    'chunk done',
  );
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

/** Results that follow the plan's kept review decisions approved by them; counters from the results table (so
 *  retries cannot double count), `completed_at` and status `completed`. */
export async function completeRun(app: App, runId: string): Promise<void> {
  await app.sql.begin(async (tx) => {
    const snapshot = await runSnapshot(tx, runId);
    if (snapshot) await approveDecidedResults(tx, runId, decidedOutcomes(snapshot.match as MatchConfig));
    if (!(await completeRunRow(tx, runId))) return;
    await notifyRun(tx, runId, 'state');
    await enqueueRunWebhooks(tx, runId);
  });
}

/** Marks a run failed (unless it already ended) with the error, and publishes the change. */
export async function failRun(app: App, runId: string, message: string): Promise<void> {
  await app.sql.begin(async (tx) => {
    if (!(await failRunRow(tx, runId, message))) return;
    await skipPendingChunks(tx, runId);
    await notifyRun(tx, runId, 'state');
    await enqueueRunWebhooks(tx, runId);
  });
}
