import type { ReferenceIndex } from '../../matching';

interface Entry {
  promise: Promise<ReferenceIndex>;
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
export class ReferenceIndexCache {
  private readonly entries = new Map<string, Entry>();
  private tick = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, build: () => Promise<ReferenceIndex>, now = Date.now()): Promise<ReferenceIndex> {
    for (const [other, entry] of this.entries) {
      if (other !== key && entry.bytes > 0 && now - entry.lastUsedAt > IDLE_MS) this.entries.delete(other);
    }
    const found = this.entries.get(key);
    if (found) {
      found.lastUsed = ++this.tick;
      found.lastUsedAt = now;
      return found.promise;
    }
    const entry: Entry = { promise: build(), bytes: 0, lastUsed: ++this.tick, lastUsedAt: now };
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
    this.entries.delete(key);
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
      let oldest: [string, Entry] | undefined;
      for (const pair of this.entries) {
        if (pair[0] === keep || pair[1].bytes === 0) continue;
        if (!oldest || pair[1].lastUsed < oldest[1].lastUsed) oldest = pair;
      }
      if (!oldest) return;
      this.entries.delete(oldest[0]);
    }
  }
}
