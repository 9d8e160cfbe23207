// Which source column is compared with which reference column: column names (normalised, synonyms) and value
// overlap both vote, so renamed columns are found by their values and same-named columns need some overlap.
// Row identifiers (unique per row, digits, little overlap: rec_id, uuid) are never mapped unless their values
// overlap strongly across the tables (then they are a shared key and the best evidence there is).

import { nameSimilarity } from './names';
import { measureOverlap, type ColumnProfile, type ColumnValues, type Overlap } from './profile';

export interface ProfiledColumn {
  profile: ColumnProfile;
  values: ColumnValues;
}

export interface ProposedMapping {
  source: string;
  target: string;
  nameScore: number;
  overlap: Overlap;
  /** how the mapping was found, in words */
  reason: string;
}

export interface RejectedPair {
  source: string;
  target: string;
  reason: string;
}

/** A column whose values are (almost) unique per row and look like keys. */
export function identifierLike(p: ColumnProfile): boolean {
  // Amounts and dates are as distinct as ids but are compared by value, not spelling.
  if (p.shares.decimal >= 0.3 || p.shares.currency >= 0.3 || p.shares.date >= 0.8) return false;
  return p.distinctness >= 0.95 && p.fillRate >= 0.5 && p.shares.hasDigit >= 0.9 && p.avgLength <= 40 && p.avgTokens <= 4;
}

/** Overlap needed for a pair of identifier-like columns to be used (a shared key, not per-table row ids). */
export const IDENTIFIER_MIN_OVERLAP = 0.3;
/** Overlap that maps two columns with related names (`journal_or_conference` / `venue`). */
export const RELATED_NAME_MIN_OVERLAP = 0.2;
/** Overlap that maps two columns without any name evidence. */
export const OVERLAP_ONLY_MIN = 0.5;

export function proposeMappings(
  source: ProfiledColumn[],
  reference: ProfiledColumn[],
  excluded: Set<string>,
): { mappings: ProposedMapping[]; rejected: RejectedPair[]; overlaps: Array<{ source: string; target: string; values: number; tokens: number; name: number }> } {
  const scored: Array<ProposedMapping & { score: number; s: number; t: number }> = [];
  const rejected: RejectedPair[] = [];
  const overlaps: Array<{ source: string; target: string; values: number; tokens: number; name: number }> = [];
  for (const side of [source, reference]) {
    for (const c of side) {
      if (c.profile.rowIdentity !== null && !excluded.has(c.profile.name)) rejected.push({ source: side === source ? c.profile.name : '', target: side === reference ? c.profile.name : '', reason: `row identity: ${c.profile.rowIdentity}` });
    }
  }
  source.forEach((sc, s) => {
    if (excluded.has(sc.profile.name) || sc.profile.rowIdentity !== null) return;
    reference.forEach((rc, t) => {
      if (excluded.has(rc.profile.name) || rc.profile.rowIdentity !== null) return;
      const nameScore = nameSimilarity(sc.profile.name, rc.profile.name);
      const overlap = measureOverlap(sc.values, rc.values);
      const best = Math.max(overlap.values, overlap.tokens);
      overlaps.push({ source: sc.profile.name, target: rc.profile.name, values: round(overlap.values), tokens: round(overlap.tokens), name: nameScore });
      if (identifierLike(sc.profile) && identifierLike(rc.profile) && overlap.values < IDENTIFIER_MIN_OVERLAP) {
        if (nameScore >= 0.9) {
          rejected.push({ source: sc.profile.name, target: rc.profile.name, reason: `row identifiers: ${pct(sc.profile.distinctness)} distinct, only ${pct(overlap.values)} of values shared (< ${pct(IDENTIFIER_MIN_OVERLAP)})` });
        }
        return;
      }
      let reason: string;
      if (nameScore >= 0.9 && (best >= 0.02 || sc.profile.fillRate === 0 || rc.profile.fillRate === 0)) {
        reason = nameScore === 1 ? 'same column name' : 'synonymous column names';
      } else if ((nameScore >= 0.5 && best >= RELATED_NAME_MIN_OVERLAP) || (best >= OVERLAP_ONLY_MIN && (overlap.values >= OVERLAP_ONLY_MIN || overlap.tokens >= 0.7))) {
        reason = nameScore > 0 ? 'related column names and shared values' : 'shared values (names differ)';
      } else {
        if (nameScore >= 0.9) rejected.push({ source: sc.profile.name, target: rc.profile.name, reason: `names match but only ${pct(best)} of values/tokens are shared` });
        return;
      }
      scored.push({ source: sc.profile.name, target: rc.profile.name, nameScore, overlap, reason, score: 0.6 * nameScore + 0.4 * best, s, t });
    });
  });
  // Greedy one-to-one assignment, best pair first (ties: column order, so the result is deterministic).
  scored.sort((a, b) => b.score - a.score || a.s - b.s || a.t - b.t);
  const usedSource = new Set<string>();
  const usedTarget = new Set<string>();
  const mappings: ProposedMapping[] = [];
  for (const m of scored) {
    if (usedSource.has(m.source) || usedTarget.has(m.target)) continue;
    usedSource.add(m.source);
    usedTarget.add(m.target);
    mappings.push({ source: m.source, target: m.target, nameScore: m.nameScore, overlap: m.overlap, reason: m.reason });
  }
  // Keep the source's column order for readability.
  const order = new Map(source.map((c, i) => [c.profile.name, i]));
  mappings.sort((a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0));
  return { mappings, rejected, overlaps };
}

export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
