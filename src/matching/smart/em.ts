// Fellegi–Sunter weights without labels. u (P(level | non-match)) comes from random pairs, where matches are
// negligible; m (P(level | match)) and λ (the share of matches among the candidate pairs) are estimated by
// expectation–maximisation on blocked pairs, with u fixed (as Splink does). Labelled pairs join with fixed
// responsibilities (1 approved, 0 rejected) and a weight each; rejected labels also count towards u, since they
// are known non-matches that blocking brought together (the ones random pairs under-represent).

import { MISSING, type ComparisonVectors } from './pairs';

export interface FieldProbabilities {
  m: number[];
  u: number[];
}

export interface EmResult {
  fields: FieldProbabilities[];
  lambda: number;
  iterations: number;
  converged: boolean;
  /** posterior match probability of each pair under the fitted model */
  posteriors: Float64Array;
}

export interface LabelledVectors {
  vectors: ComparisonVectors;
  /** 1 approved, 0 rejected, per pair */
  match: Uint8Array;
  /** weight of each label relative to one unlabelled pair */
  weight: number;
}

/** Pseudo-count added to every level (keeps log Bayes factors finite when a level is never seen). */
const SMOOTHING = 0.5;

/** Level frequencies over pairs (missing values skipped), smoothed. */
export function levelFrequencies(vectors: ComparisonVectors, levelCounts: number[], extra?: { vectors: ComparisonVectors; include: (i: number) => boolean; weight: number }): number[][] {
  const counts = levelCounts.map((n) => new Array<number>(n).fill(SMOOTHING));
  const add = (v: ComparisonVectors, i: number, w: number) => {
    for (let f = 0; f < v.fields; f++) {
      const l = v.levels[i * v.fields + f] as number;
      if (l !== MISSING) (counts[f] as number[])[l] = ((counts[f] as number[])[l] as number) + w;
    }
  };
  for (let i = 0; i < vectors.count; i++) add(vectors, i, 1);
  if (extra) for (let i = 0; i < extra.vectors.count; i++) if (extra.include(i)) add(extra.vectors, i, extra.weight);
  return counts.map((c) => {
    const total = c.reduce((a, b) => a + b, 0);
    return c.map((x) => x / total);
  });
}

/** Starting m: most matches agree at the top level, the rest spread downwards. */
export function initialM(levelCount: number): number[] {
  const m = Array.from({ length: levelCount }, (_, l) => (l === 0 ? 0.75 : 0.25 * 2 ** -l));
  const total = m.reduce((a, b) => a + b, 0);
  return m.map((x) => x / total);
}

export function logOddsOf(vectors: ComparisonVectors, i: number, lambda: number, fields: FieldProbabilities[]): number {
  let x = Math.log(lambda / (1 - lambda));
  for (let f = 0; f < vectors.fields; f++) {
    const l = vectors.levels[i * vectors.fields + f] as number;
    if (l === MISSING) continue;
    const p = fields[f] as FieldProbabilities;
    x += Math.log((p.m[l] as number) / (p.u[l] as number));
  }
  return x;
}

export function expectationMaximisation(
  vectors: ComparisonVectors,
  u: number[][],
  options: { initialLambda: number; labels?: LabelledVectors; maxIterations?: number; tolerance?: number },
): EmResult {
  const F = vectors.fields;
  const levelCounts = u.map((x) => x.length);
  const fields: FieldProbabilities[] = u.map((uf, f) => ({ m: initialM(levelCounts[f] as number), u: uf }));
  let lambda = clamp(options.initialLambda);
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-6;
  const posteriors = new Float64Array(vectors.count);
  const labels = options.labels;
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations && !converged; iterations++) {
    // E-step
    let matchMass = 0;
    const counts = levelCounts.map((n) => new Array<number>(n).fill(SMOOTHING * 0.01));
    for (let i = 0; i < vectors.count; i++) {
      const p = 1 / (1 + Math.exp(-logOddsOf(vectors, i, lambda, fields)));
      posteriors[i] = p;
      matchMass += p;
      for (let f = 0; f < F; f++) {
        const l = vectors.levels[i * F + f] as number;
        if (l !== MISSING) (counts[f] as number[])[l] = ((counts[f] as number[])[l] as number) + p;
      }
    }
    if (labels) {
      for (let i = 0; i < labels.vectors.count; i++) {
        if (labels.match[i] !== 1) continue;
        for (let f = 0; f < F; f++) {
          const l = labels.vectors.levels[i * F + f] as number;
          if (l !== MISSING) (counts[f] as number[])[l] = ((counts[f] as number[])[l] as number) + labels.weight;
        }
      }
    }
    // M-step (labels do not move λ: they are not a random sample of the candidate pairs)
    let change = 0;
    const nextLambda = clamp(vectors.count === 0 ? lambda : matchMass / vectors.count);
    change = Math.max(change, Math.abs(nextLambda - lambda));
    lambda = nextLambda;
    counts.forEach((c, f) => {
      const total = c.reduce((a, b) => a + b, 0);
      const field = fields[f] as FieldProbabilities;
      c.forEach((x, l) => {
        const m = total > 0 ? x / total : (field.m[l] as number);
        change = Math.max(change, Math.abs(m - (field.m[l] as number)));
        field.m[l] = Math.max(m, 1e-6);
      });
    });
    converged = change < tolerance;
  }
  for (let i = 0; i < vectors.count; i++) posteriors[i] = 1 / (1 + Math.exp(-logOddsOf(vectors, i, lambda, fields)));
  return { fields, lambda, iterations, converged, posteriors };
}

function clamp(lambda: number): number {
  return Math.min(Math.max(lambda, 1e-6), 0.999);
}
