/** What the cache holds: anything that knows its size (a ReferenceIndex, or an index with its thread pool). */
export interface Sized {
  readonly estimatedBytes: number;
}

interface Entry<T> {
  promise: Promise<T>;
  bytes: number;
  lastUsed: number;
  lastUsedAt: number;
}

/** An index nobody asked for this long is dropped (its run ended elsewhere, or was cancelled). */
const IDLE_MS = 10 * 60 * 1000;

/**
 * The memory bound that several index caches of one process share (INDEX_CACHE_BYTES): the run indexes of the
 * worker (execute.ts) and the warm indexes of match-now requests (realtime/warm-indexes.ts). Recency is counted on
 * one clock across the caches, so the least recently used index of any of them is the first to go.
 */
export class IndexMemoryBudget {
  private readonly caches = new Set<ReferenceIndexCache<Sized>>();
  private clock = 0;

  constructor(readonly maxBytes: number) {}

  /** The next tick of the shared recency clock. */
  tick(): number {
    return ++this.clock;
  }

  join(cache: ReferenceIndexCache<Sized>): void {
    this.caches.add(cache);
  }

  get totalBytes(): number {
    let total = 0;
    for (const cache of this.caches) total += cache.totalBytes;
    return total;
  }

  /** Drops least recently used entries of any cache while the total exceeds the bound; never `keep` (just used). */
  evict(keepCache: ReferenceIndexCache<Sized>, keepKey: string): void {
    while (this.totalBytes > this.maxBytes) {
      let oldest: { cache: ReferenceIndexCache<Sized>; key: string; lastUsed: number } | undefined;
      for (const cache of this.caches) {
        const candidate = cache.leastRecentlyUsed(cache === keepCache ? keepKey : undefined);
        if (candidate && (!oldest || candidate.lastUsed < oldest.lastUsed)) oldest = { cache, ...candidate };
      }
      if (!oldest) return;
      oldest.cache.delete(oldest.key);
    }
  }
}

/** One budget per process settings (the server and its in-process worker share one `App.settings`). */
const budgets = new WeakMap<object, IndexMemoryBudget>();

export function processIndexBudget(settings: { INDEX_CACHE_BYTES: number }): IndexMemoryBudget {
  let budget = budgets.get(settings);
  if (!budget) {
    budget = new IndexMemoryBudget(settings.INDEX_CACHE_BYTES);
    budgets.set(settings, budget);
  }
  return budget;
}

/**
 * Reference indexes of one process by key: a run's (keyed by run id and reference version: that snapshot never
 * changes), so consecutive chunks of a run reuse the index; or a warm index of match-now requests. Least recently
 * used entries are dropped while the sum of `estimatedBytes` over every cache of the budget exceeds the bound (the
 * entry just used is always kept), and entries idle for 10 minutes are dropped (`idleMs`). Concurrent requests for
 * one key share one build.
 */
export class ReferenceIndexCache<T extends Sized> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly budget: IndexMemoryBudget;

  constructor(
    /** A bound of its own (bytes), or a budget shared with the process's other index caches. */
    bound: number | IndexMemoryBudget,
    /** Called with each value that leaves the cache (to release what it holds, e.g. worker threads). */
    private readonly onEvict: (value: T) => void = () => {},
    private readonly idleMs: number = IDLE_MS,
  ) {
    this.budget = typeof bound === 'number' ? new IndexMemoryBudget(bound) : bound;
    this.budget.join(this as unknown as ReferenceIndexCache<Sized>);
  }

  get(key: string, build: () => Promise<T>, now = Date.now()): Promise<T> {
    for (const [other, entry] of this.entries) {
      if (other !== key && entry.bytes > 0 && now - entry.lastUsedAt > this.idleMs) this.remove(other);
    }
    const found = this.entries.get(key);
    if (found) {
      found.lastUsed = this.budget.tick();
      found.lastUsedAt = now;
      return found.promise;
    }
    const entry: Entry<T> = { promise: build(), bytes: 0, lastUsed: this.budget.tick(), lastUsedAt: now };
    this.entries.set(key, entry);
    entry.promise.then(
      (index) => {
        if (this.entries.get(key) !== entry) return;
        entry.bytes = index.estimatedBytes;
        this.budget.evict(this as unknown as ReferenceIndexCache<Sized>, key);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.promise;
  }

  /** Whether the cache holds `key` (built or building), without counting as a use. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Replaces the value under `key` by one already built (an index brought up to date in place of its older self);
   *  the old value is released unless it is the same object. */
  set(key: string, value: T, now = Date.now()): void {
    const old = this.entries.get(key);
    this.entries.set(key, { promise: Promise.resolve(value), bytes: value.estimatedBytes, lastUsed: this.budget.tick(), lastUsedAt: now });
    if (old)
      old.promise.then(
        (previous) => previous !== value && this.onEvict(previous),
        () => {},
      );
    this.budget.evict(this as unknown as ReferenceIndexCache<Sized>, key);
  }

  delete(key: string): void {
    this.remove(key);
  }

  /** Empties the cache (releasing every value). */
  clear(): void {
    for (const key of [...this.entries.keys()]) this.remove(key);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    entry.promise.then(this.onEvict, () => {});
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.bytes;
    return total;
  }

  /** The built entry used longest ago (but `except`), for the budget's eviction. */
  leastRecentlyUsed(except?: string): { key: string; lastUsed: number } | undefined {
    let oldest: { key: string; lastUsed: number } | undefined;
    for (const [key, entry] of this.entries) {
      if (key === except || entry.bytes === 0) continue;
      if (!oldest || entry.lastUsed < oldest.lastUsed) oldest = { key, lastUsed: entry.lastUsed };
    }
    return oldest;
  }
}
