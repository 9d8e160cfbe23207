
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
 * The reference indexes of one worker process, keyed by run id (a run's snapshot never changes), so consecutive
 * chunks of a run reuse the index. Least recently used entries are dropped while the sum of `estimatedBytes`
 * exceeds the bound (the entry just used is always kept), and entries idle for 10 minutes are dropped. Concurrent chunks of one run share one build.
 */
export class ReferenceIndexCache<T extends Sized> {
  private readonly entries = new Map<string, Entry<T>>();
  private tick = 0;

  constructor(
    private readonly maxBytes: number,
    /** Called with each value that leaves the cache (to release what it holds, e.g. worker threads). */
    private readonly onEvict: (value: T) => void = () => {},
  ) {}

  get(key: string, build: () => Promise<T>, now = Date.now()): Promise<T> {
    for (const [other, entry] of this.entries) {
      if (other !== key && entry.bytes > 0 && now - entry.lastUsedAt > IDLE_MS) this.remove(other);
    }
    const found = this.entries.get(key);
    if (found) {
      found.lastUsed = ++this.tick;
      found.lastUsedAt = now;
      return found.promise;
    }
    const entry: Entry<T> = { promise: build(), bytes: 0, lastUsed: ++this.tick, lastUsedAt: now };
    this.entries.set(key, entry);
    entry.promise.then(
      (index) => {
        entry.bytes = index.estimatedBytes;
        this.evict(key);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.promise;
  }

  delete(key: string): void {
    this.remove(key);
  }

  /** Empties the cache (releasing every value). */
  clear(): void {
    for (const key of [...this.entries.keys()]) this.remove(key);
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

  private evict(keep: string): void {
    while (this.totalBytes > this.maxBytes) {
      let oldest: [string, Entry<T>] | undefined;
      for (const pair of this.entries) {
        if (pair[0] === keep || pair[1].bytes === 0) continue;
        if (!oldest || pair[1].lastUsed < oldest[1].lastUsed) oldest = pair;
      }
      if (!oldest) return;
      this.remove(oldest[0]);
    }
  }
}
