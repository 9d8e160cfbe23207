// Row number by row id over a pool of ids: an open-addressing table of row numbers in one Int32Array, so a
// million-row index answers "which row is this id" without a Map of a million strings (about 100 MB, and a second
// on the main thread to fill), and the table can be made on the thread that builds the index and shared from there.

import { fmix32, hashString } from './hash';
import { allocate, type CodePool } from './pool';

/** Slots: row + 1 at a slot, 0 = empty. At least twice as many slots as ids keeps probe runs short. */
export function buildIdLookup(ids: CodePool, count: number, shared = false): Int32Array {
  let capacity = 16;
  while (capacity < count * 2) capacity *= 2;
  const slots = allocate(Int32Array, capacity, shared);
  const mask = capacity - 1;
  for (let row = 0; row < count; row++) {
    let slot = hashPoolValue(ids, row) & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = row + 1;
  }
  return slots;
}

/** The row whose id is `id`, or -1. */
export function findRowById(ids: CodePool, slots: Int32Array, id: string): number {
  const mask = slots.length - 1;
  let slot = hashString(id) & mask;
  for (;;) {
    const entry = slots[slot] as number;
    if (entry === 0) return -1;
    if (poolValueEquals(ids, entry - 1, id)) return entry - 1;
    slot = (slot + 1) & mask;
  }
}

/** hashString (FNV-1a, fmix32) of value i, read from the pool's code units. */
function hashPoolValue(pool: CodePool, i: number): number {
  const codes = pool.codes;
  const end = pool.offsets[i + 1] as number;
  let h = 0x811c9dc5 | 0;
  for (let at = pool.offsets[i] as number; at < end; at++) {
    h ^= codes[at] as number;
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

function poolValueEquals(pool: CodePool, i: number, text: string): boolean {
  const start = pool.offsets[i] as number;
  if ((pool.offsets[i + 1] as number) - start !== text.length) return false;
  const codes = pool.codes;
  for (let k = 0; k < text.length; k++) if (codes[start + k] !== text.charCodeAt(k)) return false;
  return true;
}
