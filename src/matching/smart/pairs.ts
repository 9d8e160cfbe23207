// Comparison vectors of (source, reference) sample pairs: each mapping's comparator score, discretised into the
// mapping's levels. Scores come from the engine's own field scorers (a reference index over the sampled
// reference rows), so generation measures exactly what a run will compute.

import { buildReferenceIndex, type ReferenceIndex } from '../index-build';
import type { FieldScorer, PreparedValue } from '../fields';
import { levelOf } from '../match';
import { compositesOf, NormalisedRow } from '../normalised-row';
import type { EngineRow, FieldMapping } from '../types';

/** Level index per (pair, field); MISSING when either value is missing. */
export const MISSING = -1;

export interface PairSet {
  source: Int32Array;
  reference: Int32Array;
  count: number;
}

export interface ComparisonVectors {
  fields: number;
  count: number;
  /** levels[pair·fields + f] */
  levels: Int8Array;
  /** scores[pair·fields + f]; NaN = missing */
  scores: Float32Array;
}

export class SampleComparator {
  readonly index: ReferenceIndex;
  private readonly cells: NormalisedRow;
  private readonly prepared: Array<PreparedValue | null>;
  private preparedRow = -1;

  constructor(
    readonly referenceRows: EngineRow[],
    readonly sourceRows: EngineRow[],
    readonly mappings: FieldMapping[],
    readonly levels: number[][],
  ) {
    // No blocking is needed here (pairs are chosen by the caller): one key on a column no row has keeps the
    // index's blocking table empty instead of building the default keys.
    const noBlocking = { keys: [{ parts: [{ source: '\u0000none', target: '\u0000none', transform: 'exact' as const }] }] };
    this.index = buildReferenceIndex(referenceRows, { fieldMappings: mappings, threshold: 0, blocking: noBlocking });
    this.prepared = new Array(mappings.length).fill(null);
    this.cells = new NormalisedRow([], compositesOf(mappings, 'source'));
  }

  /** Prepares a source row's values once for all of its pairs (pairs should come grouped by source row). */
  private prepare(s: number): void {
    if (this.preparedRow === s) return;
    this.preparedRow = s;
    this.cells.reset(this.sourceRows[s]?.values);
    this.index.fields.forEach((field, f) => {
      const column = field.mapping.source;
      this.prepared[f] = field.prepare(this.cells.raw(column), this.cells.text(column));
    });
  }

  /** Score of field f for the pair, or NaN when a side is missing. */
  score(s: number, r: number, f: number): number {
    this.prepare(s);
    const p = this.prepared[f];
    if (p == null) return Number.NaN;
    const v = (this.index.fields[f] as FieldScorer).score(p, r);
    return v < 0 ? Number.NaN : v;
  }

  compare(pairs: PairSet): ComparisonVectors {
    const fields = this.mappings.length;
    const levels = new Int8Array(pairs.count * fields);
    const scores = new Float32Array(pairs.count * fields);
    for (let i = 0; i < pairs.count; i++) {
      const s = pairs.source[i] as number;
      const r = pairs.reference[i] as number;
      for (let f = 0; f < fields; f++) {
        const v = this.score(s, r, f);
        scores[i * fields + f] = v;
        levels[i * fields + f] = Number.isNaN(v) ? MISSING : levelOf(this.levels[f] as number[], v);
      }
    }
    return { fields, count: pairs.count, levels, scores };
  }

  /** The sample pairs the engine's blocking (with `blocking`) would compare, grouped by source row. */
  blockedPairs(blocking: NonNullable<Parameters<typeof buildReferenceIndex>[1]['blocking']>, excludeSameId: boolean): PairSet {
    const index = buildReferenceIndex(this.referenceRows, { fieldMappings: this.mappings, threshold: 0, blocking });
    const collector = index.candidateCollector();
    const source: number[] = [];
    const reference: number[] = [];
    this.sourceRows.forEach((row, s) => {
      const n = collector.collect(row.values ?? {});
      const found = Array.from(collector.candidates.subarray(0, n)).sort((a, b) => a - b);
      for (const r of found) {
        if (excludeSameId && this.referenceRows[r]?.id === row.id) continue;
        source.push(s);
        reference.push(r);
      }
    });
    return { source: Int32Array.from(source), reference: Int32Array.from(reference), count: source.length };
  }
}

/** mulberry32: a small seeded PRNG, so "random" pairs are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` uniformly random (source, reference) pairs, sorted by source row (seeded: deterministic). */
export function randomPairs(
  sourceRows: number,
  referenceRows: number,
  count: number,
  seed: number,
  excludeSame?: (s: number, r: number) => boolean,
): PairSet {
  const random = seededRandom(seed);
  const keys: number[] = [];
  const total = sourceRows * referenceRows;
  const n = Math.min(count, total);
  for (let i = 0, tries = 0; i < n && tries < n * 3; tries++) {
    const s = Math.floor(random() * sourceRows);
    const r = Math.floor(random() * referenceRows);
    if (excludeSame?.(s, r)) continue;
    keys.push(s * referenceRows + r);
    i++;
  }
  keys.sort((a, b) => a - b);
  return {
    source: Int32Array.from(keys, (k) => Math.floor(k / referenceRows)),
    reference: Int32Array.from(keys, (k) => k % referenceRows),
    count: keys.length,
  };
}
