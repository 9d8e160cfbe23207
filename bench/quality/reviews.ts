// Simulated reviews for the learning loop: a reviewer looks at the results a smart run is least sure about and
// says whether each proposed pair is right. The truth plays the reviewer.
import type { EngineRow, RowMatch } from '../../src/matching/index';
import type { LabelledPair } from '../../src/matching/smart/types';
import { isTruePair, truthSets } from './score';
import type { QualityDataset } from './types';

export const REVIEW_COUNT = 50;

/**
 * Picks `count` results deterministically — those in the review band first, then the rest, each by distance of
 * the confidence to the threshold (ties: source row id) — and labels the pair each proposes (the matched
 * reference row, or the best candidate when the result stayed below the threshold): match = the truth links
 * exactly that pair. A result without a match whose row has no counterpart is approved as such (rowHasNoMatch), as
 * the service reads an approval of it. Results without any candidate propose nothing and are skipped.
 */
export function simulateReviews(
  dataset: QualityDataset,
  rows: RowMatch[],
  band: { low: number; high: number },
  threshold: number,
  count = REVIEW_COUNT,
): LabelledPair[] {
  const inBand = (r: RowMatch) => r.confidence >= band.low && r.confidence <= band.high;
  const chosen = rows
    .filter((r) => r.candidates.length > 0)
    .sort(
      (a, b) =>
        Number(inBand(b)) - Number(inBand(a)) ||
        Math.abs(a.confidence - threshold) - Math.abs(b.confidence - threshold) ||
        (a.sourceRowId < b.sourceRowId ? -1 : a.sourceRowId > b.sourceRowId ? 1 : 0),
    )
    .slice(0, count);
  const referenceById = new Map<string, EngineRow>(dataset.reference.rows.map((r) => [r.id, r]));
  const sourceById = new Map<string, EngineRow>(dataset.source.rows.map((r) => [r.id, r]));
  const truth = truthSets(dataset);
  return chosen.map((row) => {
    const proposed = row.referenceRowId ?? (row.candidates[0]?.referenceRowId as string);
    return {
      source: { ...(sourceById.get(row.sourceRowId) as EngineRow).values },
      reference: { ...(referenceById.get(proposed) as EngineRow).values },
      match: isTruePair(dataset, row.sourceRowId, proposed),
      sourceRowId: row.sourceRowId,
      referenceRowId: proposed,
      // Approving a result without a match (REVIEW_MEANING): the row has no counterpart at all.
      ...(row.referenceRowId === null && (truth.get(row.sourceRowId)?.size ?? 0) === 0 ? { rowHasNoMatch: true } : {}),
    };
  });
}
