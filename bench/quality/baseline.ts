// The naive baseline every smart figure is compared with, computed in the same run: TF-IDF cosine over all text
// columns of a row (IDF from both tables, as scikit-learn's smoothed idf), a pair kept only when each row is the
// other's best and the cosine is ≥ 0.5. No labels, no configuration: what a 30-line script does.
import type { EngineRow } from '../../src/matching/index';
import type { SampledTable } from '../../src/matching/smart/types';

export const BASELINE_MIN_COSINE = 0.5;

type Vector = Map<string, number>;

function tokens(row: EngineRow, columns: string[]): string[] {
  const text = columns
    .map((c) => String(row.values[c] ?? ''))
    .join(' ')
    .toLowerCase();
  return text.match(/[\p{L}\p{N}_]{2,}/gu) ?? [];
}

function textColumns(table: SampledTable): string[] {
  return table.columns.filter((c) => c.type === 'string').map((c) => c.name);
}

/** source row id → the reference row id it is linked to (mutual best, cosine ≥ 0.5) */
export function tfidfBaseline(source: SampledTable, reference: SampledTable): Map<string, string> {
  const sourceTokens = source.rows.map((r) => tokens(r, textColumns(source)));
  const referenceTokens = reference.rows.map((r) => tokens(r, textColumns(reference)));
  const documents = sourceTokens.length + referenceTokens.length;
  const df = new Map<string, number>();
  for (const list of [...sourceTokens, ...referenceTokens]) for (const t of new Set(list)) df.set(t, (df.get(t) ?? 0) + 1);
  const vector = (list: string[]): Vector => {
    const v: Vector = new Map();
    for (const t of list) v.set(t, (v.get(t) ?? 0) + 1);
    let norm = 0;
    for (const [t, tf] of v) {
      const w = tf * (Math.log((1 + documents) / (1 + (df.get(t) ?? 0))) + 1);
      v.set(t, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [t, w] of v) v.set(t, w / norm);
    return v;
  };
  const sourceVectors = sourceTokens.map(vector);
  const postings = new Map<string, Array<[number, number]>>();
  referenceTokens.map(vector).forEach((v, r) => {
    for (const [t, w] of v) {
      let list = postings.get(t);
      if (list === undefined) postings.set(t, (list = []));
      list.push([r, w]);
    }
  });
  const bestOfSource = new Int32Array(sourceVectors.length).fill(-1);
  const bestScoreOfSource = new Float64Array(sourceVectors.length);
  const bestOfReference = new Int32Array(referenceTokens.length).fill(-1);
  const bestScoreOfReference = new Float64Array(referenceTokens.length);
  const dots = new Float64Array(referenceTokens.length);
  sourceVectors.forEach((v, s) => {
    const touched: number[] = [];
    for (const [t, w] of v) {
      for (const [r, rw] of postings.get(t) ?? []) {
        if (dots[r] === 0) touched.push(r);
        dots[r] = (dots[r] as number) + w * rw;
      }
    }
    for (const r of touched) {
      const score = dots[r] as number;
      dots[r] = 0;
      if (score > (bestScoreOfSource[s] as number)) [bestOfSource[s], bestScoreOfSource[s]] = [r, score];
      if (score > (bestScoreOfReference[r] as number)) [bestOfReference[r], bestScoreOfReference[r]] = [s, score];
    }
  });
  const links = new Map<string, string>();
  bestOfSource.forEach((r, s) => {
    if (r >= 0 && bestOfReference[r] === s && (bestScoreOfSource[s] as number) >= BASELINE_MIN_COSINE) {
      links.set((source.rows[s] as EngineRow).id, (reference.rows[r] as EngineRow).id);
    }
  });
  return links;
}
