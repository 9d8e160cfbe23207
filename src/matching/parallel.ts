// Matching on several threads. The index is built once with `{ shared: true }`; its typed arrays live on
// SharedArrayBuffers, so posting it to a worker shares the memory instead of copying it. Each worker rebuilds the
// thin ReferenceIndex object around the shared data and runs the ordinary single-threaded matchSlice on the
// slices it receives. Slices are independent (see match.ts), so the split does not change any row's result.

import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { ReferenceIndex } from './index-build';
import { matchSlice } from './match';
import type { EngineRow, SliceResult } from './types';

interface Pending {
  resolve: (result: SliceResult) => void;
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
 */
export class MatchWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Array<{ rows: EngineRow[]; pending: Pending }> = [];
  private readonly inFlight = new Map<Worker, Pending>();

  constructor(index: ReferenceIndex, threads = Math.max(1, availableParallelism())) {
    const url = workerUrl();
    for (let i = 0; i < threads; i++) {
      const worker = startWorker(url, { index: index.data });
      worker.on('message', (result: SliceResult) => this.settle(worker, (p) => p.resolve(result)));
      worker.on('error', (error) => this.settle(worker, (p) => p.reject(error)));
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  match(rows: EngineRow[]): Promise<SliceResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, pending: { resolve, reject } });
      this.dispatch();
    });
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
      worker.postMessage(job.rows);
    }
  }
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

/**
 * Match all source rows on `threads` workers: the rows are cut into slices of `sliceSize` (default: an even
 * split into 4 slices per thread, so a slow slice does not leave a core idle), results come back in input order.
 * Fewer threads are used when there are fewer than `minRowsPerThread` rows per thread (default 20,000); with one
 * thread the slice is matched inline on the calling thread.
 * Build the index with `{ shared: true }`, or every worker gets its own copy of it.
 */
export async function matchParallel(
  index: ReferenceIndex, sourceRows: EngineRow[], options: { threads?: number; sliceSize?: number; minRowsPerThread?: number } = {},
): Promise<SliceResult> {
  // Starting a worker costs tens of milliseconds (more under tsx): small inputs run inline.
  const minRowsPerThread = options.minRowsPerThread ?? 20_000;
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), Math.floor(sourceRows.length / minRowsPerThread)));
  if (threads === 1) return matchSlice(index, sourceRows);
  const sliceSize = Math.max(1, options.sliceSize ?? Math.ceil(sourceRows.length / (threads * 4)));
  const pool = new MatchWorkerPool(index, threads);
  try {
    const slices: Array<Promise<SliceResult>> = [];
    for (let start = 0; start < sourceRows.length; start += sliceSize) slices.push(pool.match(sourceRows.slice(start, start + sliceSize)));
    return mergeSliceResults(await Promise.all(slices));
  } finally {
    await pool.close();
  }
}
