// Matching on several threads. The index is built once with `{ shared: true }`; its typed arrays live on
// SharedArrayBuffers, so posting it to a worker shares the memory instead of copying it. Each worker rebuilds the
// thin ReferenceIndex object around the shared data and runs the ordinary single-threaded matcher on the slices
// it receives, returning compact typed-array results (transferred, not copied). Slices are independent (see
// match.ts), so the split does not change any row's result.

import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { ReferenceIndex } from './index-build';
import { expandSliceResult, matchSliceCompact, type CompactSliceResult } from './match';
import type { EngineRow, SliceResult } from './types';

interface Pending {
  resolve: (result: CompactSliceResult) => void;
  reject: (error: Error) => void;
}

/** The worker script next to this file: `.ts` when running from source (tsx), `.js` when compiled. */
function workerUrl(): URL {
  const self = import.meta.url;
  return new URL(self.endsWith('.ts') ? './parallel-worker.ts' : './parallel-worker.js', self);
}

/** Start the worker. Running from TypeScript sources (tsx), a worker thread does not inherit tsx's module hooks,
 *  so a tiny eval'd bootstrap registers them (tsx/esm/api) before importing the worker module. */
function startWorker(url: URL, workerData: unknown): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * A fixed set of worker threads holding one shared reference index. Reuse it for every chunk of a run against
 * the same index; `close()` when done. Workers take slices in turn (one slice in flight per worker).
 * The pool may be started without an index (`new MatchWorkerPool(null, threads)`) so the threads boot while the
 * index is built; `useIndex` then hands it over (also to switch indexes between runs).
 */
export class MatchWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ rows: EngineRow[]; pending: Pending }> = [];
  private readonly inFlight = new Map<Worker, Pending>();

  private index: ReferenceIndex | null;

  constructor(index: ReferenceIndex | null, threads = Math.max(1, availableParallelism())) {
    this.index = index;
    const url = workerUrl();
    for (let i = 0; i < threads; i++) {
      const worker = startWorker(url, { index: index?.data });
      worker.on('message', (result: CompactSliceResult) => this.settle(worker, (p) => p.resolve(result)));
      worker.on('error', (error) => this.settle(worker, (p) => p.reject(error)));
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /** Share an index with every worker (call between slices, not while slices are in flight). */
  useIndex(index: ReferenceIndex): void {
    this.index = index;
    for (const worker of this.workers) worker.postMessage({ index: index.data });
  }

  /** Compact result of a slice (see CompactSliceResult; expand with expandSliceResult on the same rows). */
  matchCompact(rows: EngineRow[]): Promise<CompactSliceResult> {
    if (this.index === null) return Promise.reject(new Error('MatchWorkerPool has no index yet (useIndex)'));
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, pending: { resolve, reject } });
      this.dispatch();
    });
  }

  async match(rows: EngineRow[]): Promise<SliceResult> {
    const compact = await this.matchCompact(rows);
    return expandSliceResult(this.index as ReferenceIndex, rows, compact);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(worker: Worker, action: (p: Pending) => void): void {
    const pending = this.inFlight.get(worker);
    this.inFlight.delete(worker);
    this.idle.push(worker);
    if (pending) action(pending);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const job = this.queue.shift() as { rows: EngineRow[]; pending: Pending };
      this.inFlight.set(worker, job.pending);
      worker.postMessage({ rows: job.rows });
    }
  }
}

/** Concatenate compact results of consecutive slices (in order). */
export function mergeCompactResults(results: CompactSliceResult[]): CompactSliceResult {
  const fieldCount = results[0]?.fieldCount ?? 0;
  const rowCount = results.reduce((s, r) => s + r.rowCount, 0);
  const merged: CompactSliceResult = {
    rowCount,
    fieldCount,
    topRows: new Int32Array(rowCount * 5),
    topScores: new Float64Array(rowCount * 5),
    topCount: new Uint8Array(rowCount),
    fieldScores: new Float64Array(rowCount * fieldCount),
    stats: { rowsProcessed: 0, rowsMatched: 0, confidenceSum: 0, pairsCompared: 0 },
  };
  let at = 0;
  for (const r of results) {
    merged.topRows.set(r.topRows, at * 5);
    merged.topScores.set(r.topScores, at * 5);
    merged.topCount.set(r.topCount, at);
    merged.fieldScores.set(r.fieldScores, at * fieldCount);
    merged.stats.rowsProcessed += r.stats.rowsProcessed;
    merged.stats.rowsMatched += r.stats.rowsMatched;
    merged.stats.confidenceSum += r.stats.confidenceSum;
    merged.stats.pairsCompared += r.stats.pairsCompared;
    at += r.rowCount;
  }
  return merged;
}

/** Concatenate slice results in order (rows) and add up their statistics. */
export function mergeSliceResults(results: SliceResult[]): SliceResult {
  const merged: SliceResult = { rows: [], stats: { rowsProcessed: 0, rowsMatched: 0, confidenceSum: 0, pairsCompared: 0 } };
  for (const r of results) {
    for (const row of r.rows) merged.rows.push(row);
    merged.stats.rowsProcessed += r.stats.rowsProcessed;
    merged.stats.rowsMatched += r.stats.rowsMatched;
    merged.stats.confidenceSum += r.stats.confidenceSum;
    merged.stats.pairsCompared += r.stats.pairsCompared;
  }
  return merged;
}

export interface ParallelOptions {
  threads?: number;
  sliceSize?: number;
  /** below this many rows per thread, fewer threads are used (default 20,000); one thread = inline */
  minRowsPerThread?: number;
  /** reuse a running pool (its index must be this index); otherwise one is started and closed here */
  pool?: MatchWorkerPool;
}

/**
 * Compact results for all source rows, matched on worker threads: the rows are cut into slices of `sliceSize`
 * (default: 4 slices per thread, so a slow slice does not leave a core idle); results are in input order.
 * Build the index with `{ shared: true }`, or every worker gets its own copy of it.
 */
export async function matchParallelCompact(
  index: ReferenceIndex,
  sourceRows: EngineRow[],
  options: ParallelOptions = {},
): Promise<CompactSliceResult> {
  // Starting a worker costs tens of milliseconds (more under tsx): small inputs run inline.
  const minRowsPerThread = options.minRowsPerThread ?? 20_000;
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), Math.floor(sourceRows.length / minRowsPerThread)));
  if (threads === 1 && options.pool === undefined) return matchSliceCompact(index, sourceRows);
  const sliceSize = Math.max(1, options.sliceSize ?? Math.ceil(sourceRows.length / (threads * 4)));
  const pool = options.pool ?? new MatchWorkerPool(index, threads);
  try {
    const slices: Array<Promise<CompactSliceResult>> = [];
    for (let start = 0; start < sourceRows.length; start += sliceSize)
      slices.push(pool.matchCompact(sourceRows.slice(start, start + sliceSize)));
    return mergeCompactResults(await Promise.all(slices));
  } finally {
    if (options.pool === undefined) await pool.close();
  }
}

/** Like matchParallelCompact, expanded to RowMatch objects (ids, evidence) on the calling thread. */
export async function matchParallel(index: ReferenceIndex, sourceRows: EngineRow[], options: ParallelOptions = {}): Promise<SliceResult> {
  return expandSliceResult(index, sourceRows, await matchParallelCompact(index, sourceRows, options));
}
