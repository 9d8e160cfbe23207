// String-level forms of the comparators (for callers and tests; the engine itself calls the code-range kernels).
import { FieldColumnBuilder, FieldScorer, fieldKind } from '../fields';
import { normaliseText, sortedTokenSet } from '../normalise';
import type { FieldMapping } from '../types';
import { tokenSetCodes } from './token-set';
import { encodePhonetic, phoneticCodesScore } from './phonetic';
import { buildIdf, sparseCosine, tfidfText, tfidfVector, uniqueTokenHashes } from './tfidf-cosine';
import { CodePoolBuilder, encode } from '../pool';

export { jaro, jaroWinkler, jaroWinklerCodes, jaroCodes } from './jaro-winkler';
export {
  levenshteinDistance,
  levenshteinSimilarity,
  damerauLevenshteinDistance,
  damerauLevenshteinSimilarity,
  levenshteinDistanceCodes,
  levenshteinSimilarityCodes,
  damerauLevenshteinDistanceCodes,
  damerauLevenshteinSimilarityCodes,
} from './levenshtein';
export { dateRangeScore, dateWindowScore, numericRangeScore, numericWindowScore, windowScore, type NumericWindow } from './ranges';
export { metaphoneCodes } from './phonetic';

/** token_set similarity of two raw values (normalised, then compared as sorted unique token sets). */
export function tokenSetSimilarity(a: string, b: string): number {
  const x = encode(sortedTokenSet(normaliseText(a)));
  const y = encode(sortedTokenSet(normaliseText(b)));
  return tokenSetCodes(x, 0, x.length, y, 0, y.length);
}

/** Phonetic (Double Metaphone) similarity of two raw values. */
export function phoneticSimilarity(a: string, b: string): number {
  const x: number[] = [];
  const y: number[] = [];
  const nx = encodePhonetic(normaliseText(a), x);
  const ny = encodePhonetic(normaliseText(b), y);
  return phoneticCodesScore(Int32Array.from(x), 0, nx, Int32Array.from(y), 0, ny);
}

/** A TF-IDF cosine comparator whose IDF comes from the given reference column values. */
export function createTfidfCosine(referenceValues: Iterable<unknown>): (a: unknown, b: unknown) => number {
  const offsets: number[] = [0];
  const hashes: number[] = [];
  for (const value of referenceValues) {
    hashes.push(...uniqueTokenHashes(tfidfText(value)));
    offsets.push(hashes.length);
  }
  const idf = buildIdf(Int32Array.from(hashes), Int32Array.from(offsets), offsets.length - 1, false);
  return (a, b) => {
    const x = tfidfVector(tfidfText(a), idf);
    const y = tfidfVector(tfidfText(b), idf);
    return sparseCosine(x.hashes, x.weights, 0, x.hashes.length, y.hashes, y.weights, 0, y.hashes.length);
  };
}

/**
 * Score one pair of cell values exactly as the engine would for this mapping (normalisation included), or null
 * when either value is missing. For tfidf_cosine the IDF is taken from the single reference value, so prefer
 * createTfidfCosine to see realistic tf-idf scores.
 */
export function compareValues(mapping: FieldMapping, sourceValue: unknown, referenceValue: unknown): number | null {
  const texts = new CodePoolBuilder();
  const builder = new FieldColumnBuilder(fieldKind(mapping), texts, 0);
  builder.add(referenceValue);
  const scorer = new FieldScorer(mapping, builder.finish(false), texts.finish(false), 1);
  const prepared = scorer.prepare(sourceValue);
  if (prepared === null) return null;
  const score = scorer.score(prepared, 0);
  return score < 0 ? null : score;
}
