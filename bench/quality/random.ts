// Seeded randomness for the quality datasets: mulberry32 (identical on every platform for a seed), plus the few
// draws the generators need. Every generator owns one instance, so a dataset depends only on its seed.

import { seededRandom } from '../../src/matching/smart/pairs';

export class Random {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  private readonly cumulative = new Map<readonly unknown[], Float64Array>();

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [low, high]. */
  between(low: number, high: number): number {
    return low + this.int(high - low + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  /** Flattened Zipf pick, P(rank k) ∝ 1 / (k + flatten): a few values are common (Smith, Springfield, VLDB), as in
   *  real data, which is what makes common values weak evidence. */
  zipf<T>(items: readonly T[], flatten = 5): T {
    let cdf = this.cumulative.get(items);
    if (cdf === undefined) {
      cdf = new Float64Array(items.length);
      let total = 0;
      for (let k = 0; k < items.length; k++) cdf[k] = total += 1 / (k + flatten);
      for (let k = 0; k < items.length; k++) cdf[k] = (cdf[k] as number) / total;
      this.cumulative.set(items, cdf);
    }
    const u = this.next();
    let lo = 0;
    let hi = items.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return items[lo] as T;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}
