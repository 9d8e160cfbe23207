// Matching a slice of source rows against a reference index. A row's result depends only on that row and the
// index (candidates come from the index, scores are computed in a fixed order, ties go to the smaller reference
// id), so any split of the source into slices gives the same per-row results.
//
// Confidence of a pair = Σ wᵢ·sᵢ / Σ wᵢ over the mappings where both values are present (non-empty after
// normalisation; parseable for date/number kinds) and wᵢ > 0, summed heaviest field first. When no mapping has
// both values, the pair has no evidence and is not a candidate at all.
//
// With a Fellegi–Sunter model (config.model) a pair's score is instead its log-odds of being a match,
// logit(prior) + Σ log BF(level of field f's score) over the fields present on both sides, and confidence is
// sigmoid(log-odds). The compact result then holds log-odds in topScores (ranking by log-odds is ranking by
// probability, without the ties that rounding probabilities near 1 would create); expandSliceResult converts.
//
// The core produces a compact result (typed arrays: top-5 reference row numbers and scores, per-field scores
// of the best pair), which worker threads hand back without copying; expandSliceResult turns it into RowMatch
// objects with ids and evidence values.

import { columnsRead } from './blocking';
import { fieldWeights, scoringOrder, type FieldScorer, type PreparedValue } from './fields';
import { decidedResult, decisionsByRow } from './decisions';
import type { ReferenceIndex } from './index-build';
import { compositesOf, mappingCell, NormalisedRow } from './normalised-row';
import {
  TOP_CANDIDATES,
  type Candidate,
  type EngineRow,
  type FieldEvidence,
  type MatchConfig,
  type RowMatch,
  type SliceResult,
  type SliceStats,
} from './types';

/** Confidences are rounded to this many decimals once, where results are made: the value stored and shown is the
 *  value decided on (0.7999999999999999 would show as 0.800 and still fall below a 0.8 threshold). */
const CONFIDENCE_DECIMALS = 6;

export function roundConfidence(confidence: number): number {
  const f = 10 ** CONFIDENCE_DECIMALS;
  return Math.round(confidence * f) / f;
}

export interface CompactSliceResult {
  rowCount: number;
  fieldCount: number;
  /** source row r's candidates are topRows/topScores[r·5 .. r·5 + topCount[r]), best first; topScores are
   *  confidences, or log-odds when the index's config has a model (see confidenceOf) */
  topRows: Int32Array;
  topScores: Float64Array;
  topCount: Uint8Array;
  /** fieldScores[r·fieldCount + f]: field f's score against row r's best candidate; NaN = missing / none */
  fieldScores: Float64Array;
  stats: SliceStats;
}

export interface MatchOptions {
  rowScorer?: boolean;
  rowIngest?: boolean;
  /** Reference rows to leave out (exclude[row] = 1): rows deleted or replaced since the index was built (live-index.ts). */
  exclude?: Uint8Array;
}

/** `options.rowScorer` / `options.rowIngest` (default true): score rows / normalise and hash source rows in
 *  WebAssembly where the config allows (row-scorer.ts, row-ingest.ts); false: in JavaScript (the tests compare). */
export function matchSliceCompact(index: ReferenceIndex, sourceRows: EngineRow[], options: MatchOptions = {}): CompactSliceResult {
  const fields = index.fields;
  const fieldCount = fields.length;
  const weights = fieldWeights(fields);
  const order = scoringOrder(weights);
  const remaining = new Float64Array(fieldCount + 1);
  const threshold = Number.isFinite(index.config.threshold) ? index.config.threshold : 0;
  const collector = index.candidateCollector();
  const prepared: Array<PreparedValue | null> = new Array(fieldCount);
  const n = sourceRows.length;
  const topRows = new Int32Array(n * TOP_CANDIDATES);
  const topScores = new Float64Array(n * TOP_CANDIDATES);
  const topCount = new Uint8Array(n);
  const fieldScores = new Float64Array(n * fieldCount).fill(Number.NaN);
  const stats: SliceStats = { rowsProcessed: n, rowsMatched: 0, confidenceSum: 0, pairsCompared: 0 };
  const mappings = fields.map((f) => f.mapping);
  const cells = new NormalisedRow(columnsRead(mappings, index.data.blocking.keys, 'source'), compositesOf(mappings, 'source'));
  // Field scores of the pair being scored (NaN = missing). A pair that reaches the top list was scored on every
  // field (pruning only drops pairs that cannot enter it), so the best pair's scores are copied from here
  // instead of scoring it again.
  const pairScores = new Float64Array(fieldCount);
  const model = index.config.model === undefined ? null : compileModel(index.config.model, fieldCount, weights);
  const rowScorer = options.rowScorer === false || model !== null ? null : index.rowScorer();
  // Made before the row loop: V8 optimises this function while the loop runs (on-stack replacement), and code
  // after the loop that never ran has no type feedback, so building the result there deoptimised it on exit.
  const result: CompactSliceResult = { rowCount: n, fieldCount, topRows, topScores, topCount, fieldScores, stats };

  const ingest = options.rowIngest === false ? null : index.sourceIngest();
  const exclude = options.exclude;
  const unused = fieldsLeftOut(weights, model);
  const matchRow = (r: number, batchRow: number): void => {
    // batchRow ≥ 0: the row's normal texts and key hashes were made in WebAssembly with its batch (row-ingest.ts).
    const made = batchRow >= 0 ? ingest : null;
    if (made === null) cells.reset((sourceRows[r] as EngineRow).values);
    let anyPresent = false;
    for (let f = 0; f < fieldCount; f++) {
      const field = fields[f] as FieldScorer;
      const column = field.mapping.source;
      const at = batchRow * fieldCount + f;
      const p = unused[f]
        ? null
        : made !== null
          ? field.prepareCodes(made.textCodes, at === 0 ? 0 : (made.textEnds[at - 1] as number), made.textEnds[at] as number)
          : field.prepare(cells.raw(column), cells.text(column));
      prepared[f] = p;
      if (p !== null) anyPresent = true;
    }
    // A row with no comparable value cannot gain evidence from any candidate: skip blocking entirely.
    let candidateCount = 0;
    if (anyPresent) {
      candidateCount =
        made === null
          ? collector.collect(cells)
          : collector.collectHashes(
              made.hashes,
              batchRow === 0 ? 0 : (made.rowEnds[batchRow - 1] as number),
              made.rowEnds[batchRow] as number,
            );
    }
    const candidates = collector.candidates;
    if (exclude !== undefined) {
      // Left-out rows are dropped before scoring (the collector's marks are by epoch, so compacting is safe).
      let kept = 0;
      for (let i = 0; i < candidateCount; i++) {
        const row = candidates[i] as number;
        if (exclude[row] !== 1) candidates[kept++] = row;
      }
      candidateCount = kept;
    }
    stats.pairsCompared += candidateCount;

    const base = r * TOP_CANDIDATES;
    let kept = 0;
    if (model !== null) {
      kept = scoreCandidatesWithModel(
        index,
        model,
        prepared,
        candidates,
        candidateCount,
        topRows,
        topScores,
        base,
        fieldScores,
        r * fieldCount,
        pairScores,
      );
      if (model.margin !== null) addMargins(model.margin, topScores, base, kept);
      topCount[r] = kept;
      if (kept === 0) return;
      const probability = roundConfidence(sigmoid(topScores[base] as number));
      stats.confidenceSum += probability;
      if (probability >= threshold) stats.rowsMatched++;
      return;
    }
    kept =
      rowScorer === null
        ? -1
        : rowScorer.score(prepared, candidates, candidateCount, topRows, topScores, base, fieldScores, r * fieldCount);
    if (kept < 0)
      kept = scoreCandidates(
        index,
        order,
        weights,
        remaining,
        prepared,
        candidates,
        candidateCount,
        topRows,
        topScores,
        base,
        fieldScores,
        r * fieldCount,
        pairScores,
      );
    rowDone(r, kept);
  };
  const rowDone = (r: number, kept: number): void => {
    topCount[r] = kept;
    if (kept === 0) return;
    const confidence = roundConfidence(topScores[r * TOP_CANDIDATES] as number);
    stats.confidenceSum += confidence;
    if (confidence >= threshold) stats.rowsMatched++;
  };
  if (ingest === null) for (let r = 0; r < n; r++) matchRow(r, -1);
  else {
    ingest.visitRows(
      sourceRows,
      (first, count) => {
        // The whole batch in one kernel call when the row scorer can take it (row-scorer.ts's matchBatch).
        // (Not with left-out rows: the kernel collects candidates itself.)
        const batch = rowScorer === null || exclude !== undefined ? null : rowScorer.matchBatch(ingest, count);
        if (batch === null) {
          for (let i = 0; i < count; i++) matchRow(first + i, i);
          return;
        }
        topRows.set(batch.topRows, first * TOP_CANDIDATES);
        topScores.set(batch.topScores, first * TOP_CANDIDATES);
        fieldScores.set(batch.fieldScores, first * fieldCount);
        for (let i = 0; i < count; i++) {
          const kept = batch.status[i] as number;
          if (kept < 0) matchRow(first + i, i);
          else {
            stats.pairsCompared += batch.pairs[i] as number;
            rowDone(first + i, kept);
          }
        }
      },
      (r) => matchRow(r, -1),
    );
  }
  return result;
}

/** Fields that take no part in scoring (weight 0; with a model, no usable model entry): never prepared, so their
 *  value counts as missing. */
function fieldsLeftOut(weights: readonly number[], model: CompiledModel | null): boolean[] {
  return weights.map((weight, f) => weight === 0 || (model !== null && !model.used[f]));
}

/**
 * The per-field scores of one source row against the given reference rows (row numbers of `index`), as
 * matchSliceCompact scores a pair: the same preparation of the source values, the same field scorers, the same
 * fields left out. One array per reference row, in the order given, with one entry per field (mapping order, as
 * RowMatch.evidence); null where the field did not count (missing on either side, or left out of scoring).
 * matchSliceCompact keeps these for the best pair only; this gives them for any candidate, for a few pairs at a
 * time (it prepares the source row again: not for a hot loop).
 */
export function fieldScoresAgainst(
  index: ReferenceIndex,
  sourceRow: EngineRow,
  referenceRows: ArrayLike<number>,
): Array<Array<number | null>> {
  const fields = index.fields;
  const weights = fieldWeights(fields);
  const model = index.config.model === undefined ? null : compileModel(index.config.model, fields.length, weights);
  const unused = fieldsLeftOut(weights, model);
  const mappings = fields.map((field) => field.mapping);
  const cells = new NormalisedRow([], compositesOf(mappings, 'source')).reset(sourceRow.values);
  const scores: Array<Array<number | null>> = Array.from({ length: referenceRows.length }, () => []);
  // Field by field: a scorer's prepared value is only valid until its next prepare().
  fields.forEach((field, f) => {
    const column = field.mapping.source;
    const prepared = unused[f] ? null : field.prepare(cells.raw(column), cells.text(column));
    for (let k = 0; k < referenceRows.length; k++) {
      const score = prepared === null ? -1 : field.score(prepared, referenceRows[k] as number);
      (scores[k] as Array<number | null>).push(score < 0 ? null : score);
    }
  });
  return scores;
}

/** Scores a source row's candidates into the top list at `base` (weighted confidences; see the head of this
 *  file); returns how many were kept. The best pair's field scores go to fieldScores at `fieldBase`. */
function scoreCandidates(
  index: ReferenceIndex,
  order: Int32Array,
  weights: number[],
  remaining: Float64Array,
  prepared: Array<PreparedValue | null>,
  candidates: Int32Array,
  candidateCount: number,
  topRows: Int32Array,
  topScores: Float64Array,
  base: number,
  fieldScores: Float64Array,
  fieldBase: number,
  pairScores: Float64Array,
): number {
  const fields = index.fields;
  const fieldCount = fields.length;
  remainingFrom(order, prepared, weights, remaining);
  let kept = 0;
  candidateLoop: for (let c = 0; c < candidateCount; c++) {
    const ref = candidates[c] as number;
    let weighted = 0;
    let weightPresent = 0;
    pairScores.fill(Number.NaN);
    for (let k = 0; k < fieldCount; k++) {
      // Exact pruning: once the top list is full, stop as soon as even perfect scores on every remaining field
      // ((weighted + rest) / (present + rest), the most the pair can still reach, missing fields included)
      // stay below the 5th best. Pruned pairs could not have entered the top list, so results are unchanged.
      if (kept === TOP_CANDIDATES && k > 0) {
        const rest = remaining[k] as number;
        if ((weighted + rest) / (weightPresent + rest) < (topScores[base + TOP_CANDIDATES - 1] as number)) continue candidateLoop;
      }
      const f = order[k] as number;
      const p = prepared[f];
      if (p == null) continue;
      const s = (fields[f] as FieldScorer).score(p, ref);
      if (s < 0) continue;
      pairScores[f] = s;
      const w = weights[f] as number;
      weighted += w * s;
      weightPresent += w;
    }
    if (weightPresent === 0) continue;
    kept = offerTop(index, topRows, topScores, base, kept, ref, weighted / weightPresent);
    if (topRows[base] === ref) fieldScores.set(pairScores, fieldBase); // the new best pair
  }
  return kept;
}

/** remaining[k] = the sum of `perField` over the fields with a source value from position k of `order` on: the
 *  most the fields not scored yet can add (pruning's bound). */
function remainingFrom(
  order: Int32Array,
  prepared: Array<PreparedValue | null>,
  perField: ArrayLike<number>,
  remaining: Float64Array,
): void {
  remaining[order.length] = 0;
  for (let k = order.length - 1; k >= 0; k--) {
    const f = order[k] as number;
    remaining[k] = (remaining[k + 1] as number) + (prepared[f] == null ? 0 : (perField[f] as number));
  }
}

/** Insert (ref, score) into the sorted top list at `base` if it belongs there; returns the new length.
 *  Order: higher score first, then smaller reference id. */
function offerTop(
  index: ReferenceIndex,
  topRows: Int32Array,
  topScores: Float64Array,
  base: number,
  kept: number,
  ref: number,
  score: number,
): number {
  let at = kept;
  while (at > 0) {
    const s = topScores[base + at - 1] as number;
    if (s > score || (s === score && index.compareIds(topRows[base + at - 1] as number, ref) < 0)) break;
    at--;
  }
  if (at >= TOP_CANDIDATES) return kept;
  const last = kept < TOP_CANDIDATES ? kept : TOP_CANDIDATES - 1;
  for (let k = last; k > at; k--) {
    topRows[base + k] = topRows[base + k - 1] as number;
    topScores[base + k] = topScores[base + k - 1] as number;
  }
  topRows[base + at] = ref;
  topScores[base + at] = score;
  return kept < TOP_CANDIDATES ? kept + 1 : kept;
}

/** RowMatch objects (ids, evidence values, candidates) from a compact result of the same rows. */
export function expandSliceResult(index: ReferenceIndex, sourceRows: EngineRow[], compact: CompactSliceResult): SliceResult {
  const threshold = Number.isFinite(index.config.threshold) ? index.config.threshold : 0;
  const toConfidence = index.config.model === undefined ? (score: number) => score : sigmoid;
  const decisions = decisionsByRow(index.config);
  const stats = { ...compact.stats };
  const rows: RowMatch[] = new Array(compact.rowCount);
  for (let r = 0; r < compact.rowCount; r++) {
    const source = sourceRows[r] as EngineRow;
    const base = r * TOP_CANDIDATES;
    const kept = compact.topCount[r] as number;
    const candidates: Candidate[] = [];
    for (let k = 0; k < kept; k++) {
      candidates.push({
        referenceRowId: index.referenceId(compact.topRows[base + k] as number),
        confidence: roundConfidence(toConfidence(compact.topScores[base + k] as number)),
      });
    }
    const best = candidates[0];
    const evidence =
      best === undefined
        ? []
        : evidenceAgainst(index, source, compact.topRows[base] as number, (f) => compact.fieldScores[r * compact.fieldCount + f] as number);
    const confidence = best?.confidence ?? 0;
    const row: RowMatch = {
      sourceRowId: String(source.id),
      referenceRowId: best !== undefined && confidence >= threshold ? best.referenceRowId : null,
      confidence,
      evidence,
      candidates,
    };
    const decided = decisions?.get(row.sourceRowId);
    if (decided === undefined) {
      rows[r] = row;
      continue;
    }
    const result = decidedResult(index, row, decided, threshold, (referenceRow) => {
      const scores = fieldScoresAgainst(index, source, [referenceRow])[0] as Array<number | null>;
      return evidenceAgainst(index, source, referenceRow, (f) => scores[f] ?? Number.NaN);
    });
    stats.rowsMatched += Number(result.referenceRowId !== null) - Number(row.referenceRowId !== null);
    stats.confidenceSum += result.confidence - row.confidence;
    rows[r] = result;
  }
  return { rows, stats };
}

/** Evidence of a pair per mapping: `score(f)` is field f's score (NaN: missing). */
function evidenceAgainst(index: ReferenceIndex, source: EngineRow, referenceRow: number, score: (f: number) => number): FieldEvidence[] {
  const values = source.values ?? {};
  return index.fields.map((field, f) => {
    const s = score(f);
    const { source: sourceColumn, target, strategy } = field.mapping;
    return {
      source: sourceColumn,
      target,
      strategy,
      score: Number.isNaN(s) ? null : s,
      sourceValue: mappingCell(field.mapping, values, 'source') ?? null,
      referenceValue: field.referenceValue(referenceRow),
    };
  });
}

export function matchSlice(index: ReferenceIndex, sourceRows: EngineRow[], options: MatchOptions = {}): SliceResult {
  return expandSliceResult(index, sourceRows, matchSliceCompact(index, sourceRows, options));
}

// ------------------------------------------------------------------------------------ Fellegi–Sunter scoring

export function sigmoid(logOdds: number): number {
  return 1 / (1 + Math.exp(-logOdds));
}

export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** `p` kept at least 1e-12 away from 0 and 1, so its logit is finite. */
export function finiteProbability(p: number): number {
  return Math.min(1 - 1e-12, Math.max(1e-12, p));
}

/** The log Bayes factor of a comparator score: its level's, or with `interpolate` (ModelField.interpolate) the
 *  piecewise-linear one through each level's midpoint (the top level reaches up to 1), flat beyond the outermost
 *  midpoints. It stays between the factors of the score's level and a neighbour's, so it never exceeds the largest
 *  (pruning stays exact) and is monotone when the factors are. A score below every level counts 0. */
export function scoreLogBayesFactor(levels: ArrayLike<number>, factors: ArrayLike<number>, score: number, interpolate: boolean): number {
  const level = levelOf(levels, score);
  if (level < 0) return 0;
  const factor = factors[level] as number;
  if (!interpolate) return factor;
  const here = levelMidpoint(levels, level);
  const neighbour = score >= here ? level - 1 : level + 1;
  if (neighbour < 0 || neighbour >= levels.length) return factor;
  const there = levelMidpoint(levels, neighbour);
  return factor + ((score - here) / (there - here)) * ((factors[neighbour] as number) - factor);
}

/** The middle of level `l`'s score range (the top level's reaches up to 1). */
function levelMidpoint(levels: ArrayLike<number>, l: number): number {
  return ((levels[l] as number) + (l === 0 ? 1 : (levels[l - 1] as number))) / 2;
}

/** Index of the level a comparator score falls in (the first whose minimum it reaches), or −1 for none. */
export function levelOf(levels: ArrayLike<number>, score: number): number {
  for (let l = 0; l < levels.length; l++) if (score >= (levels[l] as number)) return l;
  return -1;
}

/** The level of a candidate's margin over the best other candidate (see FellegiSunterModel.margin): the first
 *  whose minimum it reaches, the last when it reaches none. */
export function marginLevel(levels: ArrayLike<number>, margin: number): number {
  const l = levelOf(levels, margin);
  return l < 0 ? levels.length - 1 : l;
}

/** Adds each kept candidate's margin Bayes factor to its log-odds. Margins are taken before any is added; the
 *  best candidate has the largest margin and the factors do not fall with it, so the order stays. */
function addMargins(
  margin: { levels: Float64Array; logBayesFactors: Float64Array },
  topScores: Float64Array,
  base: number,
  kept: number,
): void {
  if (kept === 0) return;
  const best = topScores[base] as number;
  const second = kept > 1 ? (topScores[base + 1] as number) : Number.NEGATIVE_INFINITY;
  for (let k = kept - 1; k >= 0; k--) {
    const score = topScores[base + k] as number;
    const level = marginLevel(margin.levels, k === 0 ? score - second : score - best);
    topScores[base + k] = score + (margin.logBayesFactors[level] as number);
  }
}

interface CompiledModel {
  margin: { levels: Float64Array; logBayesFactors: Float64Array } | null;
  priorLogOdds: number;
  /** fields with a usable model entry and weight > 0 */
  used: boolean[];
  levels: Float64Array[];
  logBayesFactors: Float64Array[];
  /** 1 where the field's factors are interpolated between levels (ModelField.interpolate) */
  interpolate: Uint8Array;
  /** the largest log BF a field can add (at least 0: a missing reference value adds 0) */
  maxGain: Float64Array;
  /** fields by decreasing spread of their log BFs (ties: mapping order), so pruning bites early */
  order: Int32Array;
  remainingGain: Float64Array;
}

function compileModel(model: NonNullable<MatchConfig['model']>, fieldCount: number, weights: number[]): CompiledModel {
  const prior = Number.isFinite(model.prior) ? finiteProbability(model.prior) : 0.5;
  const used: boolean[] = [];
  const levels: Float64Array[] = [];
  const logBayesFactors: Float64Array[] = [];
  const interpolate = new Uint8Array(fieldCount);
  const maxGain = new Float64Array(fieldCount);
  const spread = new Float64Array(fieldCount);
  for (let f = 0; f < fieldCount; f++) {
    const entry = model.fields?.[f];
    const ok =
      entry !== undefined &&
      Array.isArray(entry.levels) &&
      Array.isArray(entry.logBayesFactors) &&
      entry.levels.length > 0 &&
      entry.levels.length === entry.logBayesFactors.length &&
      entry.logBayesFactors.every(Number.isFinite) &&
      (weights[f] as number) > 0;
    used.push(ok);
    levels.push(Float64Array.from(ok ? entry.levels : []));
    logBayesFactors.push(Float64Array.from(ok ? entry.logBayesFactors : []));
    if (ok) {
      interpolate[f] = entry.interpolate === true ? 1 : 0;
      maxGain[f] = Math.max(0, ...entry.logBayesFactors);
      spread[f] = Math.max(...entry.logBayesFactors) - Math.min(0, ...entry.logBayesFactors);
    }
  }
  const order = Int32Array.from({ length: fieldCount }, (_, f) => f).sort((a, b) => (spread[b] as number) - (spread[a] as number) || a - b);
  const m = model.margin;
  const marginOk =
    m !== undefined &&
    Array.isArray(m.levels) &&
    m.levels.length > 0 &&
    m.levels.length === m.logBayesFactors?.length &&
    m.logBayesFactors.every(Number.isFinite);
  return {
    margin: marginOk ? { levels: Float64Array.from(m.levels), logBayesFactors: Float64Array.from(m.logBayesFactors) } : null,
    priorLogOdds: logit(prior),
    used,
    levels,
    logBayesFactors,
    interpolate,
    maxGain,
    order,
    remainingGain: new Float64Array(fieldCount + 1),
  };
}

/** Scores a source row's candidates by log-odds into the top list at `base`; returns how many were kept.
 *  Pruning is exact: once the list is full, a pair stops when even the best level on every remaining field
 *  could not lift it to the 5th best. */
function scoreCandidatesWithModel(
  index: ReferenceIndex,
  model: CompiledModel,
  prepared: Array<PreparedValue | null>,
  candidates: Int32Array,
  candidateCount: number,
  topRows: Int32Array,
  topScores: Float64Array,
  base: number,
  fieldScores: Float64Array,
  fieldBase: number,
  pairScores: Float64Array,
): number {
  const fields = index.fields;
  const fieldCount = fields.length;
  const { order, remainingGain, maxGain, levels, logBayesFactors, interpolate } = model;
  remainingFrom(order, prepared, maxGain, remainingGain);
  let kept = 0;
  candidateLoop: for (let c = 0; c < candidateCount; c++) {
    const ref = candidates[c] as number;
    let logOdds = model.priorLogOdds;
    let present = 0;
    pairScores.fill(Number.NaN);
    for (let k = 0; k < fieldCount; k++) {
      if (kept === TOP_CANDIDATES && k > 0 && logOdds + (remainingGain[k] as number) < (topScores[base + TOP_CANDIDATES - 1] as number))
        continue candidateLoop;
      const f = order[k] as number;
      const p = prepared[f];
      if (p == null) continue;
      const s = (fields[f] as FieldScorer).score(p, ref);
      if (s < 0) continue;
      pairScores[f] = s;
      present++;
      logOdds += scoreLogBayesFactor(levels[f] as Float64Array, logBayesFactors[f] as Float64Array, s, interpolate[f] === 1);
    }
    if (present === 0) continue;
    kept = offerTop(index, topRows, topScores, base, kept, ref, logOdds);
    if (topRows[base] === ref) fieldScores.set(pairScores, fieldBase);
  }
  return kept;
}
