// Blocking-key values of sample rows, computed with the engine's own key transforms (blocking.ts partValues),
// so what generation measures is what the engine's index will do. Values are hashed to 32-bit numbers once and
// cached per (side, column, transform): the broad search and every candidate key reuse them.

import { partValues } from '../blocking';
import { fmix32, fnv1a } from '../hash';
import { NormalisedRow } from '../normalised-row';
import type { BlockingKeyPart, EngineRow, FieldMapping } from '../types';

export type ValueKind = 'text' | 'date' | 'number';

export function valueKindOf(mapping: FieldMapping): ValueKind {
  return mapping.strategy === 'date_range' ? 'date' : mapping.strategy === 'numeric_range' ? 'number' : 'text';
}

const SEED = 0x811c9dc5;

export class KeyValueCache {
  private readonly cache = new Map<string, number[][]>();
  private readonly cells = new NormalisedRow();

  constructor(
    private readonly sourceRows: EngineRow[],
    private readonly referenceRows: EngineRow[],
  ) {}

  /** Hashed values of one key part for every row of a side (deduplicated per row; empty = missing). */
  values(part: BlockingKeyPart, kind: ValueKind, side: 'source' | 'target'): number[][] {
    const column = side === 'source' ? part.source : part.target;
    const key = `${side}\u0000${column}\u0000${kind}\u0000${part.transform}\u0000${part.length ?? ''}`;
    let values = this.cache.get(key);
    if (values === undefined) {
      const rows = side === 'source' ? this.sourceRows : this.referenceRows;
      values = rows.map((row) => {
        const hashes = partValues(part, kind, this.cells.reset(row.values), column).map((v) => fmix32(fnv1a(v, SEED)));
        return hashes.length < 2 ? hashes : [...new Set(hashes)];
      });
      this.cache.set(key, values);
    }
    return values;
  }
}

/** Combined values of a conjunction: every combination of its parts' values (at most 64, like the engine). */
export function conjunctionValues(parts: number[][][], row: number): number[] {
  if (parts.length === 1) return (parts[0] as number[][])[row] as number[];
  if (parts.length === 2) {
    // the common case, without intermediate arrays
    const a = (parts[0] as number[][])[row] as number[];
    const b = (parts[1] as number[][])[row] as number[];
    const out: number[] = [];
    for (let i = 0; i < a.length; i++) {
      const h = Math.imul(fmix32((Math.imul(0x9e3779b9, 0x01000193) ^ (a[i] as number)) >>> 0), 0x01000193);
      for (let j = 0; j < b.length && out.length < 64; j++) out.push(fmix32((h ^ (b[j] as number)) >>> 0));
    }
    return out;
  }
  let combos: number[] = [0x9e3779b9];
  for (let p = 0; p < parts.length; p++) {
    const values = (parts[p] as number[][])[row] as number[];
    if (values.length === 0) return [];
    const next: number[] = [];
    for (const c of combos) for (const v of values) if (next.length < 64) next.push(fmix32((Math.imul(c, 0x01000193) ^ v) >>> 0));
    combos = next;
  }
  return combos;
}

/** Inverted index value → reference rows (ascending). */
export function postingsOf(values: number[][]): Map<number, number[]> {
  const map = new Map<number, number[]>();
  values.forEach((vs, r) => {
    for (const v of vs) {
      const list = map.get(v);
      if (list === undefined) map.set(v, [r]);
      else if (list[list.length - 1] !== r) list.push(r);
    }
  });
  return map;
}
