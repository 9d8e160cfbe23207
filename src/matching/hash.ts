// 32-bit string hashing and an open-addressing int → int table in typed arrays (clonable, shareable).
// Blocking keys and tokens are kept as hashes rather than strings: a 1M-row index then holds no JS strings.
// A collision (about 1 in 4·10⁹ per pair of keys) merges two posting lists: it can add candidates, never lose one.

/** FNV-1a over UTF-16 code units, finished with murmur3's fmix32 for good low bits (tables mask them). */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** FNV-1a step over a string, continuing from `h` (no finaliser): chain several strings, then fmix32 once. */
export function fnv1a(text: string, h: number): number {
  let x = h | 0;
  for (let i = 0; i < text.length; i++) {
    x ^= text.charCodeAt(i);
    x = Math.imul(x, 0x01000193);
  }
  return x;
}

/** fnv1a over the first `n` code units of `text` (n ≤ text.length): the same as fnv1a(text.slice(0, n), h). */
export function fnv1aPrefix(text: string, n: number, h: number): number {
  let x = h | 0;
  for (let i = 0; i < n; i++) {
    x ^= text.charCodeAt(i);
    x = Math.imul(x, 0x01000193);
  }
  return x;
}

export function fmix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export interface IntTableData {
  mask: number;
  keys: Int32Array;
  /** −1 = empty slot */
  values: Int32Array;
}

/** A table's capacity for `count` keys: the next power of two ≥ 2·count (at least 16), so linear probing stays short. */
export function intTableCapacity(count: number): number {
  let capacity = 16;
  while (capacity < count * 2) capacity *= 2;
  return capacity;
}

export function createIntTable(count: number, shared: boolean): IntTableData {
  const capacity = intTableCapacity(count);
  const keys = shared ? new Int32Array(new SharedArrayBuffer(capacity * 4)) : new Int32Array(capacity);
  const values = shared ? new Int32Array(new SharedArrayBuffer(capacity * 4)) : new Int32Array(capacity);
  values.fill(-1);
  return { mask: capacity - 1, keys, values };
}

/** Value stored for key, or −1. */
export function tableGet(table: IntTableData, key: number): number {
  const { keys, values, mask } = table;
  let slot = key & mask;
  for (;;) {
    const v = values[slot] as number;
    if (v === -1) return -1;
    if (keys[slot] === key) return v;
    slot = (slot + 1) & mask;
  }
}

/** Returns the existing value for key, or stores `valueIfAbsent` and returns −1. */
export function tableGetOrPut(table: IntTableData, key: number, valueIfAbsent: number): number {
  const { keys, values, mask } = table;
  let slot = key & mask;
  for (;;) {
    const v = values[slot] as number;
    if (v === -1) {
      keys[slot] = key;
      values[slot] = valueIfAbsent;
      return -1;
    }
    if (keys[slot] === key) return v;
    slot = (slot + 1) & mask;
  }
}
