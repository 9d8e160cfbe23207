// Threshold and review band from the fitted model. Without labels: the threshold maximises the F1 the model
// expects on the sample (each source row's best candidate is a true match with its posterior probability p, so
// predicting the rows with p ≥ t expects Σ p true positives among them, out of Σ p over all rows). With at least
// MIN_LABELS_PER_CLASS approved and rejected labels, the threshold maximises F1 on the labels instead.

export const MIN_LABELS_PER_CLASS = 5;
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
    rule: 'maximises the F1 expected under the model on the sample (a row\'s best candidate is a match with its posterior probability); grid 0.05…0.95, ties to the value nearest 0.5',
    expectedF1: bestF1,
    expectedMatches: total,
  };
}

/** Label F1 within this of the best counts as a tie: reviewed labels are few and sit near the old threshold, so
 *  the one-label differences between neighbouring thresholds are noise. */
export const LABEL_F1_TOLERANCE = 0.02;

/** Threshold maximising F1 on labelled pairs (`probability` under the fitted model), or null with too few labels.
 *  Among thresholds within LABEL_F1_TOLERANCE of the best label F1, the one nearest `prior` (the model's own
 *  threshold) wins. */
export function labelF1Threshold(probability: number[], match: boolean[], prior = 0.5): { threshold: number; f1: number } | null {
  const positives = match.filter((m) => m).length;
  const negatives = match.length - positives;
  if (positives < MIN_LABELS_PER_CLASS || negatives < MIN_LABELS_PER_CLASS) return null;
  const sorted = [...new Set(probability)].sort((a, b) => a - b);
  // Candidate thresholds: midpoints between consecutive distinct probabilities (and the extremes).
  const candidates = [sorted[0] as number, ...sorted.slice(1).map((p, i) => (p + (sorted[i] as number)) / 2), 1];
  const scored: Array<{ threshold: number; f1: number }> = [];
  for (const t of candidates) {
    let tp = 0;
    let fp = 0;
    probability.forEach((p, i) => {
      if (p >= t) {
        if (match[i]) tp++;
        else fp++;
      }
    });
    scored.push({ threshold: t, f1: tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + (positives - tp)) });
  }
  const bestF1 = Math.max(...scored.map((x) => x.f1));
  let best = { threshold: prior, f1: -1 };
  for (const x of scored) {
    if (x.f1 < bestF1 - LABEL_F1_TOLERANCE) continue;
    if (best.f1 < 0 || Math.abs(x.threshold - prior) < Math.abs(best.threshold - prior)) best = x;
  }
  return best;
}

/** Review band: posteriors where the model is unsure — between 0.4·t and t + 0.6·(1 − t) (t = 0.5 gives
 *  [0.2, 0.8]), so the threshold is always inside. */
export function reviewBandAround(threshold: number): { low: number; high: number; rule: string } {
  return {
    low: round(0.4 * threshold),
    high: round(threshold + 0.6 * (1 - threshold)),
    rule: 'posterior in [0.4·threshold, threshold + 0.6·(1 − threshold)] (threshold 0.5 → [0.2, 0.8]): the model is less than ~80% sure either way',
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
