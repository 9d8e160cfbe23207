// date_range and numeric_range. Inside the tolerance the score falls linearly from 1 (equal) to 0.5 (exactly at
// the tolerance); beyond it the score is 0. A tolerance of 0 (the default) means "equal or nothing".
// The floor of 0.5 at the edge keeps "within tolerance" clearly above "outside" while still ranking closer values
// first.

function withinTolerance(difference: number, tolerance: number): number {
  if (difference === 0) return 1;
  if (!(tolerance > 0) || difference > tolerance) return 0;
  return 1 - (0.5 * difference) / tolerance;
}

/** Dates as day numbers (see normaliseDate). */
export function dateRangeScore(dayA: number, dayB: number, toleranceDays = 0): number {
  return withinTolerance(Math.abs(dayA - dayB), toleranceDays);
}

/** `tolerance` is absolute; `tolerancePct` is a percentage of the larger magnitude (10 → 10 %). When both are
 *  given, the more permissive one applies. */
export function numericRangeScore(a: number, b: number, tolerance = 0, tolerancePct = 0): number {
  const relative = (Math.max(Math.abs(a), Math.abs(b)) * (tolerancePct > 0 ? tolerancePct : 0)) / 100;
  const allowed = Math.max(tolerance > 0 ? tolerance : 0, relative);
  return withinTolerance(Math.abs(a - b), allowed);
}
