// Precision / recall / F1 of predicted links against a QualityDataset's truth. A source row may have several true
// reference rows (Walmart-Amazon: 138 Walmart products have more than one Amazon listing): a predicted pair is
// right when it is one of them, and recall counts every true pair, so a one-link-per-row matcher cannot reach 1.
import type { RowMatch } from '../../src/matching/index';
import { quality, type Quality } from '../engine/quality';
import type { QualityDataset } from './types';

/** source row id → every true reference row id (empty: no counterpart) */
export type TruthSets = Map<string, ReadonlySet<string>>;

export function truthSets(dataset: QualityDataset): TruthSets {
  if (dataset.truePairs !== undefined) return dataset.truePairs;
  const sets: TruthSets = new Map();
  for (const [sourceId, referenceId] of dataset.truth) sets.set(sourceId, new Set(referenceId === null ? [] : [referenceId]));
  return sets;
}

export function isTruePair(dataset: QualityDataset, sourceId: string, referenceId: string): boolean {
  return dataset.truePairs?.get(sourceId)?.has(referenceId) ?? dataset.truth.get(sourceId) === referenceId;
}

export function scorePairs(predictions: Iterable<[string, string | null]>, truth: TruthSets): Quality {
  let tp = 0;
  let fp = 0;
  for (const [sourceId, referenceId] of predictions) {
    if (referenceId === null) continue;
    if (truth.get(sourceId)?.has(referenceId)) tp++;
    else fp++;
  }
  let truthPairs = 0;
  for (const t of truth.values()) truthPairs += t.size;
  return quality(tp, fp, truthPairs);
}

export function scoreRows(rows: Iterable<RowMatch>, dataset: QualityDataset): Quality {
  const predictions: Array<[string, string | null]> = [];
  for (const row of rows) predictions.push([row.sourceRowId, row.referenceRowId]);
  return scorePairs(predictions, truthSets(dataset));
}
