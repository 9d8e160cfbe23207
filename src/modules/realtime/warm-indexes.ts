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
import { IndexBuildingError } from '../../errors';
import { buildReferenceIndex, ReferenceIndex, type MatchConfig, type ReferenceIndexData } from '../../matching';
import { runOnThread, siblingModule } from '../../process/threads';
import { loadReferenceSnapshot } from '../datasets/row-changes';
import { processIndexBudget, ReferenceIndexCache } from '../runs/index-cache';

/** What a warm index is built from. `key` names the config or strategy and what it matches with. */
export interface MatchSource {
  key: string;
  referenceDataId: string;
  match: MatchConfig;
}

/** References from this many rows are loaded and indexed off the main thread (like run indexes). */
const OFF_THREAD_MIN_ROWS = 50_000;

export class WarmIndex {
  readonly estimatedBytes: number;

  constructor(
    readonly index: ReferenceIndex,
    readonly referenceDataId: string,
    readonly referenceVersion: number,
    private readonly app: App,
    readonly buildMs: number,
  ) {
    this.estimatedBytes = index.estimatedBytes;
  }

  /** External ids of reference rows (by dataset_rows.id): a primary-key lookup, as a row keeps its external id for life. */
  async externalIds(rowIds: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(rowIds)];
    if (unique.length === 0) return new Map();
    const rows = await this.app.sql<{ id: string; external_id: string }[]>`
      select id, external_id from dataset_rows where id = any(${unique}::uuid[])`;
    return new Map(rows.map((row) => [row.id, row.external_id]));
  }
}

export class WarmIndexes {
  private readonly cache: ReferenceIndexCache<WarmIndex>;

  constructor(
    private readonly app: App,
    private readonly databaseUrl: string | undefined = app.settings.DATABASE_URL,
  ) {
    // Warm indexes are not dropped for idleness: they are kept for the next request as long as the budget allows.
    this.cache = new ReferenceIndexCache<WarmIndex>(processIndexBudget(app.settings), () => {}, Number.POSITIVE_INFINITY);
  }

  /** The warm index of `source` at `version`, built if needed; waits for a build up to MATCH_INDEX_WAIT_MS. */
  async acquire(source: MatchSource, version: number): Promise<WarmIndex> {
    const key = `${source.key}@${source.referenceDataId}:${version}`;
    const building = this.cache.get(key, () => this.build(source, version));
    const waitMs = this.app.settings.MATCH_INDEX_WAIT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), waitMs);
    });
    try {
      const outcome = await Promise.race([building, timeout]);
      if (outcome === 'timeout') throw new IndexBuildingError(this.app.settings.MATCH_INDEX_RETRY_AFTER_SECONDS);
      return outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Builds now (PRELOAD_INDEXES at start), without a wait bound. */
  async preload(source: MatchSource, version: number): Promise<WarmIndex> {
    return this.cache.get(`${source.key}@${source.referenceDataId}:${version}`, () => this.build(source, version));
  }

  get size(): number {
    return this.cache.size;
  }

  get totalBytes(): number {
    return this.cache.totalBytes;
  }

  clear(): void {
    this.cache.clear();
  }

  private async build(source: MatchSource, version: number): Promise<WarmIndex> {
    const started = performance.now();
    const [dataset] = await this.app.sql<{ row_count: number }[]>`select row_count from datasets where id = ${source.referenceDataId}`;
    const offThread = (dataset?.row_count ?? 0) >= OFF_THREAD_MIN_ROWS && this.databaseUrl !== undefined && availableParallelism() > 0;
    let index: ReferenceIndex;
    if (offThread) {
      const data = await runOnThread<ReferenceIndexData>(siblingModule(import.meta.url, '../runs/index-thread'), {
        databaseUrl: this.databaseUrl,
        referenceDataId: source.referenceDataId,
        referenceVersion: version,
        config: source.match,
      }).catch((error: unknown) => {
        throw error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'index thread failed');
      });
      index = ReferenceIndex.fromData(data);
    } else {
      const { rows } = await loadReferenceSnapshot(this.app.sql, source.referenceDataId, version);
      index = buildReferenceIndex(rows.map((row) => ({ id: row.id, values: row.values })), source.match);
    }
    const buildMs = performance.now() - started;
    this.app.logger.info({ key: source.key, rows: index.size, ms: Math.round(buildMs), bytes: index.estimatedBytes, offThread }, 'warm index ready');
    return new WarmIndex(index, source.referenceDataId, version, this.app, buildMs);
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
  const ids = app.settings.PRELOAD_INDEXES.split(',').map((id) => id.trim()).filter(Boolean);
  return Promise.all(
    ids.map(async (id) => {
      try {
        const source = await sourceOf(id);
        const version = source && (await loadVersion(app, source.referenceDataId));
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

async function loadVersion(app: App, datasetId: string): Promise<number | undefined> {
  const [dataset] = await app.sql<{ version: string }[]>`select version from datasets where id = ${datasetId}`;
  return dataset ? Number(dataset.version) : undefined;
}
