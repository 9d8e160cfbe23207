// Whole-record text for the review pass: every compared column of a row (mapped columns, and unmapped columns
// both tables have) normalised and concatenated, as a TF-IDF vector whose IDF comes from the reference rows (and,
// in a run's review pass, its source rows too).
// Words that appear in the "wrong" column (a suburb in address_2, a swapped given name and surname) still count.

import { buildIdf, sparseCosine, tfidfText, tfidfVector, uniqueTokenHashes, type IdfTable } from '../comparators/tfidf-cosine';
import type { EngineRow } from '../types';

export interface RecordColumn {
  source: string;
  target: string;
}

export class WholeRecordText {
  private idf: IdfTable | undefined;
  private readonly offsets: number[] = [0];
  private readonly hashes: number[] = [];

  /** With `referenceRows`, ready to use; otherwise add() every reference row, then finish(). */
  constructor(
    readonly columns: RecordColumn[],
    referenceRows?: Iterable<EngineRow>,
  ) {
    if (referenceRows === undefined) return;
    for (const row of referenceRows) this.add(row.values);
    this.finish();
  }

  /** One document of the IDF: a reference row's values, or (side 'source') a source row's. */
  add(values: Record<string, unknown> | undefined, side: 'source' | 'target' = 'target'): void {
    for (const h of uniqueTokenHashes(this.text(values, side))) this.hashes.push(h);
    this.offsets.push(this.hashes.length);
  }

  finish(): void {
    this.idf = buildIdf(Int32Array.from(this.hashes), Int32Array.from(this.offsets), this.offsets.length - 1, false);
    this.hashes.length = 0;
    this.offsets.length = 1;
  }

  text(values: Record<string, unknown> | undefined, side: 'source' | 'target'): string {
    const parts: string[] = [];
    for (const c of this.columns) {
      const t = tfidfText(values?.[side === 'source' ? c.source : c.target]);
      if (t !== '') parts.push(t);
    }
    return parts.join(' ');
  }

  vector(values: Record<string, unknown> | undefined, side: 'source' | 'target'): { hashes: Int32Array; weights: Float64Array } {
    if (this.idf === undefined) throw new Error('WholeRecordText: finish() before vector()');
    return tfidfVector(this.text(values, side), this.idf);
  }

  static cosine(a: { hashes: Int32Array; weights: Float64Array }, b: { hashes: Int32Array; weights: Float64Array }): number {
    if (a.hashes.length === 0 || b.hashes.length === 0) return Number.NaN;
    return sparseCosine(a.hashes, a.weights, 0, a.hashes.length, b.hashes, b.weights, 0, b.hashes.length);
  }
}

/** Columns of the whole record: the mapped pairs, then same-named columns both sides have that are not mapped
 *  (minus `excluded`, e.g. row identifiers). */
export function recordColumns(
  mapped: RecordColumn[],
  sourceColumns: string[],
  referenceColumns: string[],
  excluded: Set<string>,
): RecordColumn[] {
  const used = new Set(mapped.flatMap((m) => [m.source, m.target]));
  const extra = sourceColumns
    .filter((c) => !used.has(c) && !excluded.has(c) && referenceColumns.includes(c))
    .map((c) => ({ source: c, target: c }));
  return [...mapped, ...extra];
}
