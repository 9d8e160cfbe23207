// The confidence a run gives each sample source row under a plan: the engine's, or, inside the review band, the
// review pass's (review.ts), which reads more evidence and normalises over the row's candidates. The threshold is
// chosen on these (generate.ts): the probabilities the run decides by, not the model's posteriors of the sample's
// best pairs, which count the candidate margin and none of the review pass's evidence.

import { buildReferenceIndex } from '../index-build';
import { matchSlice } from '../match';
import type { EngineRow, MatchConfig } from '../types';
import { createReviewResolver } from './review';

export function decidedConfidences(
  match: MatchConfig,
  band: { low: number; high: number },
  referenceRows: EngineRow[],
  sourceRows: EngineRow[],
): Float64Array {
  const { rows } = matchSlice(buildReferenceIndex(referenceRows, match), sourceRows);
  const referenceById = new Map(referenceRows.map((r) => [String(r.id), r]));
  const sourceById = new Map(sourceRows.map((r) => [String(r.id), r]));
  const resolver = createReviewResolver(match, referenceRows, sourceRows);
  return Float64Array.from(rows, (row) => {
    if (row.candidates.length === 0) return 0;
    if (row.confidence < band.low || row.confidence > band.high) return row.confidence;
    const candidates = row.candidates.map((c) => referenceById.get(c.referenceRowId) as EngineRow);
    return resolver.resolve(sourceById.get(row.sourceRowId) as EngineRow, candidates).confidence;
  });
}
