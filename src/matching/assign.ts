// One-to-one assignment across a whole run. Chunks are matched independently and each returns its rows' top-5
// candidates; this final pass sees all of them and resolves conflicts greedily:
//   1. take every (source row, candidate) pair with confidence ≥ threshold;
//   2. sort by confidence descending, then source row id, then reference row id (string order);
//   3. walk the list and accept a pair when neither its source row nor its reference row is taken yet.
// A row left without a pair gets referenceRowId null and keeps the confidence of its best candidate (0 if none),
// like an unmatched row of matchSlice. Greedy by confidence is a ½-approximation of the maximum-weight
// matching, deterministic, O(P log P) for P pairs; a row whose 5 candidates all go to better-scoring rows stays
// unmatched even if a 6th candidate would have been free (the price of keeping only the top 5 per row).

import type { RowMatch } from './types';

export interface Assignment {
  referenceRowId: string | null;
  confidence: number;
}

/** `taken`: reference rows held by rows outside `rows` (never given to one of them). */
export function resolveOneToOne(
  rows: Array<Pick<RowMatch, 'sourceRowId' | 'candidates'>>,
  threshold: number,
  taken: ReadonlySet<string> = new Set(),
): Map<string, Assignment> {
  const pairs: Array<{ source: string; reference: string; confidence: number }> = [];
  const result = new Map<string, Assignment>();
  for (const row of rows) {
    const candidates = row.candidates ?? [];
    let best = 0;
    for (const c of candidates) {
      if (c.confidence > best) best = c.confidence;
      if (c.confidence >= threshold) pairs.push({ source: row.sourceRowId, reference: c.referenceRowId, confidence: c.confidence });
    }
    result.set(row.sourceRowId, { referenceRowId: null, confidence: best });
  }
  pairs.sort((a, b) => b.confidence - a.confidence || compareStrings(a.source, b.source) || compareStrings(a.reference, b.reference));
  const takenReferences = new Set<string>(taken);
  const assignedSources = new Set<string>();
  for (const pair of pairs) {
    if (assignedSources.has(pair.source) || takenReferences.has(pair.reference)) continue;
    assignedSources.add(pair.source);
    takenReferences.add(pair.reference);
    result.set(pair.source, { referenceRowId: pair.reference, confidence: pair.confidence });
  }
  return result;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
