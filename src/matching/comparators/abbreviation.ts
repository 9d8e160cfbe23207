// abbreviation: short text as banks, tills and exports print it: "SQ *BLUE BOTTLE COF", "FALCON CNSLTNG GRP 06172",
// "LAKESIDE LEG" for Lakeside Legal Services. Whole words are few and cut short, so word overlap is too thin and
// edit distance is swamped by the prefix, the store number and the city around the name.
//
// Two tokens agree when they are equal, when one is a prefix of the other (truncation: "cof" / "coffee", at least
// MIN_PREFIX characters), or when one is the other without its vowels after the first letter (abbreviation:
// "cnsltng" / "consulting", at least MIN_SKELETON consonants). A token's share is the characters that agree (the
// shorter token's length for a prefix) over its length. Score: the larger of the two sides' shares of characters
// in agreeing tokens, so the noise around a memo's name does not count against it, while a name whose words are not
// in the memo scores low. Works on normalised text as code units (tokens split by spaces).

const SPACE = 32;
/** Shortest truncation and shortest abbreviation (in consonants) that count as agreeing. */
export const MIN_PREFIX = 3;
export const MIN_SKELETON = 3;

function isVowel(c: number): boolean {
  return c === 97 || c === 101 || c === 105 || c === 111 || c === 117; // a e i o u
}

function isLetter(c: number): boolean {
  return c >= 97 && c <= 122;
}

function equalRange(a: Uint16Array, aStart: number, b: Uint16Array, bStart: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[aStart + k] !== b[bStart + k]) return false;
  return true;
}

/** Is the short token (s, sLen) the long one (l, lLen) without its vowels after the first letter? */
function isSkeletonOf(s: Uint16Array, sStart: number, sLen: number, l: Uint16Array, lStart: number, lLen: number): boolean {
  if (sLen < MIN_SKELETON || sLen >= lLen || s[sStart] !== l[lStart]) return false;
  let j = 1;
  for (let i = 1; i < lLen; i++) {
    const c = l[lStart + i] as number;
    if (isVowel(c)) continue;
    if (j >= sLen || s[sStart + j] !== c || !isLetter(c)) return false;
    j++;
  }
  return j === sLen;
}

/** Characters of token a (aStart, aLen) that agree with token b. */
function agreement(a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number): number {
  if (aLen === bLen) return equalRange(a, aStart, b, bStart, aLen) ? aLen : 0;
  const shorter = Math.min(aLen, bLen);
  if (shorter >= MIN_PREFIX && equalRange(a, aStart, b, bStart, shorter)) return shorter;
  if (aLen < bLen ? isSkeletonOf(a, aStart, aLen, b, bStart, bLen) : isSkeletonOf(b, bStart, bLen, a, aStart, aLen)) return aLen;
  return 0;
}

/** Share of side x's characters (in tokens) that agree with some token of side y. */
function coverage(x: Uint16Array, xStart: number, xLen: number, y: Uint16Array, yStart: number, yLen: number): number {
  let total = 0;
  let agreeing = 0;
  const xEnd = xStart + xLen;
  const yEnd = yStart + yLen;
  for (let i = xStart; i < xEnd; ) {
    let iEnd = i;
    while (iEnd < xEnd && x[iEnd] !== SPACE) iEnd++;
    const len = iEnd - i;
    if (len > 0) {
      total += len;
      let best = 0;
      for (let j = yStart; j < yEnd && best < len; ) {
        let jEnd = j;
        while (jEnd < yEnd && y[jEnd] !== SPACE) jEnd++;
        if (jEnd > j) best = Math.max(best, agreement(x, i, len, y, j, jEnd - j));
        j = jEnd + 1;
      }
      agreeing += best;
    }
    i = iEnd + 1;
  }
  return total === 0 ? 0 : agreeing / total;
}

/** Score of two normalised texts given as code units (see the head of this file); symmetric, in [0, 1]. */
export function abbreviationSimilarityCodes(
  a: Uint16Array,
  aStart: number,
  aLen: number,
  b: Uint16Array,
  bStart: number,
  bLen: number,
): number {
  return Math.max(coverage(a, aStart, aLen, b, bStart, bLen), coverage(b, bStart, bLen, a, aStart, aLen));
}

/** The same on strings (tests, the review pass). */
export function abbreviationSimilarity(a: string, b: string): number {
  const codes = (s: string) => Uint16Array.from(s, (c) => c.charCodeAt(0));
  return abbreviationSimilarityCodes(codes(a), 0, a.length, codes(b), 0, b.length);
}
