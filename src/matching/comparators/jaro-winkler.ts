// Jaro–Winkler on UTF-16 code ranges. The engine calls the kernel with ranges of pre-encoded pools, so a pair
// costs no allocation.
//
// Matching follows the classic definition (as talisman, rapidfuzz and DuckDB): the shorter string is walked in
// order; each of its characters takes the first not-yet-taken equal character of the longer string within the
// window ⌊max(|a|,|b|)/2⌋ − 1; t = ⌊(matched characters out of order) / 2⌋.
// When the longer string has ≤ 32 code units (nearly all names, dates, codes), "the first free equal character
// in the window" is one bit operation: a table gives, per character, the bit mask of its positions in the
// longer string, and taken positions are a 32-bit mask. Longer strings use the plain double loop.

const positionMasks = new Int32Array(0x10000); // per character: bit j set when longer[j] is that character
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
  return bLen <= 32 ? jaroBits(a, aStart, aLen, b, bStart, bLen, window) : jaroLoops(a, aStart, aLen, b, bStart, bLen, window);
}

/** Bit-parallel form for bLen ≤ 32 (so aLen ≤ 32 too): taken positions of both strings are 32-bit masks. */
function jaroBits(a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number, window: number): number {
  const masks = positionMasks;
  for (let j = 0; j < bLen; j++) {
    const c = b[bStart + j] as number;
    masks[c] = (masks[c] as number) | (1 << j);
  }
  let takenB = 0;
  let takenA = 0;
  let matches = 0;
  for (let i = 0; i < aLen; i++) {
    const lo = i > window ? i - window : 0;
    const hi = i + window + 1 < bLen ? i + window + 1 : bLen;
    if (lo >= hi) break;
    const inWindow = (hi === 32 ? -1 : (1 << hi) - 1) & ~((1 << lo) - 1);
    const free = (masks[a[aStart + i] as number] as number) & ~takenB & inWindow;
    if (free !== 0) {
      takenB |= free & -free; // lowest set bit = first free position
      takenA |= 1 << i;
      matches++;
    }
  }
  for (let j = 0; j < bLen; j++) masks[b[bStart + j] as number] = 0;
  if (matches === 0) return 0;
  // Walk both taken masks in position order: the k-th matched character of a against the k-th of b.
  let outOfOrder = 0;
  while (takenA !== 0) {
    const lowA = takenA & -takenA;
    const lowB = takenB & -takenB;
    if (a[aStart + 31 - Math.clz32(lowA)] !== b[bStart + 31 - Math.clz32(lowB)]) outOfOrder++;
    takenA ^= lowA;
    takenB ^= lowB;
  }
  return (matches / aLen + matches / bLen + (matches - (outOfOrder >> 1)) / matches) / 3;
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
  const jaro = jaroCodes(a, aStart, aLen, b, bStart, bLen);
  if (jaro <= BOOST_THRESHOLD) return jaro;
  const limit = Math.min(MAX_PREFIX, aLen, bLen);
  let prefix = 0;
  while (prefix < limit && a[aStart + prefix] === b[bStart + prefix]) prefix++;
  return jaro + prefix * PREFIX_SCALE * (1 - jaro);
}

let scratchA: Uint16Array = new Uint16Array(64);
let scratchB: Uint16Array = new Uint16Array(64);

function encodeInto(text: string, buffer: Uint16Array): Uint16Array {
  const out = buffer.length >= text.length ? buffer : new Uint16Array(text.length * 2);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** String convenience form (compares the strings as given: normalise first if needed). */
export function jaroWinkler(a: string, b: string): number {
  scratchA = encodeInto(a, scratchA);
  scratchB = encodeInto(b, scratchB);
  return jaroWinklerCodes(scratchA, 0, a.length, scratchB, 0, b.length);
}

export function jaro(a: string, b: string): number {
  scratchA = encodeInto(a, scratchA);
  scratchB = encodeInto(b, scratchB);
  return jaroCodes(scratchA, 0, a.length, scratchB, 0, b.length);
}
