// Review decisions a plan keeps (MatchConfig.decisions): a pair a reviewer called a match is its source row's match,
// with confidence 1, whatever the scores say; a pair called not a match is never proposed again, and the row takes
// its next candidate (a match only at or above the threshold); a row called without a match has none, with
// confidence 0 and no candidates. They are applied where results are made (expandSliceResult), so a run of the plan,
// its review pass (a decided row is outside every band) and one-to-one assignment (a decided match has the highest
// confidence; a rejected pair or a row without a match offers no candidate) all follow them.
// Decisions name rows by id: they carry over to runs over the same rows.

import type { ReferenceIndex } from './index-build';
import { TOP_CANDIDATES, type Candidate, type MatchConfig, type RowMatch } from './types';

interface RowDecisions {
  /** the pair decided a match most recently, unless the row was decided without a match since */
  match: string | null;
  /** the row was decided without a match, and no pair decided a match since */
  noMatch: boolean;
  /** pairs decided not a match (most recently) */
  rejected: Set<string>;
}

const compiled = new WeakMap<MatchConfig, Map<string, RowDecisions>>();

/** The decisions of a config by source row id (built once per config object). */
export function decisionsByRow(config: MatchConfig): Map<string, RowDecisions> | null {
  if (config.decisions === undefined || config.decisions.length === 0) return null;
  let byRow = compiled.get(config);
  if (byRow !== undefined) return byRow;
  byRow = new Map();
  const seen = new Set<string>();
  // Latest first: a pair's first decision is its current one, and so is a row's first match or "no match".
  for (const { sourceRowId, referenceRowId, match } of config.decisions) {
    const pair = JSON.stringify([sourceRowId, referenceRowId]);
    if (seen.has(pair)) continue;
    seen.add(pair);
    let row = byRow.get(sourceRowId);
    if (row === undefined) byRow.set(sourceRowId, (row = { match: null, noMatch: false, rejected: new Set() }));
    const settled = row.match !== null || row.noMatch;
    if (referenceRowId === null) row.noMatch ||= !settled;
    else if (!match) row.rejected.add(referenceRowId);
    else if (!settled) row.match = referenceRowId;
  }
  compiled.set(config, byRow);
  return byRow;
}

/** What each decided row's result is when it follows its decisions: its decided match, or no match (null). Rows
 *  with only rejected pairs have no such result (their next candidate is the model's, not a reviewer's). */
export function decidedOutcomes(config: MatchConfig): Array<{ sourceRowId: string; referenceRowId: string | null }> {
  const outcomes: Array<{ sourceRowId: string; referenceRowId: string | null }> = [];
  for (const [sourceRowId, row] of decisionsByRow(config) ?? []) {
    if (row.noMatch) outcomes.push({ sourceRowId, referenceRowId: null });
    else if (row.match !== null) outcomes.push({ sourceRowId, referenceRowId: row.match });
  }
  return outcomes;
}

/**
 * The result of a source row as its decisions make it: the decided match first with confidence 1 (when the index
 * holds that reference row), rejected pairs dropped, the rest of the candidates in their order; a row decided
 * without a match has neither match nor candidates. `evidenceOf` gives
 * the evidence of another best candidate than the row's own.
 */
export function decidedResult(
  index: ReferenceIndex,
  row: RowMatch,
  decisions: RowDecisions,
  threshold: number,
  evidenceOf: (referenceRow: number) => RowMatch['evidence'],
): RowMatch {
  if (decisions.noMatch) return { sourceRowId: row.sourceRowId, referenceRowId: null, confidence: 0, evidence: [], candidates: [] };
  const decided = decisions.match !== null && index.rowOf(decisions.match) >= 0 ? decisions.match : null;
  const kept = row.candidates.filter((c) => !decisions.rejected.has(c.referenceRowId) && c.referenceRowId !== decided);
  const candidates: Candidate[] = (decided === null ? kept : [{ referenceRowId: decided, confidence: 1 }, ...kept]).slice(
    0,
    TOP_CANDIDATES,
  );
  const best = candidates[0];
  if (best === undefined) return { sourceRowId: row.sourceRowId, referenceRowId: null, confidence: 0, evidence: [], candidates };
  const evidence = best.referenceRowId === row.candidates[0]?.referenceRowId ? row.evidence : evidenceOf(index.rowOf(best.referenceRowId));
  return {
    sourceRowId: row.sourceRowId,
    referenceRowId: best.confidence >= threshold ? best.referenceRowId : null,
    confidence: best.confidence,
    evidence,
    candidates,
  };
}
