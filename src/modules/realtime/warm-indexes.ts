/**
 * Warm reference indexes of one serving process, for match-now requests (service.ts): one per (config or strategy,
 * reference dataset version), built on first use (or at start: PRELOAD_INDEXES), kept in a ReferenceIndexCache that
 * shares the process's index memory budget with the run indexes (INDEX_CACHE_BYTES, least recently used first out).
 *
 * While an index is being built, a request waits for it up to MATCH_INDEX_WAIT_MS; past that it gets 503
 * `index_building` (retryable, with Retry-After) and the build goes on, so the retry finds it warm. Waiting a bound
 * rather than always answering 503 keeps small references (built in milliseconds) invisible to callers, and
 * answering 503 past it keeps a million-row build (seconds) from holding connections open behind a load balancer.
 *
 * The index is immutable once built (a ReferenceIndexData of typed arrays); what matching mutates lives in the
 * per-thread matcher objects of src/matching (see ReferenceIndex and match-state.ts), so concurrent requests may use
 * one warm index. Large references are loaded and indexed on a worker thread (runs/index-thread.ts), as runs do.
 */
import { availableParallelism } from 'node:os';
import type { App } from '../../context';
import { IndexBuildingError, NotFoundError } from '../../errors';
import {
  buildReferenceIndex,
  type CodePool,
  CodePoolBuilder,
  LiveReferenceIndex,
  type MatchConfig,
  poolBytes,
  poolString,
  ReferenceIndex,
} from '../../matching';
import { runOnThread, siblingModule } from '../../process/threads';
import {
  changesSince,
  loadReferenceSnapshot,
  REFERENCE_ROWS_CHANNEL,
  type ReferenceRowChange,
  referenceVersion,
} from '../datasets/row-changes';
import type { IndexThreadOutput } from '../runs/index-thread';
import { processIndexBudget, ReferenceIndexCache } from '../runs/index-cache';

/** What a warm index is built from. `key` names the config or strategy and what it matches with. */
export interface MatchSource {
  key: string;
  referenceDataId: string;
  match: MatchConfig;
}

/** Rows an overlay may hold before the index is rebuilt in the background (each change rebuilds the overlay). */
const OVERLAY_REBUILD_ROWS = 20_000;

/** References from this many rows are loaded and indexed off the main thread (like run indexes). */
const OFF_THREAD_MIN_ROWS = 50_000;

export class WarmIndex {
  readonly estimatedBytes: number;

  constructor(
    readonly index: LiveReferenceIndex,
    readonly referenceDataId: string,
    readonly referenceVersion: number,
    /** The external id of each base row, in row order: answers name rows by them without a database read. */
    private readonly baseExternalIds: CodePool,
    /** External ids of the rows upserted since the base was built (the overlay's), by row id. */
    private readonly upsertedExternalIds: ReadonlyMap<string, string>,
    readonly buildMs: number,
  ) {
    // The upserted ids: about 100 bytes each (two short strings and a Map slot).
    this.estimatedBytes = index.estimatedBytes + poolBytes(baseExternalIds) + upsertedExternalIds.size * 100;
  }

  /** The external id of reference row `rowId` (dataset_rows.id), or null when the index does not hold it. */
  externalId(rowId: string): string | null {
    const upserted = this.upsertedExternalIds.get(rowId);
    if (upserted !== undefined) return upserted;
    const row = this.index.base.rowOf(rowId);
    return row < 0 ? null : poolString(this.baseExternalIds, row);
  }

  /** This index with row changes applied (each upsert's external id kept beside its overlay row). */
  withChanges(changes: readonly ReferenceRowChange[], version: number): WarmIndex {
    const upsertedExternalIds = new Map(this.upsertedExternalIds);
    for (const change of changes) {
      if (change.op === 'upsert') upsertedExternalIds.set(change.rowId, change.externalId);
      else upsertedExternalIds.delete(change.rowId);
    }
    const live = this.index.apply(
      changes.map((change) => ({ op: change.op, rowId: change.rowId, ...(change.values ? { values: change.values } : {}) })),
    );
    return new WarmIndex(live, this.referenceDataId, version, this.baseExternalIds, upsertedExternalIds, this.buildMs);
  }
}

export class WarmIndexes {
  private readonly cache: ReferenceIndexCache<WarmIndex>;
  /** What each cached key was built from (to catch it up on a notification). */
  private readonly sources = new Map<string, MatchSource>();
  private readonly catchingUp = new Map<string, Promise<WarmIndex>>();
  private readonly rebuilding = new Set<string>();
  private listening = false;
  private unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly app: App,
    private readonly databaseUrl: string | undefined = app.settings.DATABASE_URL,
  ) {
    // Warm indexes are not dropped for idleness: they are kept for the next request as long as the budget allows.
    this.cache = new ReferenceIndexCache<WarmIndex>(processIndexBudget(app.settings), () => {}, Number.POSITIVE_INFINITY);
  }

  /**
   * The warm index of `source` at `version` or later: built if needed, else brought up to `version` with the row
   * changes since its own (changesSince: the catch-up read, so a process that missed a notification still
   * converges at its next request). Waits for a build up to MATCH_INDEX_WAIT_MS, then IndexBuildingError (503).
   */
  async acquire(source: MatchSource, version: number): Promise<WarmIndex> {
    this.listen();
    const key = `${source.key}@${source.referenceDataId}`;
    this.sources.set(key, source);
    let warm = await this.bounded(this.cache.get(key, () => this.build(source, version)));
    if (warm.referenceVersion < version) warm = await this.bounded(this.catchUp(key, source));
    return warm;
  }

  /** Builds now (PRELOAD_INDEXES at start), without a wait bound. */
  async preload(source: MatchSource, version: number): Promise<WarmIndex> {
    this.listen();
    const key = `${source.key}@${source.referenceDataId}`;
    this.sources.set(key, source);
    return this.cache.get(key, () => this.build(source, version));
  }

  private async bounded(work: Promise<WarmIndex>): Promise<WarmIndex> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.app.settings.MATCH_INDEX_WAIT_MS);
    });
    try {
      const outcome = await Promise.race([work, timeout]);
      if (outcome === 'timeout') throw new IndexBuildingError(this.app.settings.MATCH_INDEX_RETRY_AFTER_SECONDS);
      return outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Brings the cached index of `key` to the dataset's current version: one catch-up at a time per key (requests
   * meanwhile share it). The changes go into the index's overlay; when they cannot (records pruned, too far behind,
   * a tfidf config, an overlay past its bound) the index is rebuilt at the current version, in the background when
   * the index could still follow.
   */
  private catchUp(key: string, source: MatchSource): Promise<WarmIndex> {
    const running = this.catchingUp.get(key);
    if (running) return running;
    const work = (async () => {
      if (!this.cache.has(key)) {
        // Evicted meanwhile: a build at the current version is the catch-up.
        const now = await referenceVersion(this.app.sql, source.referenceDataId);
        if (now === undefined)
          throw new NotFoundError('reference dataset', source.referenceDataId, 'The reference dataset of this config no longer exists.');
        return this.cache.get(key, () => this.build(source, now));
      }
      const current = await this.cache.get(key, () => Promise.reject(new Error('unreachable')));
      const { version, changes, complete } = await changesSince(this.app, source.referenceDataId, current.referenceVersion);
      if (version <= current.referenceVersion) return current;
      if (!complete || !LiveReferenceIndex.followsChanges(current.index.base)) {
        this.cache.delete(key);
        return this.cache.get(key, () => this.build(source, version));
      }
      const next = current.withChanges(changes, version);
      if (this.cache.has(key)) this.cache.set(key, next);
      if (next.index.overlaySize > OVERLAY_REBUILD_ROWS) this.rebuildInBackground(key, source, version);
      return next;
    })().finally(() => this.catchingUp.delete(key));
    this.catchingUp.set(key, work);
    return work;
  }

  /** A fresh index at `version` replaces the followed one once built; the next request catches it up from there. */
  private rebuildInBackground(key: string, source: MatchSource, version: number): void {
    if (this.rebuilding.has(key)) return;
    this.rebuilding.add(key);
    this.build(source, version)
      .then((fresh) => {
        if (this.cache.has(key)) this.cache.set(key, fresh);
      })
      .catch((error: unknown) => this.app.logger.error({ err: error, key }, 'warm index rebuild failed'))
      .finally(() => this.rebuilding.delete(key));
  }

  /**
   * LISTEN on REFERENCE_ROWS_CHANNEL (once per process): a notification catches up the warm indexes of its dataset
   * at once, so the next request finds them current. postgres.js listens again after a reconnect and calls
   * `onlisten` then: every warm index catches up, for the notifications missed meanwhile.
   */
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    const follow = (datasetId?: string) => {
      for (const [key, source] of this.sources) {
        if (datasetId !== undefined && source.referenceDataId !== datasetId) continue;
        if (!this.cache.has(key)) continue;
        this.catchUp(key, source).catch((error: unknown) => this.app.logger.warn({ err: error, key }, 'warm index catch-up failed'));
      }
    };
    this.app.sql
      .listen(
        REFERENCE_ROWS_CHANNEL,
        (payload) => {
          try {
            follow((JSON.parse(payload) as { datasetId?: string }).datasetId);
          } catch {
            follow();
          }
        },
        () => follow(),
      )
      .then((listener) => {
        this.unlisten = listener.unlisten;
      })
      .catch((error: unknown) => {
        this.listening = false;
        this.app.logger.warn({ err: error }, 'warm indexes: LISTEN failed; requests still catch up');
      });
  }

  get size(): number {
    return this.cache.size;
  }

  get totalBytes(): number {
    return this.cache.totalBytes;
  }

  /** Drops every warm index and stops listening. */
  clear(): void {
    this.cache.clear();
    this.sources.clear();
    void this.unlisten?.().catch(() => {});
    this.unlisten = undefined;
    this.listening = false;
  }

  private async build(source: MatchSource, version: number): Promise<WarmIndex> {
    const started = performance.now();
    const [dataset] = await this.app.sql<{ row_count: number }[]>`select row_count from datasets where id = ${source.referenceDataId}`;
    const offThread = (dataset?.row_count ?? 0) >= OFF_THREAD_MIN_ROWS && this.databaseUrl !== undefined && availableParallelism() > 0;
    let index: ReferenceIndex;
    let externalIds: CodePool;
    if (offThread) {
      const output = await runOnThread<IndexThreadOutput>(siblingModule(import.meta.url, '../runs/index-thread'), {
        databaseUrl: this.databaseUrl,
        referenceDataId: source.referenceDataId,
        referenceVersion: version,
        config: source.match,
        serving: true,
      }).catch((error: unknown) => {
        throw error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'index thread failed');
      });
      index = ReferenceIndex.fromData(output.index);
      externalIds = output.externalIds as CodePool;
    } else {
      const { rows } = await loadReferenceSnapshot(this.app.sql, source.referenceDataId, version);
      index = buildReferenceIndex(
        rows.map((row) => ({ id: row.id, values: row.values })),
        source.match,
        { idLookup: true },
      );
      const pool = new CodePoolBuilder();
      for (const row of rows) pool.push(row.externalId);
      externalIds = pool.finish(false);
    }
    const buildMs = performance.now() - started;
    this.app.logger.info(
      { key: source.key, version, rows: index.size, ms: Math.round(buildMs), bytes: index.estimatedBytes, offThread },
      'warm index ready',
    );
    return new WarmIndex(LiveReferenceIndex.of(index), source.referenceDataId, version, externalIds, new Map(), buildMs);
  }
}

/** One set of warm indexes per process (keyed by its settings, which the server and its in-process worker share). */
const processes = new WeakMap<object, WarmIndexes>();

export function warmIndexesOf(app: App): WarmIndexes {
  let warm = processes.get(app.settings);
  if (!warm) {
    warm = new WarmIndexes(app);
    processes.set(app.settings, warm);
  }
  return warm;
}

/**
 * PRELOAD_INDEXES: builds the warm indexes of these configs (their own mappings, at the current reference version) in
 * the background at start, so their first requests find them warm. An unknown id is logged and skipped.
 */
export function preloadWarmIndexes(app: App, sourceOf: (configId: string) => Promise<MatchSource | undefined>): Promise<void> {
  const ids = app.settings.PRELOAD_INDEXES.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  return Promise.all(
    ids.map(async (id) => {
      try {
        const source = await sourceOf(id);
        const version = source && (await referenceVersion(app.sql, source.referenceDataId));
        if (!source || version === undefined) {
          app.logger.warn({ configId: id }, 'PRELOAD_INDEXES: no such config (or its reference data is gone); skipped');
          return;
        }
        await warmIndexesOf(app).preload(source, version);
      } catch (error) {
        app.logger.error({ err: error, configId: id }, 'PRELOAD_INDEXES: building the warm index failed');
      }
    }),
  ).then(() => undefined);
}
