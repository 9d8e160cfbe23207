// Phonetic comparison with talisman's Double Metaphone. Each token of a value is encoded once (at index build
// for the reference, once per row for the source) into a pair of 32-bit hashes (primary, alternate code), so a
// pair of values compares integers only.
//   Two tokens agree when their code sets intersect (primary or alternate on either side).
//   score = (tokens of A that agree with some token of B + tokens of B that agree with some token of A) / (|A| + |B|)
// A token without any letter code (digits, say) is "encoded" as itself, so "12b" still compares by value.

import doubleMetaphone from 'talisman/phonetics/double-metaphone.js';
import { hashString } from '../hash';
import { tokensOf } from '../normalise';

const CODE_CACHE_LIMIT = 200_000;
const codeCache = new Map<string, readonly [string, string]>();

/** Double Metaphone codes of one normalised token (talisman expects letters; it upper-cases itself). Memoised:
 *  names repeat a lot and the encoder costs about a microsecond. */
export function metaphoneCodes(token: string): readonly [string, string] {
  let codes = codeCache.get(token);
  if (codes === undefined) {
    let primary = '';
    let alternate = '';
    try {
      [primary, alternate] = doubleMetaphone(token);
    } catch {
      // talisman throws on a few odd inputs; the token then stands for itself
    }
    codes = primary === '' ? [token, token] : [primary, alternate === '' ? primary : alternate];
    if (codeCache.size >= CODE_CACHE_LIMIT) codeCache.clear();
    codeCache.set(token, codes);
  }
  return codes;
}

const PHONETIC_SEED = 0x3c6ef372;

/** Appends (primary, alternate) hash pairs of each token of a normalised value; returns the token count. */
export function encodePhonetic(normalised: string, out: { push(n: number): void }): number {
  const tokens = tokensOf(normalised);
  for (const token of tokens) {
    const [p, a] = metaphoneCodes(token);
    const hp = hashString(p, PHONETIC_SEED);
    out.push(hp);
    out.push(a === p ? hp : hashString(a, PHONETIC_SEED));
  }
  return tokens.length;
}

/** a and b hold interleaved (primary, alternate) hashes: token k at [2k], [2k+1]. */
export function phoneticCodesScore(a: Int32Array, aStart: number, aTokens: number, b: Int32Array, bStart: number, bTokens: number): number {
  if (aTokens === 0 || bTokens === 0) return aTokens === bTokens ? 1 : 0;
  let agreeing = 0;
  for (let i = 0; i < aTokens; i++) {
    if (tokenAgrees(a, aStart + 2 * i, b, bStart, bTokens)) agreeing++;
  }
  for (let j = 0; j < bTokens; j++) {
    if (tokenAgrees(b, bStart + 2 * j, a, aStart, aTokens)) agreeing++;
  }
  return agreeing / (aTokens + bTokens);
}

function tokenAgrees(x: Int32Array, at: number, y: Int32Array, yStart: number, yTokens: number): boolean {
  const p = x[at];
  const q = x[at + 1];
  for (let k = 0; k < yTokens; k++) {
    const yp = y[yStart + 2 * k];
    const yq = y[yStart + 2 * k + 1];
    if (p === yp || p === yq || q === yp || q === yq) return true;
  }
  return false;
}
