// Jaro–Winkler on UTF-16 code ranges. The engine calls the kernel with ranges of pre-encoded pools, so a pair
// costs no allocation.
//
// Matching follows the classic definition (as talisman, rapidfuzz and DuckDB): the shorter string is walked in
// order; each of its characters takes the first not-yet-taken equal character of the longer string within the
// window ⌊max(|a|,|b|)/2⌋ − 1; t = ⌊(matched characters out of order) / 2⌋.
// When both strings have ≤ 32 code units (nearly all names, dates, codes), "the first free equal character in
// the window" is one bit operation: a table gives, per character, the bit mask of its positions in a, and the
// free positions and the window are 32-bit masks. Longer strings use the plain double loop.
// The bit walk is branch-free (whether a character matches is unpredictable) and carries few values from one
// step to the next (V8 spills registers otherwise). Transpositions are only counted when some character took a
// position below an already taken one (otherwise the matched characters are in the same order on both sides and
// t = 0). Equal strings return 1 straight away.
// The engine's hot path is the same algorithm in WebAssembly (jaro-winkler.wat, jaro-winkler-kernel.ts), which keeps
// one source value's masks across all of its candidates, on 64-bit masks (values up to 256 code units); this kernel
// serves values it does not take (longer ones, texts outside a kernel memory) and is the reference the
// WebAssembly one is tested against.

import { encodePair, scratch } from './scratch';
const positionMasks = new Int32Array(0x10000); // per character: bit j set when a[j] is that character
const walkedChars = new Uint16Array(33); // bit path: b's matched characters, in order
let matchedChars = new Uint16Array(64); // long path: the shorter string's matched characters, in order
let takenFlags = new Uint8Array(64); // long path: taken positions of the longer string

const PREFIX_SCALE = 0.1;
const MAX_PREFIX = 4;
/** Winkler's boost only applies above this Jaro score (as in talisman, rapidfuzz and DuckDB). */
const BOOST_THRESHOLD = 0.7;

/** Jaro similarity of a[aStart, aStart+aLen) and b[bStart, bStart+bLen). Both empty → 1; one empty → 0. */
export function jaroCodes(a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number): number {
  return jaroOrWinkler(a, aStart, aLen, b, bStart, bLen, false);
}

export function jaroWinklerCodes(a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number): number {
  return jaroOrWinkler(a, aStart, aLen, b, bStart, bLen, true);
}

function jaroOrWinkler(a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number, boost: boolean): number {
  if (aLen === 0 || bLen === 0) return aLen === bLen ? 1 : 0;
  if (aLen === bLen && equalRanges(a, aStart, b, bStart, aLen)) return 1;
  if (aLen > 32 || bLen > 32) {
    // The shorter string is walked; the longer one holds the positions to take.
    const half = (aLen > bLen ? aLen : bLen) >> 1;
    const window = half > 0 ? half - 1 : 0;
    const jaro = aLen <= bLen ? jaroLoops(a, aStart, aLen, b, bStart, bLen, window) : jaroLoops(b, bStart, bLen, a, aStart, aLen, window);
    return boost ? winkler(jaro, a, aStart, aLen, b, bStart, bLen) : jaro;
  }
  const masks = positionMasks;
  for (let j = 0; j < aLen; j = (j + 1) | 0) {
    const c = a[(aStart + j) | 0] as number;
    masks[c] = (masks[c] as number) | (1 << j);
  }
  const score = bitJaro(masks, a, aStart, aLen, b, bStart, bLen, boost);
  for (let j = 0; j < aLen; j = (j + 1) | 0) masks[a[(aStart + j) | 0] as number] = 0;
  return score;
}

function equalRanges(a: Uint16Array, aStart: number, b: Uint16Array, bStart: number, len: number): boolean {
  let k = 0;
  while (k < len && a[(aStart + k) | 0] === b[(bStart + k) | 0]) k = (k + 1) | 0;
  return k === len;
}

/**
 * The bit-parallel core (both strings 1–32 code units): `masks[c]` = positions of c in a (bit j: a[j] = c).
 * Walks b in order; each character takes the lowest free position of a in its window. The greedy matching is the
 * same whichever string is walked (per character, both orders reduce to the same two-pointer sweep over the two
 * sorted position lists, and the window is symmetric), so the result is identical to walking the shorter string
 * (talisman, rapidfuzz). Jaro, or with `boost` Jaro–Winkler.
 */
function bitJaro(
  masks: Int32Array,
  a: Uint16Array,
  aStart: number,
  aLen: number,
  b: Uint16Array,
  bStart: number,
  bLen: number,
  boost: boolean,
): number {
  const half = (aLen > bLen ? aLen : bLen) >> 1;
  const window = half > 0 ? half - 1 : 0;
  let inWindow = (2 << window) - 1; // positions [max(0, i − window), i + window] (window ≤ 15 here)
  let free = -1; // positions of a not taken yet
  let disorder = 0; // ≠ 0 once a character took a position below an already taken one
  let matches = 0;
  const chars = walkedChars;
  for (let i = 0; i < bLen; i = (i + 1) | 0) {
    const c = b[(bStart + i) | 0] as number;
    const candidates = (masks[c] as number) & inWindow & free;
    const low = candidates & -candidates; // the lowest free position in the window, or 0
    disorder |= ~free & -low;
    free ^= low;
    chars[matches] = c;
    matches = (matches + ((low | -low) >>> 31)) | 0; // + 1 when a position was taken
    inWindow = (inWindow << 1) | ((i - window) >>> 31); // the lower edge moves once i ≥ window
  }
  return bitJaroScore(a, aStart, aLen, b, bStart, bLen, matches, ~free, disorder, boost);
}

/** The score from the walk's outcome: `taken` = positions of a taken, `walkedChars` = b's matched characters. */
function bitJaroScore(
  a: Uint16Array,
  aStart: number,
  aLen: number,
  b: Uint16Array,
  bStart: number,
  bLen: number,
  matches: number,
  taken: number,
  disorder: number,
  boost: boolean,
): number {
  if (matches === 0) return 0;
  let outOfOrder = 0;
  if (disorder !== 0) {
    // The k-th matched character of b (in order) against the k-th taken position of a.
    const chars = walkedChars;
    let k = 0;
    while (taken !== 0) {
      const low = taken & -taken;
      outOfOrder += (((a[(aStart + 31 - Math.clz32(low)) | 0] as number) ^ (chars[k] as number)) + 0xffff) >>> 16;
      k = (k + 1) | 0;
      taken ^= low;
    }
  }
  const jaro = (matches / aLen + matches / bLen + (matches - (outOfOrder >> 1)) / matches) / 3;
  return boost ? winkler(jaro, a, aStart, aLen, b, bStart, bLen) : jaro;
}

function jaroLoops(a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number, window: number): number {
  if (bLen > takenFlags.length) takenFlags = new Uint8Array(bLen * 2);
  const flags = takenFlags;
  for (let j = 0; j < bLen; j++) flags[j] = 0;
  if (aLen > matchedChars.length) matchedChars = new Uint16Array(aLen * 2);
  const chars = matchedChars;
  let matches = 0;
  for (let i = 0; i < aLen; i++) {
    const c = a[aStart + i] as number;
    const lo = i > window ? i - window : 0;
    const hi = i + window + 1 < bLen ? i + window + 1 : bLen;
    for (let j = lo; j < hi; j++) {
      if (flags[j] === 0 && b[bStart + j] === c) {
        flags[j] = 1;
        chars[matches++] = c;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let outOfOrder = 0;
  let k = 0;
  for (let j = 0; j < bLen; j++) {
    if (flags[j] === 1 && b[bStart + j] !== chars[k++]) outOfOrder++;
  }
  return (matches / aLen + matches / bLen + (matches - (outOfOrder >> 1)) / matches) / 3;
}

function winkler(jaro: number, a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number): number {
  if (jaro <= BOOST_THRESHOLD) return jaro;
  const limit = Math.min(MAX_PREFIX, aLen, bLen);
  let prefix = 0;
  while (prefix < limit && a[aStart + prefix] === b[bStart + prefix]) prefix++;
  return jaro + prefix * PREFIX_SCALE * (1 - jaro);
}

/** String convenience form (compares the strings as given: normalise first if needed). */
export function jaroWinkler(a: string, b: string): number {
  encodePair(a, b);
  return jaroWinklerCodes(scratch.a, 0, a.length, scratch.b, 0, b.length);
}

export function jaro(a: string, b: string): number {
  encodePair(a, b);
  return jaroCodes(scratch.a, 0, a.length, scratch.b, 0, b.length);
}
