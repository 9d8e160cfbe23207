import { describe, expect, it } from 'vitest';
import { IndexMemoryBudget, ReferenceIndexCache } from '../../src/modules/runs/index-cache';
import type { ReferenceIndex } from '../../src/matching';

const fakeIndex = (bytes: number) => ({ estimatedBytes: bytes }) as ReferenceIndex;
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('reference index cache (per worker process)', () => {
  it('builds once per key, shares a build in progress, and evicts least recently used entries beyond the bound', async () => {
    const cache = new ReferenceIndexCache(250);
    let builds = 0;
    const build = (bytes: number) => async () => {
      builds++;
      return fakeIndex(bytes);
    };
    const [a1, a2] = await Promise.all([cache.get('a', build(100)), cache.get('a', build(100))]);
    expect(a1).toBe(a2);
    expect(builds).toBe(1);
    await cache.get('b', build(100));
    await settle();
    await cache.get('a', build(100)); // a is now more recent than b
    await cache.get('c', build(100)); // 300 > 250: b goes
    await settle();
    expect(cache.size).toBe(2);
    expect(cache.totalBytes).toBe(200);
    builds = 0;
    await cache.get('a', build(100));
    expect(builds).toBe(0);
    await cache.get('b', build(100));
    expect(builds).toBe(1);
  });

  it('keeps the entry just built even when it alone exceeds the bound; drops failed builds and idle entries', async () => {
    const cache = new ReferenceIndexCache(10);
    await cache.get('big', async () => fakeIndex(100));
    await settle();
    expect(cache.size).toBe(1);
    await expect(cache.get('bad', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await settle();
    expect(cache.size).toBe(1);
    const later = Date.now() + 11 * 60 * 1000;
    await cache.get('fresh', async () => fakeIndex(1), later);
    expect(cache.size).toBe(1);
  });

  it('shares one budget between caches (run indexes and warm indexes): the least recently used of either goes first', async () => {
    const budget = new IndexMemoryBudget(250);
    const released: string[] = [];
    const runs = new ReferenceIndexCache<{ estimatedBytes: number; name: string }>(budget, (value) => released.push(`run ${value.name}`));
    const warm = new ReferenceIndexCache<{ estimatedBytes: number; name: string }>(
      budget,
      (value) => released.push(`warm ${value.name}`),
      Number.POSITIVE_INFINITY,
    );
    const named = (name: string, bytes: number) => async () => ({ estimatedBytes: bytes, name });
    await warm.get('w1', named('w1', 100));
    await settle();
    await runs.get('r1', named('r1', 100));
    await settle();
    await warm.get('w1', named('w1', 100)); // w1 used after r1
    await warm.get('w2', named('w2', 100)); // 300 > 250: r1, the least recently used of both caches, goes
    await settle();
    expect(released).toEqual(['run r1']);
    expect(runs.size).toBe(0);
    expect(warm.size).toBe(2);
    expect(budget.totalBytes).toBe(200);
    await runs.get('r2', named('r2', 100)); // w1 is now the oldest
    await settle();
    expect(released).toEqual(['run r1', 'warm w1']);
    // Warm indexes are never dropped for idleness (their cache has no idle bound).
    await warm.get('w3', named('w3', 1), Date.now() + 60 * 60 * 1000);
    await settle();
    expect(warm.keys().sort()).toEqual(['w2', 'w3']);
  });
});
