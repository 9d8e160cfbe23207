// Jaro–Winkler on UTF-16 code ranges. The engine calls the kernel with ranges of pre-encoded pools, so a pair
// costs no allocation.
//
// Matching follows the classic definition (as talisman, rapidfuzz and DuckDB): the shorter string is walked in
// order; each of its characters takes the first not-yet-taken equal character of the longer string within the
// window ⌊max(|a|,|b|)/2⌋ − 1; t = ⌊(matched characters out of order) / 2⌋.
// When the longer string has ≤ 32 code units (nearly all names, dates, codes), "the first free equal character
// in the window" is one bit operation: a table gives, per character, the bit mask of its positions in the
// longer string, and taken positions are a 32-bit mask. Longer strings use the plain double loop.
// The bit loop is branch-free (whether a character matches is unpredictable), which made it ~1.4× faster.
// `jaroPattern` / `jaroWinklerPattern` keep one value's masks (ASCII, 128 entries) across many comparisons.

import { encodePair, scratch } from './scratch';
const positionMasks = new Int32Array(0x10000); // per character: bit j set when longer[j] is that character
const walkedChars = new Uint16Array(32); // bit path: the walked string's matched characters, in order
let matchedChars = new Uint16Array(64); // long path: the shorter string's matched characters, in order
let takenFlags = new Uint8Array(64); // long path: taken positions of the longer string

const PREFIX_SCALE = 0.1;
const MAX_PREFIX = 4;
/** Winkler's boost only applies above this Jaro score (as in talisman, rapidfuzz and DuckDB). */
const BOOST_THRESHOLD = 0.7;

/** Jaro similarity of a[aStart, aStart+aLen) and b[bStart, bStart+bLen). Both empty → 1; one empty → 0. */
export function jaroCodes(a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number): number {
  if (aLen === 0 || bLen === 0) return aLen === bLen ? 1 : 0;
  // The shorter string is walked; the longer one holds the positions to take.
  return aLen <= bLen ? jaroOrdered(a, aStart, aLen, b, bStart, bLen) : jaroOrdered(b, bStart, bLen, a, aStart, aLen);
}

function jaroOrdered(a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number): number {
  if (aLen === bLen) {
    let k = 0;
    while (k < aLen && a[aStart + k] === b[bStart + k]) k++;
    if (k === aLen) return 1;
  }
  const half = bLen >> 1;
  const window = half > 0 ? half - 1 : 0;
  if (bLen > 32) return jaroLoops(a, aStart, aLen, b, bStart, bLen, window);
  const masks = positionMasks;
  for (let j = 0; j < bLen; j++) {
    const c = b[bStart + j] as number;
    masks[c] = (masks[c] as number) | (1 << j);
  }
  const jaro = jaroWalk(masks, 0xffff, b, bStart, bLen, a, aStart, aLen, window);
  for (let j = 0; j < bLen; j++) masks[b[bStart + j] as number] = 0;
  return jaro;
}

/**
 * The bit-parallel core (both strings ≤ 32 code units). `masks[c & charMask]` = positions of c in the masked
 * string m (charMask 0xffff: the full table; 0x7f: an ASCII-only pattern, where codes ≥ 128 have no positions).
 * Walks w in order; each character takes the lowest free position of m in its window. The greedy matching is the
 * same whichever string is walked (per character, both orders reduce to the same two-pointer sweep over the two
 * sorted position lists, and the window is symmetric), so the masked string may be either one: the result is
 * identical to walking the shorter string (talisman, rapidfuzz). The loop is branch-free (matches vary per
 * character, so a branch would mispredict often).
 */
function jaroWalk(masks: Int32Array, charMask: number, m: Uint16Array, mStart: number, mLen: number, w: Uint16Array, wStart: number, wLen: number, window: number): number {
  let upto = (2 << window) - 1; // positions [0, i + window] (window ≤ 15 here)
  let below = 0; // positions [0, i − window)
  let taken = 0;
  let matches = 0;
  const chars = walkedChars;
  const ascii = charMask === 0x7f ? -128 : 0; // c & ascii ≠ 0: c has no positions in an ASCII pattern
  for (let i = 0; i < wLen; i++) {
    const c = w[wStart + i] as number;
    const free = (masks[c & charMask] as number) & upto & ~(taken | below) & (((c & ascii) - 1) >> 31);
    const low = free & -free; // lowest free position, or 0
    taken |= low;
    chars[matches] = c;
    matches += (low | -low) >>> 31; // 1 when a position was taken
    upto = (upto << 1) | 1;
    below = (below << 1) | ((window - i - 1) >>> 31); // grows once i ≥ window
  }
  if (matches === 0) return 0;
  // The k-th matched character of w (in order) against the k-th taken position of m.
  let outOfOrder = 0;
  let k = 0;
  while (taken !== 0) {
    const low = taken & -taken;
    outOfOrder += ((((m[mStart + 31 - Math.clz32(low)] as number) ^ (chars[k++] as number)) + 0xffff) >>> 16);
    taken ^= low;
  }
  return (matches / wLen + matches / mLen + (matches - (outOfOrder >> 1)) / matches) / 3;
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

export function jaroWinklerCodes(a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number): number {
  return winkler(jaroCodes(a, aStart, aLen, b, bStart, bLen), a, aStart, aLen, b, bStart, bLen);
}

function winkler(jaro: number, a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number): number {
  if (jaro <= BOOST_THRESHOLD) return jaro;
  const limit = Math.min(MAX_PREFIX, aLen, bLen);
  let prefix = 0;
  while (prefix < limit && a[aStart + prefix] === b[bStart + prefix]) prefix++;
  return jaro + prefix * PREFIX_SCALE * (1 - jaro);
}

/**
 * A value prepared for many Jaro–Winkler comparisons (the engine compares one source value with every candidate):
 * the position masks of its characters, built once instead of once per pair. Only for values of 1–32 ASCII code
 * units (a 128-entry table). `jaroPatternInto` fills a zeroed table the caller reuses (allocating one per value
 * costs more than it saves) and returns false, leaving the table zeroed, when the value does not qualify; undo
 * it with `clearJaroPattern` before the next value. `jaroPattern` allocates (null when it does not qualify).
 */
export function jaroPatternInto(masks: Int32Array, codes: Uint16Array, start: number, len: number): boolean {
  if (len === 0 || len > 32) return false;
  for (let j = 0; j < len; j++) {
    const c = codes[start + j] as number;
    if (c >= 128) {
      clearJaroPattern(masks, codes, start, j);
      return false;
    }
    masks[c] = (masks[c] as number) | (1 << j);
  }
  return true;
}

export function clearJaroPattern(masks: Int32Array, codes: Uint16Array, start: number, len: number): void {
  for (let j = 0; j < len; j++) masks[(codes[start + j] as number) & 0x7f] = 0;
}

export function jaroPattern(codes: Uint16Array, start: number, len: number): Int32Array | null {
  const masks = new Int32Array(128);
  return jaroPatternInto(masks, codes, start, len) ? masks : null;
}

/** jaroWinklerCodes(a…, b…) where `masks` holds the pattern of a[aStart, aStart+aLen). Same result to the bit. */
export function jaroWinklerPattern(masks: Int32Array, a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number): number {
  if (bLen === 0) return 0;
  if (bLen > 32) return jaroWinklerCodes(a, aStart, aLen, b, bStart, bLen);
  const half = (aLen > bLen ? aLen : bLen) >> 1;
  const jaro = jaroWalk(masks, 0x7f, a, aStart, aLen, b, bStart, bLen, half > 0 ? half - 1 : 0);
  return winkler(jaro, a, aStart, aLen, b, bStart, bLen);
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
