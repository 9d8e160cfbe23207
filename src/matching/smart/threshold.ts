// Threshold and review band from the fitted model. Without labels: the threshold maximises the F1 the model
// expects on the sample (each source row's best candidate is a true match with its posterior probability p, so
// predicting the rows with p ≥ t expects Σ p true positives among them, out of Σ p over all rows).

import { finiteProbability, logit, sigmoid } from '../match';

const GRID = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);

export interface ThresholdChoice {
  threshold: number;
  rule: string;
  expectedF1: number;
  expectedMatches: number;
}

/** `best`: per source row, the posterior of its best candidate (rows without candidates: 0). */
export function expectedF1Threshold(best: Float64Array): ThresholdChoice {
  let total = 0;
  for (const p of best) total += p;
  let bestT = 0.5;
  let bestF1 = -1;
  for (const t of GRID) {
    let tp = 0;
    let predicted = 0;
    for (const p of best) {
      if (p >= t) {
        tp += p;
        predicted++;
      }
    }
    const f1 = predicted + total === 0 ? 0 : (2 * tp) / (predicted + total);
    // Ties go to the threshold closest to 0.5 (the Bayes decision for equal costs).
    if (f1 > bestF1 + 1e-12 || (Math.abs(f1 - bestF1) <= 1e-12 && Math.abs(t - 0.5) < Math.abs(bestT - 0.5))) {
      bestF1 = f1;
      bestT = t;
    }
  }
  return {
    threshold: bestT,
    rule: "maximises the F1 expected under the model on the sample (a row's best candidate is a match with its posterior probability); grid 0.05…0.95, ties to the value nearest 0.5",
    expectedF1: bestF1,
    expectedMatches: total,
  };
}
/**
 * The log-odds offset, the same for every row, that makes `posteriors` expect no more than `maxMatches` matches
 * (0 when they already do): Σ sigmoid(logit(p) + δ) = maxMatches, δ ≤ 0. Posteriors that expect more matches than
 * the data can hold are overconfident as a whole (EM's u, measured on second-best candidates, misses how close a
 * wrong best candidate comes when most source rows have no match); the offset calibrates them to that bound.
 */
export function offsetToExpectedMatches(posteriors: ArrayLike<number>, maxMatches: number): number {
  const logits = Array.from(posteriors, (p) => logit(finiteProbability(p)));
  const expected = (offset: number) => logits.reduce((sum, x) => sum + sigmoid(x + offset), 0);
  if (expected(0) <= maxMatches) return 0;
  let low = -60;
  let high = 0;
  for (let k = 0; k < 60; k++) {
    const middle = (low + high) / 2;
    if (expected(middle) > maxMatches) high = middle;
    else low = middle;
  }
  return (low + high) / 2;
}

/** `p` with `offset` added to its log-odds (offsetToExpectedMatches); kept away from 0 and 1 so both stay finite. */
export function withLogOddsOffset(p: number, offset: number): number {
  const finite = finiteProbability(p);
  return offset === 0 ? finite : sigmoid(logit(finite) + offset);
}

/** Review band: posteriors where the model is less than ~90 % sure either way — between 0.2·t and
 *  t + 0.8·(1 − t) (t = 0.5 gives [0.1, 0.9]), so the threshold is always inside. The review pass pays off that
 *  far out: against [0.4·t, t + 0.6·(1 − t)] it added F1 on Walmart-Amazon (0.784 → 0.789) and on 14 of 16 sweep
 *  points of the synthetic sets (bibliographic +0.004 to +0.010), and lost at most 0.001 (people_messy, 2,000 rows). */
export function reviewBandAround(threshold: number): { low: number; high: number; rule: string } {
  return {
    low: round(0.2 * threshold),
    high: round(threshold + 0.8 * (1 - threshold)),
    rule: 'posterior in [0.2·threshold, threshold + 0.8·(1 − threshold)] (threshold 0.5 → [0.1, 0.9]): the model is less than ~90% sure either way',
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
