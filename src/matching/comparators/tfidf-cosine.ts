// tfidf_cosine: cosine similarity of TF-IDF word vectors, IDF learnt from the reference column:
//   idf(t) = ln((N + 1) / (df(t) + 1)) + 1, N = reference rows with a value, df(t) = rows containing t
// (a word the reference never uses gets the highest idf, ln(N + 1) + 1). Weights are tf·idf, L2-normalised, so
// the score is in [0, 1]; rare shared words ("acme") count more than common ones ("ltd", "street").
// The words are normaliseText's, except that a raw word which folds into a code stays one word (tfidfText), so
// "mdr-ex35lp" and "mdrex35lp" share their rarest word instead of having none in common.
// Vectors are stored as (token hash, weight) sorted by hash: a pair is one merge walk, no allocation.

import { createIntTable, hashString, tableGet, tableGetOrPut, type IntTableData } from '../hash';
import { normaliseText, toText, tokensOf } from '../normalise';
import { isCode, WORD_BREAK } from './code-words';

const TOKEN_SEED = 0x1b873593;

export function tokenHash(token: string): number {
  return hashString(token, TOKEN_SEED);
}

export interface IdfTable {
  table: IntTableData;
  idf: Float64Array;
  /** idf of a word the reference never uses */
  unseenIdf: number;
}

/** Smoothed IDF of a term `documentFrequency` of `documents` rows hold (0: an unseen term). */
export function smoothedIdf(documents: number, documentFrequency: number): number {
  return Math.log((documents + 1) / (documentFrequency + 1)) + 1;
}

/** Document frequencies from per-row token hash lists (each list already unique). */
export function buildIdf(rowsTokens: Int32Array, rowOffsets: Int32Array, rows: number, shared: boolean): IdfTable {
  const table = createIntTable(Math.max(16, rowsTokens.length), shared);
  const df: number[] = [];
  let documents = 0;
  for (let r = 0; r < rows; r++) {
    const start = rowOffsets[r] as number;
    const end = rowOffsets[r + 1] as number;
    if (end > start) documents++;
    for (let k = start; k < end; k++) {
      const slot = tableGetOrPut(table, rowsTokens[k] as number, df.length);
      if (slot === -1) df.push(1);
      else df[slot] = (df[slot] as number) + 1;
    }
  }
  const idf = shared ? new Float64Array(new SharedArrayBuffer(Math.max(1, df.length) * 8)) : new Float64Array(Math.max(1, df.length));
  for (let i = 0; i < df.length; i++) idf[i] = smoothedIdf(documents, df[i] as number);
  return { table, idf, unseenIdf: smoothedIdf(documents, 0) };
}

export function idfOf(table: IdfTable, hash: number): number {
  const slot = tableGet(table.table, hash);
  return slot === -1 ? table.unseenIdf : (table.idf[slot] as number);
}

/** A word character, separators, a word character: a raw word that normaliseText would split. */
const INNER_SEPARATOR = /[\p{L}\p{N}][^\p{L}\p{N}\s,;:()[\]{}|+&]+[\p{L}\p{N}]/u;

const LETTER = /\p{L}/u;

/** The normalised text TF-IDF reads from a cell: normaliseText, but a raw word with inner separators that folds into
 *  a code with letters (code-words.ts) is one word: "Sony MDR-EX35LP/VB" → "sony mdrex35lpvb". Both sides read such
 *  codes alike whichever way they are written inside a word. A code split by spaces stays split (the codes field
 *  joins those), and so does a word of digits alone: a date, a phone number or an amount, whose parts (a year, an
 *  area code) are what other ways of writing it share. `normalised`: normaliseText(value), where the caller has it. */
export function tfidfText(value: unknown, normalised?: string): string {
  const text = toText(value);
  if (!INNER_SEPARATOR.test(text)) return normalised ?? normaliseText(text);
  const words: string[] = [];
  for (const word of text.split(WORD_BREAK)) {
    const wordText = normaliseText(word);
    if (wordText === '') continue;
    const folded = wordText.replaceAll(' ', '');
    words.push(folded !== wordText && LETTER.test(folded) && isCode(folded) ? folded : wordText);
  }
  return words.join(' ');
}

/** Unique token hashes of a normalised value (for document frequencies). */
export function uniqueTokenHashes(normalised: string): number[] {
  return [...new Set(tokensOf(normalised).map(tokenHash))];
}

/** TF-IDF vector of a normalised value: parallel arrays sorted by hash, L2-normalised. */
export function tfidfVector(normalised: string, idf: IdfTable): { hashes: Int32Array; weights: Float64Array } {
  const counts = new Map<number, number>();
  for (const token of tokensOf(normalised)) {
    const h = tokenHash(token);
    counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  const hashes = Int32Array.from(counts.keys()).sort();
  const weights = new Float64Array(hashes.length);
  let norm = 0;
  for (let i = 0; i < hashes.length; i++) {
    const h = hashes[i] as number;
    const w = (counts.get(h) as number) * idfOf(idf, h);
    weights[i] = w;
    norm += w * w;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < weights.length; i++) weights[i] = (weights[i] as number) / norm;
  return { hashes, weights };
}

/** Dot product of two normalised sparse vectors (merge walk over sorted hashes), clamped to [0, 1]. */
export function sparseCosine(
  aHashes: Int32Array,
  aWeights: Float64Array | Float32Array,
  aStart: number,
  aEnd: number,
  bHashes: Int32Array,
  bWeights: Float64Array | Float32Array,
  bStart: number,
  bEnd: number,
): number {
  if (aEnd === aStart || bEnd === bStart) return aEnd - aStart === bEnd - bStart ? 1 : 0;
  let i = aStart;
  let j = bStart;
  let dot = 0;
  while (i < aEnd && j < bEnd) {
    const x = aHashes[i] as number;
    const y = bHashes[j] as number;
    if (x === y) dot += (aWeights[i++] as number) * (bWeights[j++] as number);
    else if (x < y) i++;
    else j++;
  }
  return dot > 1 ? 1 : dot < 0 ? 0 : dot;
}
