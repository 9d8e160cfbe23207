import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildPostingTable,
  postingTableInJs,
  postingTableInWasm,
  type PostingTable,
  type RowHashes,
} from '../../../src/matching/blocking-finish';
import { PAGE_BYTES, kernelMemory } from '../../../src/matching/comparators/jaro-winkler-kernel';
import { tableGet } from '../../../src/matching/hash';

/** Rows' key hashes as BlockingIndexBuilder collects them (a fresh copy each time: the JavaScript passes reorder in place). */
function rowHashes(rows: number[][]): RowHashes {
  const hashes = new Int32Array(rows.flat());
  let end = 0;
  const rowEnds = new Int32Array(rows.map((row) => (end += row.length)));
  return { hashes, hashCount: hashes.length, rowEnds, rowCount: rows.length };
}

/** hash → the rows posted under it (null: a stop-key), read through the lookup table. */
function postingsOf(table: PostingTable, hash: number): number[] | null | undefined {
  const entry = tableGet(table.table, hash);
  if (entry === -1) return undefined;
  if (table.entryDropped[entry] === 1) return null;
  return [...table.postings.subarray(table.entryStart[entry], table.entryStart[entry + 1])];
}

describe('posting table (end of an index build)', () => {
  it('posts each row once per distinct hash, in row order, and drops entries over maxPostings', () => {
    const rows = [[7, 3, 7], [3], [-5, 3, 9], [9], []];
    for (const table of [buildPostingTable(rowHashes(rows), 2, false), postingTableInJs(rowHashes(rows), 2, false)]) {
      expect(postingsOf(table, 7)).toEqual([0]);
      expect(postingsOf(table, 3)).toBeNull(); // rows 0, 1 and 2: over 2
      expect(postingsOf(table, -5)).toEqual([2]);
      expect(postingsOf(table, 9)).toEqual([2, 3]);
      expect(postingsOf(table, 4)).toBeUndefined();
      expect(table).toMatchObject({ distinctKeys: 4, stopKeys: 1 });
    }
  });

  it('is the same, byte for byte, in WebAssembly and in JavaScript, shared or not', () => {
    const hash = fc.oneof(fc.integer({ min: -4, max: 4 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    fc.assert(
      fc.property(
        fc.array(fc.array(hash, { maxLength: 8 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        (rows, maxPostings, shared) => {
          const inWasm = postingTableInWasm(rowHashes(rows), maxPostings, shared);
          expect(inWasm).not.toBeNull();
          const inJs = postingTableInJs(rowHashes(rows), maxPostings, shared);
          expect(inWasm).toEqual(inJs);
          expect(inWasm!.postings.buffer instanceof SharedArrayBuffer).toBe(shared);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('can be placed at the end of a kernel memory, after what the memory holds, with the same contents', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: -6, max: 6 }), { maxLength: 8 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        (rows, maxPostings) => {
          const memory = kernelMemory(100)!;
          new Uint8Array(memory.buffer, 0, 100).fill(7); // what the memory holds already (the index's texts)
          const placed = buildPostingTable(rowHashes(rows), maxPostings, false, memory);
          expect(placed.memory).toBe(memory);
          for (const array of [placed.table.keys, placed.table.values, placed.entryStart, placed.entryDropped, placed.postings]) {
            expect(array.buffer.byteLength).toBe(memory.buffer.byteLength);
            expect(array.byteOffset).toBeGreaterThanOrEqual(PAGE_BYTES);
          }
          const { memory: _, ...contents } = placed;
          expect(contents).toEqual(postingTableInJs(rowHashes(rows), maxPostings, false));
          expect(new Uint8Array(memory.buffer, 0, 100).every((b) => b === 7)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
