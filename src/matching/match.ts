// Matching a slice of source rows against a reference index. A row's result depends only on that row and the
// index (candidates come from the index, scores are computed in a fixed order, ties go to the smaller reference
// id), so any split of the source into slices gives the same per-row results.
//
// Confidence of a pair = Σ wᵢ·sᵢ / Σ wᵢ over the mappings where both values are present (non-empty after
// normalisation; parseable for date/number kinds) and wᵢ > 0. When no mapping has both values, the pair has
// no evidence and is not a candidate at all.

import type { PreparedValue } from './fields';
import type { ReferenceIndex } from './index-build';
import type { Candidate, EngineRow, FieldEvidence, RowMatch, SliceResult } from './types';

export const TOP_CANDIDATES = 5;

export function matchSlice(index: ReferenceIndex, sourceRows: EngineRow[]): SliceResult {
  const fields = index.fields;
  const weights = fields.map((f) => (Number.isFinite(f.mapping.weight) && f.mapping.weight > 0 ? f.mapping.weight : 0));
  const threshold = Number.isFinite(index.config.threshold) ? index.config.threshold : 0;
  const collector = index.candidateCollector();
  const prepared: Array<PreparedValue | null> = new Array(fields.length);
  const topRows = new Int32Array(TOP_CANDIDATES);
  const topScores = new Float64Array(TOP_CANDIDATES);
  const rows: RowMatch[] = [];
  let rowsMatched = 0;
  let confidenceSum = 0;
  let pairsCompared = 0;

  for (const source of sourceRows) {
    const values = source.values ?? {};
    let anyPresent = false;
    for (let f = 0; f < fields.length; f++) {
      const p = weights[f] === 0 ? null : (fields[f] as (typeof fields)[number]).prepare(values[(fields[f] as (typeof fields)[number]).mapping.source]);
      prepared[f] = p;
      if (p !== null) anyPresent = true;
    }
    // A row with no comparable value cannot gain evidence from any candidate: skip blocking entirely.
    const candidateCount = anyPresent ? collector.collect(values) : 0;
    const candidates = collector.candidates;
    pairsCompared += candidateCount;

    let kept = 0;
    for (let c = 0; c < candidateCount; c++) {
      const ref = candidates[c] as number;
      let weighted = 0;
      let weightPresent = 0;
      for (let f = 0; f < fields.length; f++) {
        const p = prepared[f];
        if (p == null) continue;
        const s = (fields[f] as (typeof fields)[number]).score(p, ref);
        if (s < 0) continue;
        const w = weights[f] as number;
        weighted += w * s;
        weightPresent += w;
      }
      if (weightPresent === 0) continue;
      kept = offerTop(index, topRows, topScores, kept, ref, weighted / weightPresent);
    }

    const result = buildRowMatch(index, source, prepared, topRows, topScores, kept, threshold);
    if (result.referenceRowId !== null) rowsMatched++;
    confidenceSum += result.confidence;
    rows.push(result);
  }
  return { rows, stats: { rowsProcessed: sourceRows.length, rowsMatched, confidenceSum, pairsCompared } };
}

/** Insert (ref, score) into the sorted top list if it belongs there; returns the new length. Order: higher
 *  score first, then smaller reference id. */
function offerTop(index: ReferenceIndex, topRows: Int32Array, topScores: Float64Array, kept: number, ref: number, score: number): number {
  let at = kept;
  while (at > 0) {
    const s = topScores[at - 1] as number;
    if (s > score || (s === score && index.compareIds(topRows[at - 1] as number, ref) < 0)) break;
    at--;
  }
  if (at >= TOP_CANDIDATES) return kept;
  const last = kept < TOP_CANDIDATES ? kept : TOP_CANDIDATES - 1;
  for (let k = last; k > at; k--) {
    topRows[k] = topRows[k - 1] as number;
    topScores[k] = topScores[k - 1] as number;
  }
  topRows[at] = ref;
  topScores[at] = score;
  return kept < TOP_CANDIDATES ? kept + 1 : kept;
}

function buildRowMatch(
  index: ReferenceIndex, source: EngineRow, prepared: Array<PreparedValue | null>,
  topRows: Int32Array, topScores: Float64Array, kept: number, threshold: number,
): RowMatch {
  const candidates: Candidate[] = [];
  for (let k = 0; k < kept; k++) {
    candidates.push({ referenceRowId: index.referenceId(topRows[k] as number), confidence: topScores[k] as number });
  }
  const best = candidates[0];
  const evidence: FieldEvidence[] = [];
  if (best !== undefined) {
    const bestRow = topRows[0] as number;
    const values = source.values ?? {};
    index.fields.forEach((field, f) => {
      const p = prepared[f];
      const score = p == null ? -1 : field.score(p, bestRow);
      const { source: sourceColumn, target, strategy } = field.mapping;
      evidence.push({
        source: sourceColumn,
        target,
        strategy,
        score: score < 0 ? null : score,
        sourceValue: values[sourceColumn] ?? null,
        referenceValue: field.referenceValue(bestRow),
      });
    });
  }
  const confidence = best?.confidence ?? 0;
  return {
    sourceRowId: String(source.id),
    referenceRowId: best !== undefined && confidence >= threshold ? best.referenceRowId : null,
    confidence,
    evidence,
    candidates,
  };
}
