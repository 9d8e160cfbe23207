// A broad candidate search on the sample, independent of any blocking key choice: every reference row sharing
// a reasonably rare token (or, for names, a sound code; for dates and numbers, a nearby value: a date a few days
// off, an amount a few percent off) with the source row in any mapped field is scored by the
// sum of the IDF of what they share, and the best few per source row are kept. True matches share rare values
// somewhere even when several fields are corrupted, so these pairs contain almost all of them; they are where
// the first EM fit and the proxy of true pairs (for measuring blocking recall) come from.

import type { EngineRow, FieldMapping } from '../types';
import { postingsOf, valueKindOf, type KeyValueCache } from './key-values';
import type { PairSet } from './pairs';

export interface BroadSearchOptions {
  /** candidates kept per source row */
  perRow: number;
  /** values held by more reference rows than this are skipped (little evidence, much work) */
  maxPostings: number;
  excludeSame?: (s: number, r: number) => boolean;
}

export function broadCandidatePairs(
  sourceRows: EngineRow[],
  referenceRows: EngineRow[],
  mappings: FieldMapping[],
  keyValues: KeyValueCache,
  options: BroadSearchOptions,
): PairSet {
  const N = referenceRows.length;
  const keys: Array<{ source: number[][]; postings: Map<number, number[]> }> = [];
  for (const m of mappings) {
    const kind = valueKindOf(m);
    const transforms: Array<'tokens' | 'phonetic' | 'nearby'> =
      m.strategy === 'fuzzy' && (m.options?.algorithm ?? 'jaro_winkler') === 'jaro_winkler'
        ? ['tokens', 'phonetic']
        : kind === 'text'
          ? ['tokens']
          : ['tokens', 'nearby'];
    for (const transform of transforms) {
      const part = { source: m.source, target: m.target, transform };
      keys.push({ source: keyValues.values(part, kind, 'source'), postings: postingsOf(keyValues.values(part, kind, 'target')) });
    }
  }
  const score = new Float64Array(N);
  const touched: number[] = [];
  const source: number[] = [];
  const reference: number[] = [];
  for (let s = 0; s < sourceRows.length; s++) {
    touched.length = 0;
    for (const key of keys) {
      for (const v of key.source[s] as number[]) {
        const list = key.postings.get(v);
        if (list === undefined || list.length > options.maxPostings) continue;
        const idf = Math.log(N / list.length);
        for (const r of list) {
          if (score[r] === 0) touched.push(r);
          score[r] = (score[r] as number) + idf + 1e-9;
        }
      }
    }
    const kept = touched
      .filter((r) => !options.excludeSame?.(s, r))
      .sort((a, b) => (score[b] as number) - (score[a] as number) || a - b)
      .slice(0, options.perRow)
      .sort((a, b) => a - b);
    for (const r of kept) {
      source.push(s);
      reference.push(r);
    }
    for (const r of touched) score[r] = 0;
  }
  return { source: Int32Array.from(source), reference: Int32Array.from(reference), count: source.length };
}
