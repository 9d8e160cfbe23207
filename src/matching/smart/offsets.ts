// Systematic differences of dates and numbers between the two sides, learnt from the data: a bank posts a payment
// days after the ledger date (never before), a card fee makes the statement amount larger. A symmetric tolerance
// wide enough for those also accepts as many differences in the wrong direction, and one narrow enough to refuse
// them misses the matches.
//
// The differences are measured on pairs the other fields already identify: for each field, a source row's broad
// candidates are ranked again by the first EM fit without that field, and a pair counts when that fit alone gives it
// a posterior of at least CONFIDENT_POSTERIOR. (Without this, rows whose other fields tie, such as a subscription
// paid the same amount every month, would count whichever candidate the field itself preferred.) Then:
//
// - the window is the central part of their signed differences source − reference: from the WINDOW_TAIL quantile to
//   the 1 − WINDOW_TAIL quantile (observed values, so whole days stay whole); where most are equal, of the ones that
//   differ, with 0 added (amounts equal but for a fee on a few rows);
// - it replaces the default symmetric tolerance only when the differences have a direction: the sign test rejects
//   symmetry (SIGN_TEST_Z), and either most matches differ one way (a quartile beyond 0: at least three quarters of
//   them on one side), or the window is lopsided: at most LOPSIDED_SHARE of the symmetric window [−t, t] that
//   covers the same differences (halfway between symmetric, 1, and one-sided, ½).
//
// Symmetric noise (typos in a birth date, prices that differ either way) keeps the default tolerance. The rule reads
// dates in days, years in years and other numbers in percent of the larger magnitude, the units of each kind's
// comparator (comparator-choice.ts).

import { normaliseDate, normaliseNumber } from '../normalise';
import type { EngineRow, FieldMapping } from '../types';
import type { FieldProbabilities } from './em';
import type { FieldKindName } from './kinds';
import { MISSING, type ComparisonVectors, type PairSet } from './pairs';

/** Posterior (of the first fit, without the measured field) a pair needs to count as identified by the others. */
export const CONFIDENT_POSTERIOR = 0.9;
/** Share of the differences left outside the window on each side. */
export const WINDOW_TAIL = 0.025;
/** Pairs needed: enough that each tail quantile rests on at least one pair. */
export const MIN_CONFIDENT_PAIRS = Math.ceil(1 / WINDOW_TAIL);
/** The sign test's z (positive minus negative differences over √(non-zero ones)) that rejects symmetry:
 *  p ≈ 0.003 two-sided. */
export const SIGN_TEST_Z = 3;
/** A window this share (or less) of the symmetric window covering the same differences is lopsided. */
export const LOPSIDED_SHARE = 0.75;

export type DifferenceUnit = 'days' | 'years' | 'percent';

/** What was measured for one field, whether or not it set a window. */
export interface DifferenceMeasurement {
  unit: DifferenceUnit;
  /** pairs the other fields identify with both values present */
  pairs: number;
  /** shares of those pairs whose source value is larger (later), smaller (earlier), equal */
  larger: number;
  smaller: number;
  equal: number;
  /** the window quantiles (WINDOW_TAIL, 1 − WINDOW_TAIL), the quartiles and the median */
  low: number;
  high: number;
  lowerQuartile: number;
  median: number;
  upperQuartile: number;
  /** sign test statistic (larger − smaller) / √(larger + smaller), in pair counts */
  signZ: number;
  /** why the window was or was not taken */
  verdict: 'shifted' | 'lopsided' | 'symmetric' | 'too few pairs';
  /** the window set, when the differences have a direction */
  window: { min: number; max: number } | null;
}

export function differenceUnit(kind: FieldKindName): DifferenceUnit | null {
  if (kind === 'date') return 'days';
  if (kind === 'year') return 'years';
  if (kind === 'price' || kind === 'number') return 'percent';
  return null;
}

/** source − reference in the unit, or null when a value is missing. */
export function signedDifference(sourceValue: unknown, referenceValue: unknown, unit: DifferenceUnit, monthFirst: boolean): number | null {
  if (unit === 'days') {
    const s = normaliseDate(sourceValue, monthFirst);
    const r = normaliseDate(referenceValue, monthFirst);
    return s === null || r === null ? null : s - r;
  }
  const s = normaliseNumber(sourceValue);
  const r = normaliseNumber(referenceValue);
  if (s === null || r === null) return null;
  if (unit === 'years') return s - r;
  const magnitude = Math.max(Math.abs(s), Math.abs(r));
  return magnitude === 0 ? 0 : ((s - r) / magnitude) * 100;
}

/** Nearest-rank quantile of sorted values, rounded towards the outside for the upper half (an observed value). */
function quantile(sorted: number[], p: number): number {
  const at = p < 0.5 ? Math.floor(p * (sorted.length - 1)) : Math.ceil(p * (sorted.length - 1));
  return sorted[Math.min(sorted.length - 1, Math.max(0, at))] as number;
}

/** Percent ends are rounded outwards to a hundredth of a percent (what a person would write; never narrower). */
function outwards(x: number, unit: DifferenceUnit, up: boolean): number {
  if (unit !== 'percent') return x;
  const scaled = x * 100;
  return (up ? Math.ceil(scaled - 1e-9) : Math.floor(scaled + 1e-9)) / 100;
}

/** The rule of the module comment on one field's differences. */
export function measureDifferences(differences: number[], unit: DifferenceUnit): DifferenceMeasurement {
  const sorted = [...differences].sort((a, b) => a - b);
  const n = sorted.length;
  const larger = sorted.filter((d) => d > 0).length;
  const smaller = sorted.filter((d) => d < 0).length;
  const nonZero = larger + smaller;
  const base = {
    unit,
    pairs: n,
    larger: n === 0 ? 0 : larger / n,
    smaller: n === 0 ? 0 : smaller / n,
    equal: n === 0 ? 0 : (n - nonZero) / n,
    signZ: nonZero === 0 ? 0 : (larger - smaller) / Math.sqrt(nonZero),
  };
  if (n < MIN_CONFIDENT_PAIRS)
    return { ...base, low: 0, high: 0, lowerQuartile: 0, median: 0, upperQuartile: 0, verdict: 'too few pairs', window: null };
  // Where most values are equal, the window is read from the ones that differ (and holds 0): bank amounts equal but
  // for a card fee or a conversion on 4 % of rows got the window of the equal ones, [0, 0.11 %], narrower than every
  // fee; now [−1, 2.86] %.
  const mostlyEqual = nonZero > 0 && nonZero < n / 2;
  const spread = mostlyEqual ? sorted.filter((d) => d !== 0) : sorted;
  let low = outwards(quantile(spread, WINDOW_TAIL), unit, false);
  let high = outwards(quantile(spread, 1 - WINDOW_TAIL), unit, true);
  if (mostlyEqual) {
    low = Math.min(0, low);
    high = Math.max(0, high);
  }
  const lowerQuartile = quantile(sorted, 0.25);
  const upperQuartile = quantile(sorted, 0.75);
  const measured = { ...base, low, high, lowerQuartile, median: quantile(sorted, 0.5), upperQuartile };
  const directed = Math.abs(base.signZ) >= SIGN_TEST_Z;
  const shifted = lowerQuartile > 0 || upperQuartile < 0;
  const symmetricWidth = 2 * Math.max(Math.abs(low), Math.abs(high));
  const lopsided = symmetricWidth > 0 && high - low <= LOPSIDED_SHARE * symmetricWidth;
  const verdict = directed && shifted ? 'shifted' : directed && lopsided ? 'lopsided' : 'symmetric';
  return { ...measured, verdict, window: verdict === 'symmetric' ? null : { min: low, max: high } };
}

/**
 * For each source row's pairs (contiguous in `pairs`), the posterior of each pair under the fit without field
 * `without`: P(j) = e^{x_j} / (1 + Σ_k e^{x_k}), x = logit(λ) + Σ log(m/u) of the other fields (as em.ts's E-step).
 * Returns the pairs whose posterior reaches CONFIDENT_POSTERIOR.
 */
export function pairsIdentifiedWithout(
  pairs: PairSet,
  vectors: ComparisonVectors,
  fields: FieldProbabilities[],
  lambda: number,
  without: number,
): number[] {
  const F = vectors.fields;
  const prior = Math.log(lambda / (1 - lambda));
  const odds = new Float64Array(pairs.count);
  for (let i = 0; i < pairs.count; i++) {
    let x = prior;
    for (let f = 0; f < F; f++) {
      if (f === without) continue;
      const l = vectors.levels[i * F + f] as number;
      if (l === MISSING) continue;
      const field = fields[f] as FieldProbabilities;
      x += Math.log((field.m[l] as number) / (field.u[l] as number));
    }
    odds[i] = x;
  }
  const identified: number[] = [];
  for (let start = 0; start < pairs.count; ) {
    let end = start + 1;
    while (end < pairs.count && pairs.source[end] === pairs.source[start]) end++;
    let max = 0;
    for (let i = start; i < end; i++) max = Math.max(max, odds[i] as number);
    let denominator = Math.exp(-max);
    for (let i = start; i < end; i++) denominator += Math.exp((odds[i] as number) - max);
    for (let i = start; i < end; i++) if (Math.exp((odds[i] as number) - max) / denominator >= CONFIDENT_POSTERIOR) identified.push(i);
    start = end;
  }
  return identified;
}

/** The measurement of field f's differences on the pairs the other fields identify. */
export function measureField(
  mapping: FieldMapping,
  unit: DifferenceUnit,
  sourceRows: EngineRow[],
  referenceRows: EngineRow[],
  pairs: PairSet,
  identified: number[],
): DifferenceMeasurement {
  const monthFirst = mapping.options?.monthFirst === true;
  const differences: number[] = [];
  for (const i of identified) {
    const s = sourceRows[pairs.source[i] as number]?.values[mapping.source];
    const r = referenceRows[pairs.reference[i] as number]?.values[mapping.target];
    const d = signedDifference(s, r, unit, monthFirst);
    if (d !== null) differences.push(d);
  }
  return measureDifferences(differences, unit);
}

/** The measurement in words, for the rationale. */
export function describeMeasurement(m: DifferenceMeasurement): string {
  const unit = m.unit === 'percent' ? '%' : m.unit === 'days' ? ' days' : ' years';
  const [more, less, same] = m.unit === 'days' ? ['later', 'earlier', 'same day'] : ['larger', 'smaller', 'equal'];
  return (
    `source − reference on ${m.pairs} pairs the other fields identify: ${fmt(m.low)} to ${fmt(m.high)}${unit} for the central ` +
    `${Math.round((1 - 2 * WINDOW_TAIL) * 100)}% (median ${fmt(m.median)}${unit}; ${pct(m.larger)} ${more}, ${pct(m.smaller)} ${less}, ` +
    `${pct(m.equal)} ${same}; sign test z ${fmt(m.signZ)})`
  );
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function fmt(x: number): string {
  return String(Math.round(x * 100) / 100);
}
