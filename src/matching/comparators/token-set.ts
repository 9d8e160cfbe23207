// token_set: order- and duplicate-insensitive comparison of multi-word values, after fuzzywuzzy's
// token_set_ratio. Both sides are given in canonical form (sorted unique tokens joined by one space, see
// normalise.sortedTokenSet). With I = common tokens, A' / B' = tokens only in A / only in B:
//   score = 1 when I is non-empty and A' or B' is empty (one value's tokens are a subset of the other's),
//   else max(sim(I, I+A'), sim(I, I+B'), sim(I+A', I+B')) with sim = normalised Levenshtein similarity.
// The three strings are assembled in scratch buffers (I is a prefix of both others), so a pair allocates nothing.

import { levenshteinSimilarityCodes } from './levenshtein';

let startsA = new Int32Array(16);
let endsA = new Int32Array(16);
let startsB = new Int32Array(16);
let endsB = new Int32Array(16);
let bufA = new Uint16Array(128);
let bufB = new Uint16Array(128);

const SPACE = 32;

/** Token boundaries of a space-separated code range into (starts, ends); returns the token count. */
function splitTokens(codes: Uint16Array, start: number, len: number, which: 'a' | 'b'): number {
  // A range of len code units holds at most ⌈len/2⌉ tokens; len + 1 slots is always enough.
  if (which === 'a' && len + 1 > startsA.length) {
    startsA = new Int32Array((len + 1) * 2);
    endsA = new Int32Array((len + 1) * 2);
  } else if (which === 'b' && len + 1 > startsB.length) {
    startsB = new Int32Array((len + 1) * 2);
    endsB = new Int32Array((len + 1) * 2);
  }
  const starts = which === 'a' ? startsA : startsB;
  const ends = which === 'a' ? endsA : endsB;
  let count = 0;
  let tokenStart = start;
  const end = start + len;
  for (let i = start; i <= end; i++) {
    if (i === end || codes[i] === SPACE) {
      if (i > tokenStart) {
        starts[count] = tokenStart;
        ends[count] = i;
        count++;
      }
      tokenStart = i + 1;
    }
  }
  return count;
}

function compareRanges(a: Uint16Array, as: number, ae: number, b: Uint16Array, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let k = 0; k < n; k++) {
    const d = (a[as + k] as number) - (b[bs + k] as number);
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}

function append(buf: Uint16Array, at: number, src: Uint16Array, s: number, e: number): number {
  if (at > 0) buf[at++] = SPACE;
  for (let k = s; k < e; k++) buf[at++] = src[k] as number;
  return at;
}

export function tokenSetCodes(a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number): number {
  if (aLen === 0 || bLen === 0) return aLen === bLen ? 1 : 0;
  const need = aLen + bLen + 2;
  if (need > bufA.length) {
    bufA = new Uint16Array(need * 2);
    bufB = new Uint16Array(need * 2);
  }
  const na = splitTokens(a, aStart, aLen, 'a');
  const nb = splitTokens(b, bStart, bLen, 'b');
  // Pass 1: intersection into both buffers (it is the common prefix of I+A' and I+B').
  let sectLen = 0;
  let i = 0;
  let j = 0;
  while (i < na && j < nb) {
    const c = compareRanges(a, startsA[i] as number, endsA[i] as number, b, startsB[j] as number, endsB[j] as number);
    if (c === 0) {
      sectLen = append(bufA, sectLen, a, startsA[i] as number, endsA[i] as number);
      i++;
      j++;
    } else if (c < 0) i++;
    else j++;
  }
  bufB.set(bufA.subarray(0, sectLen));
  // Pass 2: the differences, appended after the intersection.
  let lenA = sectLen;
  let lenB = sectLen;
  let onlyA = 0;
  let onlyB = 0;
  i = 0;
  j = 0;
  while (i < na || j < nb) {
    const c =
      i >= na ? 1 : j >= nb ? -1 : compareRanges(a, startsA[i] as number, endsA[i] as number, b, startsB[j] as number, endsB[j] as number);
    if (c === 0) {
      i++;
      j++;
    } else if (c < 0) {
      lenA = append(bufA, lenA, a, startsA[i] as number, endsA[i] as number);
      onlyA++;
      i++;
    } else {
      lenB = append(bufB, lenB, b, startsB[j] as number, endsB[j] as number);
      onlyB++;
      j++;
    }
  }
  if (sectLen > 0 && (onlyA === 0 || onlyB === 0)) return 1;
  let best = levenshteinSimilarityCodes(bufA, 0, lenA, bufB, 0, lenB);
  if (sectLen > 0) {
    const s1 = levenshteinSimilarityCodes(bufA, 0, sectLen, bufA, 0, lenA);
    const s2 = levenshteinSimilarityCodes(bufB, 0, sectLen, bufB, 0, lenB);
    if (s1 > best) best = s1;
    if (s2 > best) best = s2;
  }
  return best;
}
