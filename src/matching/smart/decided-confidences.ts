// What a run decides by, on rows in memory: the engine's results, with the rows inside the review band replaced by
// the review pass's (review.ts), which reads more evidence and normalises over the row's candidates. Generation
// chooses the threshold on these confidences of the sample (generate.ts): the probabilities the run decides by,
// not the model's posteriors of the sample's best pairs, which count the candidate margin and none of the review
// pass's evidence. The quality bench resolves its runs' review band with the same function.

import { buildReferenceIndex } from '../index-build';
import { matchSlice } from '../match';
import type { EngineRow, MatchConfig, RowMatch } from '../types';
import { createReviewResolver } from './review';
import type { ReviewResolver } from './types';

/** Replaces every row whose confidence lies in `band` (and that has candidates) by the review pass's verdict on its
 *  candidates, with a resolver over `referenceRows` and `sourceRows`; returns how many it resolved. */
export function resolveReviewBand(
  match: MatchConfig,
  band: { low: number; high: number },
  rows: RowMatch[],
  referenceRows: EngineRow[],
  sourceRows: EngineRow[],
): number {
  // Built at the first row in the band: a run with none pays nothing.
  let context: { resolver: ReviewResolver; referenceById: Map<string, EngineRow>; sourceById: Map<string, EngineRow> } | undefined;
  let resolved = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as RowMatch;
    if (row.candidates.length === 0 || row.confidence < band.low || row.confidence > band.high) continue;
    context ??= {
      resolver: createReviewResolver(match, referenceRows, sourceRows),
      referenceById: new Map(referenceRows.map((r) => [String(r.id), r])),
      sourceById: new Map(sourceRows.map((r) => [String(r.id), r])),
    };
    const { resolver, referenceById, sourceById } = context;
    const candidates = row.candidates.map((c) => referenceById.get(c.referenceRowId) as EngineRow);
    rows[i] = resolver.resolve(sourceById.get(row.sourceRowId) as EngineRow, candidates);
    resolved++;
  }
  return resolved;
}

/** Per source row, the confidence a run under `match` gives it (rows without a candidate: 0). */
export function decidedConfidences(
  match: MatchConfig,
  band: { low: number; high: number },
  referenceRows: EngineRow[],
  sourceRows: EngineRow[],
): Float64Array {
  const { rows } = matchSlice(buildReferenceIndex(referenceRows, match), sourceRows);
  resolveReviewBand(match, band, rows, referenceRows, sourceRows);
  return Float64Array.from(rows, (row) => (row.candidates.length === 0 ? 0 : row.confidence));
}
