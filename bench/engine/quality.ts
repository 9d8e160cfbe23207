// Precision / recall / F1 of predicted links against the truth column.
export interface Quality {
  truePositives: number;
  falsePositives: number;
  truthPairs: number;
  precision: number;
  recall: number;
  f1: number;
}

export function quality(truePositives: number, falsePositives: number, truthPairs: number): Quality {
  const predicted = truePositives + falsePositives;
  const precision = predicted === 0 ? 0 : truePositives / predicted;
  const recall = truthPairs === 0 ? 0 : truePositives / truthPairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives, falsePositives, truthPairs, precision, recall, f1 };
}

/** Score predictions (source id → reference id or null) against truths (source id → reference id or ''). */
export function scorePredictions(predictions: Iterable<[string, string | null]>, truth: Map<string, string>): Quality {
  let tp = 0;
  let fp = 0;
  for (const [sourceId, referenceId] of predictions) {
    if (referenceId === null) continue;
    if (truth.get(sourceId) === referenceId) tp++;
    else fp++;
  }
  let truthPairs = 0;
  for (const t of truth.values()) if (t !== '') truthPairs++;
  return quality(tp, fp, truthPairs);
}
