// Evidence of identical values, for the review pass (review.ts): a value both sides hold identically (after
// normalisation). For a field whose top level means exactly that (exact, Jaro–Winkler or Levenshtein at 1) the
// level's Bayes factor already is that evidence. Other comparators reach their top level with values that differ
// (token_set: one title's words inside the other's, "X" and "X Revisited"; abbreviations; phonetic codes), so
// their top level says less than an identical value does. For those, identity is measured as a level of its own,
// on the same pairs as the model's refit (best-candidate.ts): m = its posterior-weighted share among the best
// candidates, u = its share among the second-best ones.

import { normaliseText } from '../normalise';
import { mappingCell } from '../normalised-row';
import type { EngineRow, FieldMapping } from '../types';
import { refitLevelShares, type RefitSample } from './best-candidate';

export interface IdenticalEvidence {
  m: number;
  u: number;
  logBayesFactor: number;
}

/** Whether a score of 1 at the field's top level already means identical normalised values. */
export function topLevelIsIdentity(mapping: FieldMapping, levels: number[]): boolean {
  if (levels[0] !== 1) return false;
  if (mapping.strategy === 'exact') return true;
  if (mapping.strategy !== 'fuzzy') return false;
  const algorithm = mapping.options?.algorithm ?? 'jaro_winkler';
  return algorithm === 'jaro_winkler' || algorithm === 'levenshtein' || algorithm === 'damerau_levenshtein';
}

/** Text fields of one column whose top level takes values that differ: dates and numbers are compared as such, not
 *  as texts, and the fields over several columns (whole record, codes, quantities) read one joined cell, whose
 *  identity says the same for each of them (it counted three times). */
export function needsIdenticalEvidence(mapping: FieldMapping, levels: number[]): boolean {
  return (
    mapping.strategy !== 'date_range' &&
    mapping.strategy !== 'numeric_range' &&
    mapping.sourceColumns === undefined &&
    mapping.targetColumns === undefined &&
    !topLevelIsIdentity(mapping, levels)
  );
}

/** Identity of the mapping's two values, measured on the refit's pairs (`sample`). */
export function measureIdentical(mapping: FieldMapping, sample: RefitSample): IdenticalEvidence {
  const { sourceRows, referenceRows, pairs } = sample;
  const sourceTexts = new Map<number, string>();
  const identical = (pair: number): boolean | null => {
    const s = pairs.source[pair] as number;
    let a = sourceTexts.get(s);
    if (a === undefined) sourceTexts.set(s, (a = normaliseText(mappingCell(mapping, sourceRows[s]?.values, 'source'))));
    const b = normaliseText(mappingCell(mapping, referenceRows[pairs.reference[pair] as number]?.values, 'target'));
    return a === '' || b === '' ? null : a === b;
  };
  const shares = refitLevelShares(
    2,
    (pair) => {
      const same = identical(pair);
      return same === null ? null : same ? 0 : 1;
    },
    sample,
  );
  const m = shares.m[0] as number;
  const u = shares.u[0] as number;
  return { m, u, logBayesFactor: Math.log(m / u) };
}
