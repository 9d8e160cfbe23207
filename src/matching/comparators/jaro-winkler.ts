// Jaro–Winkler on UTF-16 code ranges. The engine calls the kernel with ranges of pre-encoded pools, so a pair
// costs no allocation: the match flags live in module-level scratch buffers (one per thread, grown on demand).

let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

const PREFIX_SCALE = 0.1;
const MAX_PREFIX = 4;
/** Winkler's boost only applies above this Jaro score (as in talisman, rapidfuzz and DuckDB). */
const BOOST_THRESHOLD = 0.7;

/** Jaro similarity of a[aStart, aStart+aLen) and b[bStart, bStart+bLen). Both empty → 1; one empty → 0. */
export function jaroCodes(a: Uint16Array, aStart: number, aLen: number, b: Uint16Array, bStart: number, bLen: number): number {
  if (aLen === 0 || bLen === 0) return aLen === bLen ? 1 : 0;
  if (aLen > flagsA.length) flagsA = new Uint8Array(aLen * 2);
  if (bLen > flagsB.length) flagsB = new Uint8Array(bLen * 2);
  const fa = flagsA;
  const fb = flagsB;
  fa.fill(0, 0, aLen);
  fb.fill(0, 0, bLen);
  const window = Math.max(0, (Math.max(aLen, bLen) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < aLen; i++) {
    const c = a[aStart + i];
    const lo = i > window ? i - window : 0;
    const hi = i + window + 1 < bLen ? i + window + 1 : bLen;
    for (let j = lo; j < hi; j++) {
      if (fb[j] === 0 && b[bStart + j] === c) {
        fa[i] = 1;
        fb[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let halfTranspositions = 0;
  let k = 0;
  for (let i = 0; i < aLen; i++) {
    if (fa[i] === 0) continue;
    while (fb[k] === 0) k++;
    if (a[aStart + i] !== b[bStart + k]) halfTranspositions++;
    k++;
  }
  const m = matches;
  return (m / aLen + m / bLen + (m - (halfTranspositions >> 1)) / m) / 3;
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
