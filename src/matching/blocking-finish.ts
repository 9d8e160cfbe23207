// The end of a reference index build: the key hashes of every row (row r's in hashes[rowEnds[r-1], rowEnds[r]),
// as BlockingIndexBuilder collects them) become the posting table. In WebAssembly (blocking-finish.wat) when a
// memory for it can be had, else by the JavaScript twin below: the same passes, the same bytes.

import { PAGE_BYTES, RegionLayout, claimRegion, unlessOutOfMemory } from './comparators/jaro-winkler-kernel';
import { WASM_BASE64 } from './blocking-finish.wasm';
import { createIntTable, intTableCapacity, tableGetOrPut, type IntTableData } from './hash';
import { allocate } from './pool';

export interface PostingTable {
  table: IntTableData;
  entryStart: Int32Array;
  /** 1 = stop-key (postings dropped) */
  entryDropped: Uint8Array;
  postings: Int32Array;
  distinctKeys: number;
  stopKeys: number;
  /** When set, the arrays are views on this kernel memory (the index's text memory), where the row scorer's
   *  matchBatch reads them (see buildPostingTable's `placeIn`). */
  memory?: WebAssembly.Memory;
}

export interface RowHashes {
  /** every row's key hashes, row after row (reordered in place by the build) */
  hashes: Int32Array;
  hashCount: number;
  /** rowEnds[r]: where row r's hashes end */
  rowEnds: Int32Array;
  rowCount: number;
}

/**
 * The posting table of rows' key hashes: one entry per distinct hash (a row posted once per entry even when two
 * keys gave it the same hash), postings in row order, entries over `maxPostings` rows dropped as stop-keys.
 * `placeIn`: a kernel memory (the index's texts') to put the arrays in, at its end, when it can grow (a fresh
 * process then matches a batch of rows in one kernel call: row-scorer.ts's matchBatch).
 * `shared`: on SharedArrayBuffers.
 */
export function buildPostingTable(rows: RowHashes, maxPostings: number, shared: boolean, placeIn?: WebAssembly.Memory): PostingTable {
  return postingTableInWasm(rows, maxPostings, shared, placeIn) ?? postingTableInJs(rows, maxPostings, shared);
}

// ------------------------------------------------------------------------------------------ WebAssembly

interface FinishExports {
  dedupeRows(hashes: number, rowEnds: number, rowCount: number, rows: number): number;
  countEntries(hashes: number, emitted: number, keys: number, values: number, mask: number, entryOf: number, counts: number): number;
  layoutEntries(counts: number, distinct: number, maxPostings: number, entryStart: number, dropped: number): number;
  fillPostings(rows: number, emitted: number, entryOf: number, entryStart: number, dropped: number, postings: number, fill: number): void;
  fillTable(keys: number, values: number, mask: number, hashes: number, emitted: number, entryOf: number): void;
}

/** Addresses are 32-bit; beyond this the JavaScript passes serve. */
const MAX_MEMORY_BYTES = 2 ** 31;
let compiled: WebAssembly.Module | undefined;

/** Byte offsets of the arrays in the build's own memory (freed with it when the build returns). */
function layout(hashCount: number, rowCount: number) {
  const regions = new RegionLayout();
  const region = (bytes: number) => regions.next(bytes);
  const tableCapacity = intTableCapacity(Math.max(16, hashCount));
  const at = {
    hashes: region(hashCount * 4),
    rowEnds: region(rowCount * 4),
    rows: region(hashCount * 4),
    entryOf: region(hashCount * 4),
    /** the entries' counts, then their fill counters */
    counts: region(hashCount * 4),
    entryStart: region((hashCount + 1) * 4),
    dropped: region(hashCount),
    postings: region(hashCount * 4),
    /** the counting table, then the lookup table (never larger) */
    keys: region(tableCapacity * 4),
    values: region(tableCapacity * 4),
  };
  return { at, bytes: regions.end };
}

export function postingTableInWasm(
  { hashes, hashCount, rowEnds, rowCount }: RowHashes,
  maxPostings: number,
  shared: boolean,
  placeIn?: WebAssembly.Memory,
): PostingTable | null {
  const { at, bytes } = layout(hashCount, rowCount);
  if (bytes > MAX_MEMORY_BYTES) return null;
  const memory = unlessOutOfMemory(() => new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE_BYTES)) }));
  if (memory === null) return null;
  compiled ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  const pass = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as FinishExports;
  const heap = memory.buffer;
  const i32 = (offset: number, length: number) => new Int32Array(heap, offset, length);

  i32(at.hashes, hashCount).set(hashes.subarray(0, hashCount));
  i32(at.rowEnds, rowCount).set(rowEnds.subarray(0, rowCount));
  const emitted = pass.dedupeRows(at.hashes, at.rowEnds, rowCount, at.rows);
  const countingCapacity = intTableCapacity(Math.max(16, emitted));
  i32(at.values, countingCapacity).fill(-1);
  const distinct = pass.countEntries(at.hashes, emitted, at.keys, at.values, countingCapacity - 1, at.entryOf, at.counts);
  const stopKeys = pass.layoutEntries(at.counts, distinct, maxPostings, at.entryStart, at.dropped);
  i32(at.counts, distinct).fill(0);
  pass.fillPostings(at.rows, emitted, at.entryOf, at.entryStart, at.dropped, at.postings, at.counts);
  const capacity = intTableCapacity(distinct);
  i32(at.keys, capacity).fill(0);
  i32(at.values, capacity).fill(-1);
  pass.fillTable(at.keys, at.values, capacity - 1, at.hashes, emitted, at.entryOf);

  const postingCount = i32(at.entryStart, distinct + 1)[distinct] as number;
  const out =
    (placeIn === undefined ? null : inKernelMemory(placeIn, capacity, distinct, postingCount)) ??
    ordinaryArrays(capacity, distinct, postingCount, shared);
  out.table.keys.set(i32(at.keys, capacity));
  out.table.values.set(i32(at.values, capacity));
  out.entryStart.set(i32(at.entryStart, distinct + 1));
  out.entryDropped.set(new Uint8Array(heap, at.dropped, distinct));
  out.postings.set(i32(at.postings, postingCount));
  return { ...out, distinctKeys: distinct, stopKeys };
}

type PostingArrays = Pick<PostingTable, 'table' | 'entryStart' | 'entryDropped' | 'postings' | 'memory'>;

function ordinaryArrays(capacity: number, distinct: number, postingCount: number, shared: boolean): PostingArrays {
  return {
    table: { mask: capacity - 1, keys: allocate(Int32Array, capacity, shared), values: allocate(Int32Array, capacity, shared) },
    entryStart: allocate(Int32Array, distinct + 1, shared),
    entryDropped: allocate(Uint8Array, distinct, shared),
    postings: allocate(Int32Array, postingCount, shared),
  };
}

/** The posting table's arrays in a region of its own at the end of a kernel memory, or null when it cannot grow
 *  (or would outgrow 32-bit addresses). */
function inKernelMemory(memory: WebAssembly.Memory, capacity: number, distinct: number, postingCount: number): PostingArrays | null {
  const bytes = (2 * capacity + distinct + 1 + postingCount) * 4 + distinct;
  if (memory.buffer.byteLength + bytes > MAX_MEMORY_BYTES) return null;
  const start = claimRegion(memory, bytes);
  if (start === null) return null;
  const heap = memory.buffer;
  let at = start;
  const next = (count: number) => {
    const view = new Int32Array(heap, at, count);
    at += count * 4;
    return view;
  };
  const keys = next(capacity);
  const values = next(capacity);
  const entryStart = next(distinct + 1);
  const postings = next(postingCount);
  return { table: { mask: capacity - 1, keys, values }, entryStart, entryDropped: new Uint8Array(heap, at, distinct), postings, memory };
}

// ------------------------------------------------------------------------------------------- JavaScript

// One loop per function, each returning right after its loop: V8 optimises a long loop while it runs (on-stack
// replacement), and code after the loop that had never run (no type feedback) deoptimised the function on the way out.

export function postingTableInJs({ hashes, hashCount, rowEnds, rowCount }: RowHashes, maxPostings: number, shared: boolean): PostingTable {
  const rows = new Int32Array(hashCount);
  const emitted = dedupeRows(hashes, rowEnds, rowCount, rows);
  const entryOf = new Int32Array(emitted);
  const counts = new Int32Array(emitted);
  const distinct = countEntries(hashes, emitted, entryOf, counts);
  const entryDropped = allocate(Uint8Array, distinct, shared);
  const entryStart = allocate(Int32Array, distinct + 1, shared);
  const stopKeys = layoutEntries(counts, distinct, maxPostings, entryStart, entryDropped);
  const postings = allocate(Int32Array, entryStart[distinct] as number, shared);
  fillPostings(rows, emitted, entryOf, entryStart, entryDropped, postings);
  // Final lookup table sized for the distinct keys only (the counting table was sized for all emissions).
  const table = createIntTable(distinct, shared);
  fillTable(table, hashes, emitted, entryOf);
  return { table, entryStart, entryDropped, postings, distinctKeys: distinct, stopKeys };
}

/** Sorts each row's hashes, drops repeats within a row, and moves what is left down to hashes[0, emitted), with
 *  each one's row in `rows`. Returns `emitted`. */
function dedupeRows(hashes: Int32Array, rowEnds: Int32Array, rowCount: number, rows: Int32Array): number {
  let written = 0;
  let start = 0;
  for (let r = 0; r < rowCount; r++) {
    const end = rowEnds[r] as number;
    // Insertion sort: a row has a handful of hashes.
    for (let i = start + 1; i < end; i++) {
      const h = hashes[i] as number;
      let j = i - 1;
      while (j >= start && (hashes[j] as number) > h) {
        hashes[j + 1] = hashes[j] as number;
        j--;
      }
      hashes[j + 1] = h;
    }
    for (let i = start; i < end; i++) {
      if (i > start && hashes[i] === hashes[i - 1]) continue;
      hashes[written] = hashes[i] as number;
      rows[written++] = r;
    }
    start = end;
  }
  return written;
}

/** An entry id per distinct hash (into `entryOf`, per emission; ids in order of first emission), and each entry's
 *  emission count. Returns the number of entries. */
function countEntries(hashes: Int32Array, emitted: number, entryOf: Int32Array, counts: Int32Array): number {
  const counting = createIntTable(Math.max(16, emitted), false);
  let distinct = 0;
  for (let i = 0; i < emitted; i++) {
    const existing = tableGetOrPut(counting, hashes[i] as number, distinct);
    if (existing === -1) {
      entryOf[i] = distinct;
      counts[distinct++] = 1;
    } else {
      entryOf[i] = existing;
      counts[existing] = (counts[existing] as number) + 1;
    }
  }
  return distinct;
}

/** Where each entry's postings start (entryStart[distinct] = all postings); entries over `maxPostings` become
 *  stop-keys with none. Returns the number of stop-keys. */
function layoutEntries(
  counts: Int32Array,
  distinct: number,
  maxPostings: number,
  entryStart: Int32Array,
  entryDropped: Uint8Array,
): number {
  let total = 0;
  let stopKeys = 0;
  for (let e = 0; e < distinct; e++) {
    const c = counts[e] as number;
    if (c > maxPostings) {
      entryDropped[e] = 1;
      stopKeys++;
    } else total += c;
    entryStart[e + 1] = total;
  }
  return stopKeys;
}

/** Postings in row order (emissions are in row order), skipping stop-keys. */
function fillPostings(
  rows: Int32Array,
  emitted: number,
  entryOf: Int32Array,
  entryStart: Int32Array,
  entryDropped: Uint8Array,
  postings: Int32Array,
): void {
  const fill = new Int32Array(entryStart.length);
  for (let i = 0; i < emitted; i++) {
    const e = entryOf[i] as number;
    if (entryDropped[e] === 1) continue;
    postings[(entryStart[e] as number) + (fill[e] as number)] = rows[i] as number;
    fill[e] = (fill[e] as number) + 1;
  }
}

function fillTable(table: IntTableData, hashes: Int32Array, emitted: number, entryOf: Int32Array): void {
  for (let i = 0; i < emitted; i++) tableGetOrPut(table, hashes[i] as number, entryOf[i] as number);
}
