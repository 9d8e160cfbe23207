// codes: do two values name the same product code, model number, SKU, part number or reference (tokens that mix
// letters and digits, or long digit runs), a compatible one, or a sibling's?
//
// Codes are read from the raw text, word by word: within a whitespace-separated word, case, hyphens, slashes and dots
// are folded ("KTC-D320/1G" → ktcd3201g), and up to three adjacent words join when each has a digit or is a short
// letter group ("ktc d320 1g" → ktcd3201g). A hyphen joins; a space only may: "rp-hx40-pk" is one code, never
// rphx40 alone, which is what tells it from its sibling rp-hx40-a.
//
// Two sides' codes are
// - compatible: one side's code is the other's, or begins it with at most three characters or only letters left
//   ("ts500gsj25d2" and "ts500gsj25d2-w", "dcb309" and "dcb309black", not "gs108" and "gs108pe100nas"), or equals it
//   without a leading letter group ("hon10707rnn" and "10707rnn");
// - conflicting: otherwise, when a code of each side diverges from the other only in its last three characters
//   ("imm153pnk" and "imm153blk", "c4874a" and "c4873a", "mig-ps1-4" and "mig-ps1-5"): the same family, another
//   model, colour or pack;
// - unrelated: neither (a different code, or the same model written another way).
//
// Score: compatible → the rarity of the rarest such code, idf / idf(unseen) over the reference rows (at least
// MIN_SHARED_SCORE); unrelated → UNRELATED_SCORE; conflicting → 0; missing (−1) when either side has no code. Items
// are hashes whose two low bits tag what the code is to its row (the whole code, a prefix, or a near stem), so a pair
// is one merge walk over two sorted lists.

import { foldWord, hasDigit, isCode, SIZE, WORD_BREAK } from './code-words';
import { buildIdf, idfOf, smoothedIdf, tokenHash, type IdfTable } from './tfidf-cosine';

/** Adjacent words joined into one code at most. */
const MAX_JOINED = 3;
/** Letter-only words this short may be part of a joined code (the "ktc" of "ktc d320"). */
const SHORT_LETTERS = 3;
/** A sibling's code diverges within this many last characters. */
const NEAR_SUFFIX = 3;
/** Shortest prefix (with a digit) that makes two codes compatible, or two codes near. */
const MIN_PREFIX = 4;
const MIN_STEM = 3;

/** The score of codes that are neither compatible nor conflicting; the score of a compatible code is at least
 *  MIN_SHARED_SCORE. Levels between them ([…, 0.001, 0.0005, 0]) tell the three apart; a model with one level
 *  below 0.001 reads unrelated and conflicting alike. */
export const MIN_SHARED_SCORE = 0.001;
export const UNRELATED_SCORE = 0.0005;

const FULL = 0;
const PREFIX = 1;
const NEAR = 2;
const TAG_MASK = 3;

const LEADING_LETTERS = /^[a-z]+/;

/** The raw text's words, each folded (foldWord). */
function foldedWords(text: string): string[] {
  const words: string[] = [];
  for (const word of text.split(WORD_BREAK)) {
    const folded = foldWord(word);
    if (folded !== '') words.push(folded);
  }
  return words;
}

/** The distinct codes of a raw text, in order of first appearance; a code with a leading letter group (a brand
 *  or a vendor's prefix) is followed by the code without it, when that is still one. */
export function extractCodes(text: string): string[] {
  const words = foldedWords(text);
  const codes = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    let joined = '';
    let digits = false;
    for (let k = i; k < Math.min(words.length, i + MAX_JOINED); k++) {
      const word = words[k] as string;
      const wordDigits = hasDigit(word);
      // A size is not part of a code, nor is the "x" of one written with spaces ("9.8 x 11.8").
      if ((!wordDigits && (word.length > SHORT_LETTERS || word === 'x')) || SIZE.test(word)) break;
      joined += word;
      digits ||= wordDigits;
      // A join ends on a word with a digit: "9.8 x 11.8" gives 98x118, not 98x as well.
      if (digits && (k === i || wordDigits) && isCode(joined)) {
        codes.add(joined);
        const core = joined.replace(LEADING_LETTERS, '');
        if (core !== joined && isCode(core)) codes.add(core);
      }
    }
  }
  return [...codes];
}

/** A row's code items, sorted by item: pairs (item, origin) in one array, where item is a hash tagged FULL (a
 *  code), PREFIX (a prefix of at least MIN_PREFIX characters with a digit) or NEAR (one within NEAR_SUFFIX of the end,
 *  at least MIN_STEM long), and origin is the pair index (in this list) of the FULL item of the code it came from. */
export function codeItems(text: string): Int32Array {
  const origins = new Map<number, number>();
  const tagged = (code: string, tag: number) => (tokenHash(code) & ~TAG_MASK) | tag;
  for (const code of extractCodes(text)) {
    const full = tagged(code, FULL);
    if (!origins.has(full)) origins.set(full, full);
    for (let length = MIN_STEM; length < code.length; length++) {
      const prefix = code.slice(0, length);
      if (!hasDigit(prefix)) continue;
      // A longer remainder is a variant's suffix only without digits ("dcb309" of "dcb309black"; "gs108" does not
      // begin "gs108pe100nas" in that sense: that is another model).
      const item =
        code.length - length <= NEAR_SUFFIX
          ? tagged(prefix, NEAR)
          : length >= MIN_PREFIX && !hasDigit(code.slice(length))
            ? tagged(prefix, PREFIX)
            : null;
      if (item !== null && !origins.has(item)) origins.set(item, full);
    }
  }
  const items = Int32Array.from(origins.keys()).sort();
  const slot = new Map<number, number>();
  items.forEach((item, k) => slot.set(item, k));
  const pairs = new Int32Array(items.length * 2);
  items.forEach((item, k) => {
    pairs[2 * k] = item;
    pairs[2 * k + 1] = slot.get(origins.get(item) as number) as number;
  });
  return pairs;
}

/** Document frequencies of what the items name (a code, whatever it is to its row), over rows of item pairs. */
export function codesIdf(items: Int32Array, itemOffsets: Int32Array, rows: number, shared: boolean): IdfTable {
  const names: number[] = [];
  const offsets = new Int32Array(rows + 1);
  for (let r = 0; r < rows; r++) {
    let previous: number | undefined;
    for (let k = itemOffsets[r] as number; k < (itemOffsets[r + 1] as number); k += 2) {
      const name = (items[k] as number) & ~TAG_MASK;
      // Items are sorted, so one name's items are adjacent.
      if (name !== previous) names.push(name);
      previous = name;
    }
    offsets[r + 1] = names.length;
  }
  return buildIdf(Int32Array.from(names), offsets, rows, shared);
}

/** The rarity (score) of a code that `holders` of `documents` rows with codes hold: idf / idf(unseen), as
 *  codeWeights gives it. */
export function codeRarity(documents: number, holders: number): number {
  return smoothedIdf(documents, holders) / smoothedIdf(documents, 0);
}

/** The weight of each item pair: the IDF of the code its item names relative to an unseen code's. */
export function codeWeights(items: Int32Array, idf: IdfTable): Float32Array {
  const weights = new Float32Array(items.length >> 1);
  for (let k = 0; k < weights.length; k++) weights[k] = idfOf(idf, (items[2 * k] as number) & ~TAG_MASK) / idf.unseenIdf;
  return weights;
}

/** Per side, which of a row's codes have a compatible code on the other side (by pair index), and the near
 *  stems both sides hold: scratch of codesScore, kept between calls (one per thread). */
let explainedA = new Uint8Array(64);
let explainedB = new Uint8Array(64);
let nearA = new Int32Array(64);
let nearB = new Int32Array(64);

function room(n: number): void {
  if (explainedA.length >= n) return;
  const size = Math.max(n, explainedA.length * 2);
  explainedA = new Uint8Array(size);
  explainedB = new Uint8Array(size);
  nearA = new Int32Array(size * 4);
  nearB = new Int32Array(size * 4);
}

/** Score of source item pairs a[aStart, aEnd) against reference item pairs b[bStart, bEnd) (slots, two per pair)
 *  with the reference's pair weights (see the head of this file). A sibling's code counts when it is at least as
 *  rare as the rarest compatible code: "hp 80 c4874a" and "hp 80 c4873a" share the product line's code but name
 *  two cartridges. */
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
  const aPairs = (aEnd - aStart) >> 1;
  const bPairs = (bEnd - bStart) >> 1;
  room(Math.max(aPairs, bPairs));
  explainedA.fill(0, 0, aPairs);
  explainedB.fill(0, 0, bPairs);
  let nears = 0;
  let compatible = 0;
  let i = aStart;
  let j = bStart;
  while (i < aEnd && j < bEnd) {
    const x = (a[i] as number) & ~TAG_MASK;
    const y = (b[j] as number) & ~TAG_MASK;
    if (x < y) i += 2;
    else if (x > y) j += 2;
    else {
      // One name, as each side holds it: a bit per tag.
      const i0 = i;
      const j0 = j;
      let aTags = 0;
      let bTags = 0;
      while (i < aEnd && ((a[i] as number) & ~TAG_MASK) === x) {
        aTags |= 1 << ((a[i] as number) & TAG_MASK);
        i += 2;
      }
      while (j < bEnd && ((b[j] as number) & ~TAG_MASK) === y) {
        bTags |= 1 << ((b[j] as number) & TAG_MASK);
        j += 2;
      }
      const aFull = (aTags & (1 << FULL)) !== 0;
      const bFull = (bTags & (1 << FULL)) !== 0;
      if (aFull || bFull) {
        const w = weights[j0 >> 1] as number;
        if (w > compatible) compatible = w;
        // A code is explained by a compatible one: the same code, one that begins it, or one it begins.
        for (let k = i0; k < i; k += 2) if (bFull || ((a[k] as number) & TAG_MASK) === FULL) explainedA[a[k + 1] as number] = 1;
        for (let k = j0; k < j; k += 2) if (aFull || ((b[k] as number) & TAG_MASK) === FULL) explainedB[b[k + 1] as number] = 1;
      } else if ((aTags & (1 << NEAR)) !== 0 && (bTags & (1 << NEAR)) !== 0) {
        for (let k = i0; k < i; k += 2) {
          if (((a[k] as number) & TAG_MASK) !== NEAR) continue;
          for (let l = j0; l < j; l += 2) {
            if (((b[l] as number) & TAG_MASK) !== NEAR || nears >= nearA.length) continue;
            nearA[nears] = a[k + 1] as number;
            nearB[nears] = b[l + 1] as number;
            nears++;
          }
        }
      }
    }
  }
  let conflicting = 0;
  for (let n = 0; n < nears; n++) {
    const origin = nearB[n] as number;
    if (explainedA[nearA[n] as number] === 1 || explainedB[origin] === 1) continue;
    const w = weights[(bStart >> 1) + origin] as number;
    if (w > conflicting) conflicting = w;
  }
  if (conflicting > 0 && conflicting >= compatible) return 0;
  if (compatible > 0) return Math.max(compatible, MIN_SHARED_SCORE);
  return UNRELATED_SCORE;
}
