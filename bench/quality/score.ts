// Precision / recall / F1 of predicted links against a QualityDataset's truth (bench/engine/quality.ts does the
// counting; it wants '' for "no counterpart").
import type { RowMatch } from '../../src/matching/index';
import { scorePredictions, type Quality } from '../engine/quality';

export function scoreRows(rows: Iterable<RowMatch>, truth: Map<string, string | null>): Quality {
  const expected = new Map<string, string>();
  for (const [sourceId, referenceId] of truth) expected.set(sourceId, referenceId ?? '');
  const predictions: Array<[string, string | null]> = [];
  for (const row of rows) predictions.push([row.sourceRowId, row.referenceRowId]);
  return scorePredictions(predictions, expected);
}
