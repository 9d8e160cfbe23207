// date_range and numeric_range. Inside the tolerance the score falls linearly from 1 (equal) to 0.5 (exactly at
// the tolerance); beyond it the score is 0. A tolerance of 0 (the default) means "equal or nothing".
// The floor of 0.5 at the edge keeps "within tolerance" clearly above "outside" while still ranking closer values
// first.
//
// A window instead of a tolerance says in which direction the two sides differ: the signed difference
// source − reference is expected in [min, max] (a bank posts 0 to 5 days after the ledger date; a card fee makes
// the statement amount larger). The score has the same shape on each side of the window's best point, the
// difference in the window nearest 0 (0 itself when the window holds it, as equal values are the best agreement):
// 1 there, 0.5 at either end, 0 outside. The window [−t, t] scores exactly like the tolerance t.

function withinTolerance(difference: number, tolerance: number): number {
  if (difference === 0) return 1;
  if (!(tolerance > 0) || difference > tolerance) return 0;
  return 1 - (0.5 * difference) / tolerance;
}

/** `slack` absorbs the rounding of binary floating point (100.01 − 100 is 0.010000000000005116): a difference
 *  within it of the best point or of an end counts as there. */
export function windowScore(difference: number, min: number, max: number, slack = 0): number {
  const best = Math.min(Math.max(0, min), max);
  const off = Math.abs(difference - best);
  if (off <= slack) return 1;
  const extent = difference > best ? max - best : best - min;
  if (!(extent > 0) || off > extent + slack) return 0;
  return 1 - (0.5 * Math.min(off, extent)) / extent;
}

/** Dates as day numbers (see normaliseDate). */
export function dateRangeScore(dayA: number, dayB: number, toleranceDays = 0): number {
  return withinTolerance(Math.abs(dayA - dayB), toleranceDays);
}

/** The source date `sourceDay` is expected between `minDays` and `maxDays` days after `referenceDay` (negative:
 *  before). Day numbers are whole, so no slack is needed. */
export function dateWindowScore(sourceDay: number, referenceDay: number, minDays: number, maxDays: number): number {
  return windowScore(sourceDay - referenceDay, minDays, maxDays);
}

/** `tolerance` is absolute; `tolerancePct` is a percentage of the larger magnitude (10 → 10 %). When both are
 *  given, the more permissive one applies. */
export function numericRangeScore(a: number, b: number, tolerance = 0, tolerancePct = 0): number {
  const relative = (Math.max(Math.abs(a), Math.abs(b)) * (tolerancePct > 0 ? tolerancePct : 0)) / 100;
  const allowed = Math.max(tolerance > 0 ? tolerance : 0, relative);
  return withinTolerance(Math.abs(a - b), allowed);
}

/** Relative rounding error allowed in a numeric window's comparisons (far above a subtraction's, far below any
 *  meaningful difference). */
const NUMERIC_SLACK = 1e-9;

/** An expected range of source − reference for numbers. NaN = that part not given. An absolute part
 *  [min, max] and a part in percent of the larger magnitude [minPct, maxPct] may both be given: on each side the
 *  more permissive applies (a card fee of up to 3.00, and conversions of ±1 %). */
export interface NumericWindow {
  min: number;
  max: number;
  minPct: number;
  maxPct: number;
}

export function numericWindowScore(source: number, reference: number, window: NumericWindow): number {
  const magnitude = Math.max(Math.abs(source), Math.abs(reference));
  let min = window.min;
  let max = window.max;
  // biome-ignore lint/suspicious/noSelfCompare: NaN test (the part is not given)
  if (window.minPct === window.minPct) {
    const minRelative = (window.minPct * magnitude) / 100;
    const maxRelative = (window.maxPct * magnitude) / 100;
    // biome-ignore lint/suspicious/noSelfCompare: NaN test (the absolute part is not given)
    min = min === min ? Math.min(min, minRelative) : minRelative;
    // biome-ignore lint/suspicious/noSelfCompare: NaN test
    max = max === max ? Math.max(max, maxRelative) : maxRelative;
  }
  return windowScore(source - reference, min, max, NUMERIC_SLACK * Math.max(1, magnitude));
}
