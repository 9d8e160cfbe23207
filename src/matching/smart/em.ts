// Fellegi–Sunter weights without labels. u (P(level | non-match)) comes from random pairs, where matches are
// negligible; m (P(level | match)) and λ (the share of matches among the candidate pairs) are estimated by
// expectation–maximisation on blocked pairs, with u fixed (as Splink does). Labels do not enter here: they are best
// candidates of known class, and enter the refit on best candidates (best-candidate.ts, see generate.ts).
//
// A source row has at most one true match. With `groups` (the source row of each pair) the E-step says so
// directly: a row's pairs share one unit of match probability, P(j) = e^{x_j} / (1 + Σ_k e^{x_k}), so a cluster
// of merely similar pairs (same city, same brand) cannot pass for matches. Besides, λ is capped at (source rows) / (pairs): without the cap, pairs that
// are merely similar (blocked pairs are more alike than random ones) can make "everything matches" the best fit
// when few fields carry evidence. Pairs with the same comparison vector are fitted once (weighted by count).

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
  /** distinct comparison vectors fitted */
  patterns: number;
}

/** Pseudo-count added to every level (keeps log Bayes factors finite when a level is never seen). */
export const SMOOTHING = 0.5;

/** Level frequencies over pairs (missing values skipped), smoothed. `pairs`: only these (−1 skipped); `extra`:
 *  counts added per field and level. */
export function levelFrequencies(vectors: ComparisonVectors, levelCounts: number[], pairs?: Int32Array, extra?: number[][]): number[][] {
  const counts = levelCounts.map((n, f) => Array.from({ length: n }, (_, l) => SMOOTHING + (extra?.[f]?.[l] ?? 0)));
  const count = pairs?.length ?? vectors.count;
  for (let k = 0; k < count; k++) {
    const i = pairs === undefined ? k : (pairs[k] as number);
    if (i < 0) continue;
    for (let f = 0; f < vectors.fields; f++) {
      const l = vectors.levels[i * vectors.fields + f] as number;
      if (l !== MISSING) (counts[f] as number[])[l] = ((counts[f] as number[])[l] as number) + 1;
    }
  }
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

interface Patterns {
  fields: number;
  /** levels of pattern p at p·fields + f */
  levels: Int8Array;
  counts: Float64Array;
  /** pattern of each pair */
  ofPair: Int32Array;
}

function aggregate(vectors: ComparisonVectors): Patterns {
  const F = vectors.fields;
  const index = new Map<string, number>();
  const ofPair = new Int32Array(vectors.count);
  const levels: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < vectors.count; i++) {
    const row = vectors.levels.subarray(i * F, (i + 1) * F);
    const key = row.join(',');
    let p = index.get(key);
    if (p === undefined) {
      p = counts.length;
      index.set(key, p);
      counts.push(0);
      for (const l of row) levels.push(l);
    }
    counts[p] = (counts[p] as number) + 1;
    ofPair[i] = p;
  }
  return { fields: F, levels: Int8Array.from(levels), counts: Float64Array.from(counts), ofPair };
}

/** Posterior of each pair under the fitted model (per source row normalised when grouped). */
function pairPosteriors(
  vectors: ComparisonVectors,
  patterns: Patterns,
  lambda: number,
  fields: FieldProbabilities[],
  groups: Int32Array | undefined,
): Float64Array {
  const odds = Float64Array.from({ length: patterns.counts.length }, (_, p) => patternLogOdds(patterns, p, lambda, fields));
  const posteriors = new Float64Array(vectors.count);
  if (groups === undefined) {
    for (let i = 0; i < vectors.count; i++) posteriors[i] = 1 / (1 + Math.exp(-(odds[patterns.ofPair[i] as number] as number)));
    return posteriors;
  }
  return rowPosteriors(odds, patterns.ofPair, groups, posteriors);
}

/**
 * At most one match per source row: P(pair j) = e^{x_j} / (1 + Σ_k e^{x_k}) over the row's pairs (contiguous, with
 * the same `groups` entry), x = the log-odds of the pair's pattern. Written into `out` (one entry per pair).
 */
function rowPosteriors(odds: Float64Array, ofPair: Int32Array, groups: Int32Array, out: Float64Array): Float64Array {
  const count = out.length;
  for (let start = 0; start < count; ) {
    let end = start + 1;
    while (end < count && groups[end] === groups[start]) end++;
    let max = 0;
    for (let i = start; i < end; i++) max = Math.max(max, odds[ofPair[i] as number] as number);
    let denominator = Math.exp(-max);
    for (let i = start; i < end; i++) denominator += Math.exp((odds[ofPair[i] as number] as number) - max);
    for (let i = start; i < end; i++) out[i] = Math.exp((odds[ofPair[i] as number] as number) - max) / denominator;
    start = end;
  }
  return out;
}

function patternLogOdds(patterns: Patterns, p: number, lambda: number, fields: FieldProbabilities[]): number {
  let x = Math.log(lambda / (1 - lambda));
  for (let f = 0; f < patterns.fields; f++) {
    const l = patterns.levels[p * patterns.fields + f] as number;
    if (l === MISSING) continue;
    const field = fields[f] as FieldProbabilities;
    x += Math.log((field.m[l] as number) / (field.u[l] as number));
  }
  return x;
}

export function expectationMaximisation(
  vectors: ComparisonVectors,
  u: number[][],
  options: {
    initialLambda: number;
    maxLambda?: number;
    maxIterations?: number;
    tolerance?: number;
    /** source row of each pair (pairs of a row contiguous): posteriors are then normalised per source row */
    groups?: Int32Array;
  },
): EmResult {
  const F = vectors.fields;
  const levelCounts = u.map((x) => x.length);
  const fields: FieldProbabilities[] = u.map((uf, f) => ({ m: initialM(levelCounts[f] as number), u: uf }));
  const maxLambda = Math.min(options.maxLambda ?? 0.999, 0.999);
  const clamp = (x: number) => Math.min(Math.max(x, 1e-6), maxLambda);
  let lambda = clamp(options.initialLambda);
  const maxIterations = options.maxIterations ?? 300;
  const tolerance = options.tolerance ?? 1e-6;
  const patterns = aggregate(vectors);
  const patternCount = patterns.counts.length;
  const patternOdds = new Float64Array(patternCount);
  const patternMass = new Float64Array(patternCount);
  const pairMass = new Float64Array(options.groups === undefined ? 0 : vectors.count);
  const groups = options.groups;
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations && !converged; iterations++) {
    // E-step
    let matchMass = 0;
    const counts = levelCounts.map((n) => new Array<number>(n).fill(SMOOTHING * 0.01));
    for (let p = 0; p < patternCount; p++) patternOdds[p] = patternLogOdds(patterns, p, lambda, fields);
    patternMass.fill(0);
    if (groups === undefined) {
      for (let p = 0; p < patternCount; p++) patternMass[p] = (patterns.counts[p] as number) / (1 + Math.exp(-(patternOdds[p] as number)));
    } else {
      rowPosteriors(patternOdds, patterns.ofPair, groups, pairMass);
      for (let i = 0; i < vectors.count; i++) {
        const p = patterns.ofPair[i] as number;
        patternMass[p] = (patternMass[p] as number) + (pairMass[i] as number);
      }
    }
    for (let p = 0; p < patternCount; p++) {
      const mass = patternMass[p] as number;
      matchMass += mass;
      for (let f = 0; f < F; f++) {
        const l = patterns.levels[p * F + f] as number;
        if (l !== MISSING) (counts[f] as number[])[l] = ((counts[f] as number[])[l] as number) + mass;
      }
    }
    // M-step
    const nextLambda = clamp(vectors.count === 0 ? lambda : matchMass / vectors.count);
    let change = Math.abs(nextLambda - lambda);
    lambda = nextLambda;
    counts.forEach((c, f) => {
      const total = c.reduce((a, b) => a + b, 0);
      const field = fields[f] as FieldProbabilities;
      c.forEach((x, l) => {
        const m = Math.max(total > 0 ? x / total : (field.m[l] as number), 1e-6);
        change = Math.max(change, Math.abs(m - (field.m[l] as number)));
        field.m[l] = m;
      });
    });
    converged = change < tolerance;
  }
  const posteriors = pairPosteriors(vectors, patterns, lambda, fields, groups);
  return { fields, lambda, iterations, converged, posteriors, patterns: patternCount };
}
