// codes: do two values share a product code, model number, SKU, part number or reference (tokens that mix letters
// and digits, or long digit runs)? Codes are read from normalised text (case folded; hyphens, slashes and spaces are
// already separators there), so "KTC-D320/1G", "ktc d320 1g" and "ktcd3201g" all yield the code ktcd3201g: runs of
// up to three adjacent tokens are joined when each of them has a digit or is a short letter group.
//
// Score: the rarity of the rarest code both sides share, idf(code) / idf(unseen) in (0, 1] with the IDF of the
// reference side (a code in one reference row scores near 1, "16gb" in thousands of rows far less); 0 when both
// sides have codes and share none (a different model: strong evidence against); missing (−1) when either side has
// no code at all.

import { tokensOf } from '../normalise';
import { idfOf, tokenHash, type IdfTable } from './tfidf-cosine';

/** Adjacent tokens joined into one code at most. */
const MAX_JOINED = 3;
/** Letter-only tokens this short may be part of a joined code (the "ktc" of "ktc d320"). */
const SHORT_LETTERS = 3;
const MIN_CODE_LENGTH = 4;
/** A code of digits alone needs this many (so years and small quantities are not codes). */
const MIN_DIGITS_ONLY = 5;

function hasDigit(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

function isDigitsOnly(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isCode(text: string): boolean {
  if (text.length < MIN_CODE_LENGTH || !hasDigit(text)) return false;
  return !isDigitsOnly(text) || text.length >= MIN_DIGITS_ONLY;
}

const LEADING_LETTERS = /^[a-z]+/;
const TRAILING_LETTERS = /[a-z]+$/;

/** A code's core without a letter prefix or suffix (a colour, a region, a pack size: "dcb309black" and "dcb309",
 *  "pe209780" and "209780pe"), when that is still a code. */
function cores(code: string): string[] {
  const found: string[] = [];
  for (const core of [
    code.replace(TRAILING_LETTERS, ''),
    code.replace(LEADING_LETTERS, ''),
    code.replace(LEADING_LETTERS, '').replace(TRAILING_LETTERS, ''),
  ]) {
    if (core !== code && isCode(core)) found.push(core);
  }
  return found;
}

/** The distinct codes of a normalised text, in order of first appearance, each followed by its cores. */
export function extractCodes(normalised: string): string[] {
  const tokens = tokensOf(normalised);
  const codes = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    let joined = '';
    let digits = false;
    for (let k = i; k < Math.min(tokens.length, i + MAX_JOINED); k++) {
      const token = tokens[k] as string;
      const tokenDigits = hasDigit(token);
      if (!tokenDigits && token.length > SHORT_LETTERS) break;
      joined += token;
      digits ||= tokenDigits;
      if (digits && isCode(joined)) {
        codes.add(joined);
        for (const core of cores(joined)) codes.add(core);
      }
    }
  }
  return [...codes];
}

/** Sorted unique hashes of a text's codes. */
export function codeHashes(normalised: string): Int32Array {
  return Int32Array.from(new Set(extractCodes(normalised).map(tokenHash))).sort();
}

/** The weight of each code hash: its IDF over the reference rows relative to an unseen code's. */
export function codeWeights(hashes: Int32Array, idf: IdfTable): Float32Array {
  return Float32Array.from(hashes, (h) => idfOf(idf, h) / idf.unseenIdf);
}

/** Score of source hashes a[aStart, aEnd) against reference hashes b[bStart, bEnd) with their weights (see the head
 *  of this file). Both lists sorted. */
export function codesScore(
  a: Int32Array,
  aStart: number,
  aEnd: number,
  b: Int32Array,
  weights: Float32Array,
  bStart: number,
  bEnd: number,
): number {
  if (aEnd === aStart || bEnd === bStart) return -1;
  let best = 0;
  let i = aStart;
  let j = bStart;
  while (i < aEnd && j < bEnd) {
    const x = a[i] as number;
    const y = b[j] as number;
    if (x < y) i++;
    else if (x > y) j++;
    else {
      const w = weights[j] as number;
      if (w > best) best = w;
      i++;
      j++;
    }
  }
  return best;
}
