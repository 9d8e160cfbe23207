// The decision a run makes is about each source row's best candidate: is it the row's match, or only the most
// similar of non-matches? On real data most rows may have no match at all, and then their best candidate is a
// similar product, a relative, a neighbour — far more alike than the random pairs u is measured on. A model
// fitted with random-pair u calls those matches (Walmart-Amazon: 0.96 matches per source row estimated where
// 0.39 is true).
//
// So the model is fitted again on the best candidates alone, as a two-class mixture: matches, and best-but-wrong
// candidates. u is fixed to the level shares of each row's second-best candidate (a non-match but for the few rows
// with two matches, and about as alike as a wrong best one); m and λ come from EM, so λ is the share of source rows
// that have a match, estimated from the data. (With u free as well, EM wandered: Walmart-Amazon 0.63, synthetic
// products 0.80 instead of 0.70 and 0.89.) Log Bayes factors are made monotone in the similarity order of the
// levels (pool-adjacent-violators, weighted by level mass), so a closer agreement never counts less than a looser
// one.

import { marginLevel } from '../match';
import type { EngineRow } from '../types';
import { levelFrequencies, SMOOTHING } from './em';
import { MISSING, type ComparisonVectors, type PairSet } from './pairs';

const MAX_ITERATIONS = 200;

export interface BestCandidateFit {
  /** m and u per field and level */
  m: number[][];
  u: number[][];
  /** share of source rows whose best candidate is a match */
  lambda: number;
  logBayesFactors: number[][];
  iterations: number;
  /** posterior of each best pair */
  posteriors: Float64Array;
  /** best pairs fitted (sample rows with a candidate) */
  rows: number;
}

/** Index (into `pairs`) of each source row's best and second-best pair by summed log Bayes factors; −1 where a row
 *  has none. */
export function bestPairPerRow(
  pairs: PairSet,
  vectors: ComparisonVectors,
  logBayesFactors: number[][],
  rows: number,
): { best: Int32Array; second: Int32Array } {
  const best = new Int32Array(rows).fill(-1);
  const second = new Int32Array(rows).fill(-1);
  const bestScore = new Float64Array(rows).fill(-Infinity);
  const secondScore = new Float64Array(rows).fill(-Infinity);
  for (let i = 0; i < pairs.count; i++) {
    const s = pairs.source[i] as number;
    const x = pairScore(vectors, i, logBayesFactors);
    if (x > (bestScore[s] as number)) {
      second[s] = best[s] as number;
      secondScore[s] = bestScore[s] as number;
      bestScore[s] = x;
      best[s] = i;
    } else if (x > (secondScore[s] as number)) {
      secondScore[s] = x;
      second[s] = i;
    }
  }
  return { best, second };
}

/** The pairs the model was refitted on, for evidence measured beside it (identical values, variant words). */
export interface RefitSample {
  sourceRows: EngineRow[];
  referenceRows: EngineRow[];
  pairs: PairSet;
  /** each sample source row's best and second-best pair (indices into `pairs`, −1: none) */
  best: Int32Array;
  second: Int32Array;
  /** the match posterior of each best pair, in the order of the rows that have one */
  posteriors: Float64Array;
}

/**
 * m and u of an evidence the refit's pairs show in `levels` levels (`level`: a pair's level, null when missing):
 * m among the best pairs weighted by their posterior, u among the second-best ones; smoothed like EM's.
 */
export function refitLevelShares(
  levels: number,
  level: (pair: number) => number | null,
  { best, second, posteriors }: RefitSample,
): { m: number[]; u: number[] } {
  const m = new Array<number>(levels).fill(SMOOTHING);
  const u = new Array<number>(levels).fill(SMOOTHING);
  let k = 0;
  for (const pair of best) {
    if (pair < 0) continue;
    const p = posteriors[k++] as number;
    const l = level(pair);
    if (l !== null) m[l] = (m[l] as number) + p;
  }
  for (const pair of second) {
    if (pair < 0) continue;
    const l = level(pair);
    if (l !== null) u[l] = (u[l] as number) + 1;
  }
  const share = (x: number[]) => {
    const total = x.reduce((a, b) => a + b, 0);
    return x.map((v) => v / total);
  };
  return { m: share(m), u: share(u) };
}

/** Reviews as comparison vectors: each one best pair of known class, counting as one pair. */
export interface LabelledVectors {
  vectors: ComparisonVectors;
  /** 1 approved, 0 rejected, per pair */
  match: Uint8Array;
}

/** Level counts of the labels with the given verdict (1 approved, 0 rejected). */
function labelLevelCounts(labels: LabelledVectors | undefined, verdict: 0 | 1, levelCounts: number[]): number[][] {
  const counts = levelCounts.map((n) => new Array<number>(n).fill(0));
  if (labels === undefined) return counts;
  const F = labels.vectors.fields;
  for (let i = 0; i < labels.vectors.count; i++) {
    if (labels.match[i] !== verdict) continue;
    for (let f = 0; f < F; f++) {
      const l = labels.vectors.levels[i * F + f] as number;
      if (l !== MISSING) (counts[f] as number[])[l] = ((counts[f] as number[])[l] as number) + 1;
    }
  }
  return counts;
}

/** A level that matches reach no more often than chance does, among the pairs of it and `pooledWith`: its m is
 *  that pool's m times `share`, the level's share of the pool among random pairs. A sibling's code: when a match's
 *  two codes do not agree, they are written differently, which resembles a sibling's code no more than two
 *  unrelated codes do; EM alone counts siblings, which agree on everything else, as matches. */
export interface ChanceTie {
  field: number;
  level: number;
  pooledWith: number;
  share: number;
}

/** EM over the best pairs (`best`: pair indices, −1 skipped): m and λ free, u fixed to the level frequencies of the
 *  second-best pairs (`second`), which are non-matches but for the few rows with two matches, and as alike as the
 *  best-but-wrong candidates of rows without a match. */
export function fitBestCandidates(
  vectors: ComparisonVectors,
  best: Int32Array,
  second: Int32Array,
  levelCounts: number[],
  startM: number[][],
  startLambda: number,
  labels?: LabelledVectors,
  chanceTies: ChanceTie[] = [],
): BestCandidateFit {
  const F = vectors.fields;
  const rows = Array.from(best).filter((i) => i >= 0);
  const m = startM.map((x) => [...x]);
  // Reviews are decisions on best candidates: an approval is a match among them, a rejection a best-but-wrong
  // candidate, which is what u describes here (unlike random-pair u, where rejections do not belong).
  const approved = labelLevelCounts(labels, 1, levelCounts);
  const u = levelFrequencies(vectors, levelCounts, second, labelLevelCounts(labels, 0, levelCounts));
  let lambda = Math.min(0.95, Math.max(0.05, startLambda));
  const posteriors = new Float64Array(rows.length);
  let iterations = 0;
  for (; iterations < MAX_ITERATIONS; iterations++) {
    const mCounts = approved.map((c) => c.map((x) => x + SMOOTHING));
    const uCounts = levelCounts.map((n) => new Array<number>(n).fill(SMOOTHING));
    let matchMass = 0;
    rows.forEach((pair, k) => {
      let x = Math.log(lambda / (1 - lambda));
      for (let f = 0; f < F; f++) {
        const l = vectors.levels[pair * F + f] as number;
        if (l !== MISSING) x += Math.log(((m[f] as number[])[l] as number) / ((u[f] as number[])[l] as number));
      }
      const p = 1 / (1 + Math.exp(-x));
      posteriors[k] = p;
      matchMass += p;
      for (let f = 0; f < F; f++) {
        const l = vectors.levels[pair * F + f] as number;
        if (l === MISSING) continue;
        (mCounts[f] as number[])[l] = ((mCounts[f] as number[])[l] as number) + p;
        (uCounts[f] as number[])[l] = ((uCounts[f] as number[])[l] as number) + 1 - p;
      }
    });
    let change = 0;
    const next = Math.min(0.999, Math.max(0.001, rows.length === 0 ? lambda : matchMass / rows.length));
    change = Math.abs(next - lambda);
    lambda = next;
    for (let f = 0; f < F; f++) {
      for (const [target, counts] of [[m, mCounts]] as const) {
        const c = counts[f] as number[];
        const total = c.reduce((a, b) => a + b, 0);
        c.forEach((x, l) => {
          const value = x / total;
          change = Math.max(change, Math.abs(value - ((target[f] as number[])[l] as number)));
          (target[f] as number[])[l] = value;
        });
      }
    }
    for (const tie of chanceTies) {
      const mf = m[tie.field] as number[];
      const pooled = (mf[tie.level] as number) + (mf[tie.pooledWith] as number);
      mf[tie.level] = pooled * tie.share;
      mf[tie.pooledWith] = pooled * (1 - tie.share);
    }
    if (change < 1e-6) break;
  }
  const logBayesFactors = m.map((mf, f) =>
    monotoneDecreasing(
      mf.map((x, l) => Math.log(x / ((u[f] as number[])[l] as number))),
      mf.map((x, l) => x + ((u[f] as number[])[l] as number)),
    ),
  );
  return { m, u, lambda, logBayesFactors, iterations, posteriors, rows: rows.length };
}

/** The closest non-increasing sequence (pool-adjacent-violators, weighted): levels are in decreasing similarity. */
export function monotoneDecreasing(values: number[], weights: number[]): number[] {
  const blocks: Array<{ value: number; weight: number; size: number }> = [];
  values.forEach((value, i) => {
    blocks.push({ value, weight: Math.max(weights[i] as number, 1e-12), size: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const before = blocks[blocks.length - 2]!;
      if (before.value >= last.value) break;
      const weight = before.weight + last.weight;
      blocks.splice(blocks.length - 2, 2, {
        value: (before.value * before.weight + last.value * last.weight) / weight,
        weight,
        size: before.size + last.size,
      });
    }
  });
  return blocks.flatMap((b) => new Array<number>(b.size).fill(b.value));
}

/**
 * Of the match mass among best pairs (Σ posterior), the share whose reference row has no better claimant: no other
 * source row whose best pair is the same reference row with a higher score. Near 1 when each reference row is
 * matched once (one-to-one); with k source rows per reference row (duplicates of one original) only 1/k of the
 * matches can be the best claimant, so it falls to ½ and below.
 */
export function bestClaimantShare(
  pairs: PairSet,
  vectors: ComparisonVectors,
  best: Int32Array,
  posteriors: Float64Array,
  logBayesFactors: number[][],
): number {
  const claimant = new Map<number, { pair: number; score: number }>();
  for (const pair of best) {
    if (pair < 0) continue;
    const r = pairs.reference[pair] as number;
    const score = pairScore(vectors, pair, logBayesFactors);
    const current = claimant.get(r);
    if (current === undefined || score > current.score) claimant.set(r, { pair, score });
  }
  let mass = 0;
  let claimed = 0;
  let k = 0;
  for (const pair of best) {
    if (pair < 0) continue;
    const p = posteriors[k++] as number;
    mass += p;
    if (claimant.get(pairs.reference[pair] as number)?.pair === pair) claimed += p;
  }
  return mass === 0 ? 1 : claimed / mass;
}

function pairScore(vectors: ComparisonVectors, pair: number, logBayesFactors: number[][]): number {
  let x = 0;
  for (let f = 0; f < vectors.fields; f++) {
    const l = vectors.levels[pair * vectors.fields + f] as number;
    if (l !== MISSING) x += (logBayesFactors[f] as number[])[l] as number;
  }
  return x;
}

/** Margin levels (log-odds the best candidate leads the next by), descending; below the last: the last. */
export const MARGIN_LEVELS = [6, 3, 1.5, 0.5, 0];

/**
 * The margin counts half, as the whole-record text does (record-model.ts): it re-reads the field evidence. A best
 * candidate with a high score leads the next by much more often than one with a low score, so margin and score
 * are not independent given the class, and counted whole the margin made the top posteriors overconfident: with
 * the title alone (walmart_amazon_titles), best candidates at posterior ≥ 0.9 were right 63 % of the time, and the
 * expected-F1 threshold, read from those posteriors, sat above the best one. Halved: titles-only 0.524 → 0.546;
 * over a sweep of sizes (1,000 to 8,000) and seeds: bank_transactions +0.001 to +0.016, products +0.003 to
 * +0.006, people_messy −0.002 to +0.003, bibliographic −0.002 to −0.005; amazon_walmart +0.004. Walmart-Amazon,
 * by the reference rows generation samples (6,000; 10,000 as the service does; 12,000; all 22,074 as with any
 * reference under 10,000 rows): 0.792, 0.803, 0.804, 0.794 counted whole; 0.796, 0.801, 0.808, 0.811 halved.
 */
export const MARGIN_DAMPING = 0.5;

export interface MarginFit {
  levels: number[];
  m: number[];
  u: number[];
  logBayesFactors: number[];
  lambda: number;
  /** posterior of each best pair with the margin counted */
  posteriors: Float64Array;
}

/**
 * The margin's Bayes factors, by EM over the best pairs with the field evidence held fixed (`logBayesFactors`,
 * already fitted): each best pair's margin over its row's second pair is one more comparison, whose m and u are
 * both free (no other pairs show how a best-but-wrong candidate leads). λ is refitted with it. With `fixed`, the
 * margin's m and u are those and only λ is fitted. Its log Bayes factors count MARGIN_DAMPING of log m/u, in the
 * fit's posteriors as in the model.
 */
export function fitMargin(
  vectors: ComparisonVectors,
  best: Int32Array,
  second: Int32Array,
  logBayesFactors: number[][],
  startLambda: number,
  fixed?: Pick<MarginFit, 'm' | 'u'>,
): MarginFit {
  const L = MARGIN_LEVELS.length;
  const evidence: number[] = [];
  const level: number[] = [];
  best.forEach((pair, s) => {
    if (pair < 0) return;
    const score = pairScore(vectors, pair, logBayesFactors);
    const next = second[s] as number;
    const margin = next < 0 ? Number.POSITIVE_INFINITY : score - pairScore(vectors, next, logBayesFactors);
    evidence.push(score);
    level.push(marginLevel(MARGIN_LEVELS, margin));
  });
  let lambda = Math.min(0.999, Math.max(0.001, startLambda));
  let m = fixed?.m ?? new Array<number>(L).fill(1 / L);
  let u = fixed?.u ?? new Array<number>(L).fill(1 / L);
  const posteriors = new Float64Array(evidence.length);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const mCounts = new Array<number>(L).fill(SMOOTHING);
    const uCounts = new Array<number>(L).fill(SMOOTHING);
    let mass = 0;
    for (let i = 0; i < evidence.length; i++) {
      const l = level[i] as number;
      const x = Math.log(lambda / (1 - lambda)) + (evidence[i] as number) + MARGIN_DAMPING * Math.log((m[l] as number) / (u[l] as number));
      const p = 1 / (1 + Math.exp(-x));
      posteriors[i] = p;
      mass += p;
      mCounts[l] = (mCounts[l] as number) + p;
      uCounts[l] = (uCounts[l] as number) + 1 - p;
    }
    const mTotal = mCounts.reduce((a, b) => a + b, 0);
    const uTotal = uCounts.reduce((a, b) => a + b, 0);
    const nextM = fixed === undefined ? mCounts.map((x) => x / mTotal) : m;
    const nextU = fixed === undefined ? uCounts.map((x) => x / uTotal) : u;
    const nextLambda = Math.min(0.999, Math.max(0.001, evidence.length === 0 ? lambda : mass / evidence.length));
    const change = Math.max(
      Math.abs(nextLambda - lambda),
      ...nextM.map((x, l) => Math.abs(x - (m[l] as number))),
      ...nextU.map((x, l) => Math.abs(x - (u[l] as number))),
    );
    m = nextM;
    u = nextU;
    lambda = nextLambda;
    if (change < 1e-6) break;
  }
  const marginFactors = monotoneDecreasing(
    m.map((x, l) => Math.log(x / (u[l] as number))),
    m.map((x, l) => x + (u[l] as number)),
  ).map((x) => MARGIN_DAMPING * x);
  return { levels: MARGIN_LEVELS, m, u, logBayesFactors: marginFactors, lambda, posteriors };
}
