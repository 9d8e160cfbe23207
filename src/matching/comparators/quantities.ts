// quantities: do two values state the same amounts of the same units? Sibling products differ in exactly these
// ("8gb" and "4 gb", "62mm" and "49mm", "10 oz" and "16 oz", "2 pack" and "6 pack"), as editions differ in volume and
// transactions in quantity, while their words and often their codes agree.
//
// A quantity is a number and a short unit (up to MAX_UNIT letters) read from normalised text, either joined ("8gb")
// or as the next token ("8 gb"); normalised text has already split "14.1-inch" into "14 1 inch", so the number is
// the run of digits next to the unit. Score: 1 when the values share a unit and agree on every shared one; 0 when
// they disagree on every shared one; ½ when some agree and some do not; missing (−1) when no unit is shared.

import { tokensOf } from '../normalise';
import { tokenHash } from './tfidf-cosine';

/** Longer words after a number are what it counts ("2 batteries", "3 colors"), not units, and vary in form. */
const MAX_UNIT = 4;
/** A value this long is an identifier, a year or a phone number rather than an amount. */
const MAX_DIGITS = 4;

const JOINED = new RegExp(`^(\\d{1,${MAX_DIGITS}})([a-z]{1,${MAX_UNIT}})$`);
const DIGITS = new RegExp(`^\\d{1,${MAX_DIGITS}}$`);
const LETTERS = /^[a-z]+$/;

/** The quantities of a normalised text as [unit hash, value] pairs sorted by unit then value, flattened. */
export function quantityItems(normalised: string): Int32Array {
  const tokens = tokensOf(normalised);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const joined = JOINED.exec(token);
    if (joined !== null) {
      pairs.push([tokenHash(joined[2] as string), Number(joined[1])]);
      continue;
    }
    const next = tokens[i + 1];
    if (DIGITS.test(token) && next !== undefined && next.length <= MAX_UNIT && LETTERS.test(next)) {
      pairs.push([tokenHash(next), Number(token)]);
    }
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const items = new Int32Array(pairs.length * 2);
  let n = 0;
  for (let k = 0; k < pairs.length; k++) {
    const [unit, value] = pairs[k] as [number, number];
    if (n > 0 && items[n - 2] === unit && items[n - 1] === value) continue;
    items[n++] = unit;
    items[n++] = value;
  }
  return items.slice(0, n);
}

/** Score of source items a[aStart, aEnd) against reference items b[bStart, bEnd), both flattened [unit, value]
 *  pairs sorted by unit then value (see the head of this file). */
export function quantitiesScore(a: Int32Array, aStart: number, aEnd: number, b: Int32Array, bStart: number, bEnd: number): number {
  let agreeing = 0;
  let conflicting = 0;
  let i = aStart;
  let j = bStart;
  while (i < aEnd && j < bEnd) {
    const unitA = a[i] as number;
    const unitB = b[j] as number;
    if (unitA < unitB) i += 2;
    else if (unitA > unitB) j += 2;
    else {
      // The values of this unit on each side: [i, iEnd) and [j, jEnd), sorted; agree if any value is on both.
      let iEnd = i;
      while (iEnd < aEnd && a[iEnd] === unitA) iEnd += 2;
      let jEnd = j;
      while (jEnd < bEnd && b[jEnd] === unitB) jEnd += 2;
      let shared = false;
      for (let x = i, y = j; x < iEnd && y < jEnd && !shared; ) {
        const valueA = a[x + 1] as number;
        const valueB = b[y + 1] as number;
        if (valueA === valueB) shared = true;
        else if (valueA < valueB) x += 2;
        else y += 2;
      }
      if (shared) agreeing++;
      else conflicting++;
      i = iEnd;
      j = jEnd;
    }
  }
  if (agreeing + conflicting === 0) return -1;
  return conflicting === 0 ? 1 : agreeing === 0 ? 0 : 0.5;
}
