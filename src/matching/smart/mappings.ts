// Which source column is compared with which reference column: column names (normalised, synonyms) and value
// overlap both vote, so renamed columns are found by their values and same-named columns need some overlap.
// Row identifiers (unique per row, digits, little overlap: rec_id, uuid) are never mapped unless their values
// overlap strongly across the tables (then they are a shared key and the best evidence there is).

import { MIN_PREFIX, MIN_SKELETON } from '../comparators/abbreviation';
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
  /** words shared mostly as abbreviations and truncations ("cnsltng", "cof"): compared as such */
  abbreviated?: boolean;
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

/** One column holds dates (DATE_COLUMN_SHARE of its values), the other (almost) none. */
function datesAgainstNonDates(a: ColumnProfile, b: ColumnProfile): boolean {
  const dates = (p: ColumnProfile) => p.shares.date >= DATE_COLUMN_SHARE;
  const noDates = (p: ColumnProfile) => p.shares.date < 1 - DATE_COLUMN_SHARE;
  return (dates(a) && noDates(b)) || (dates(b) && noDates(a));
}

/** Share of parsed dates that makes a date column (as the profile's date order and kind detection take it). */
const DATE_COLUMN_SHARE = 0.8;

/** Overlap needed for a pair of identifier-like columns to be used (a shared key, not per-table row ids). */
export const IDENTIFIER_MIN_OVERLAP = 0.3;
/** Overlap that maps two columns with related names (`journal_or_conference` / `venue`). */
export const RELATED_NAME_MIN_OVERLAP = 0.2;
/** Overlap that maps two columns without any name evidence. */
export const OVERLAP_ONLY_MIN = 0.5;
/** Share of a leftover text column's words found in another's, counting abbreviations and truncations, that maps
 *  the two when each is the other's best (a memo against a payee, a till's item text against a product name). */
export const ABBREVIATED_MIN_OVERLAP = 0.3;

export function proposeMappings(
  source: ProfiledColumn[],
  reference: ProfiledColumn[],
  excluded: Set<string>,
): {
  mappings: ProposedMapping[];
  rejected: RejectedPair[];
  overlaps: Array<{ source: string; target: string; values: number; tokens: number; name: number }>;
} {
  const scored: Array<ProposedMapping & { score: number; s: number; t: number }> = [];
  const rejected: RejectedPair[] = [];
  const overlaps: Array<{ source: string; target: string; values: number; tokens: number; name: number }> = [];
  for (const side of [source, reference]) {
    for (const c of side) {
      if (c.profile.rowIdentity !== null && !excluded.has(c.profile.name))
        rejected.push({
          source: side === source ? c.profile.name : '',
          target: side === reference ? c.profile.name : '',
          reason: `row identity: ${c.profile.rowIdentity}`,
        });
    }
  }
  source.forEach((sc, s) => {
    if (excluded.has(sc.profile.name) || sc.profile.rowIdentity !== null) return;
    reference.forEach((rc, t) => {
      if (excluded.has(rc.profile.name) || rc.profile.rowIdentity !== null) return;
      const nameScore = nameSimilarity(sc.profile.name, rc.profile.name);
      const overlap = measureOverlap(sc.values, rc.values);
      const best = Math.max(overlap.values, overlap.tokens);
      overlaps.push({
        source: sc.profile.name,
        target: rc.profile.name,
        values: round(overlap.values),
        tokens: round(overlap.tokens),
        name: nameScore,
      });
      if (identifierLike(sc.profile) && identifierLike(rc.profile) && overlap.values < IDENTIFIER_MIN_OVERLAP) {
        if (nameScore >= 0.9) {
          rejected.push({
            source: sc.profile.name,
            target: rc.profile.name,
            reason: `row identifiers: ${pct(sc.profile.distinctness)} distinct, only ${pct(overlap.values)} of values shared (< ${pct(IDENTIFIER_MIN_OVERLAP)})`,
          });
        }
        return;
      }
      let reason: string;
      if (nameScore >= 0.9 && (best >= 0.02 || sc.profile.fillRate === 0 || rc.profile.fillRate === 0)) {
        reason = nameScore === 1 ? 'same column name' : 'synonymous column names';
      } else if (datesAgainstNonDates(sc.profile, rc.profile)) {
        // The words of "03/25/2026" (03, 25, 2026) are found among any few thousand amounts: shared tokens say
        // nothing when one column holds dates and the other none.
        if (best >= RELATED_NAME_MIN_OVERLAP)
          rejected.push({
            source: sc.profile.name,
            target: rc.profile.name,
            reason: `dates against values that are not dates (${pct(sc.profile.shares.date)} / ${pct(rc.profile.shares.date)} dates), although ${pct(best)} of values/tokens are shared`,
          });
        return;
      } else if (
        (nameScore >= 0.5 && best >= RELATED_NAME_MIN_OVERLAP) ||
        (best >= OVERLAP_ONLY_MIN && (overlap.values >= OVERLAP_ONLY_MIN || overlap.tokens >= 0.7))
      ) {
        reason = nameScore > 0 ? 'related column names and shared values' : 'shared values (names differ)';
      } else {
        if (nameScore >= 0.9)
          rejected.push({
            source: sc.profile.name,
            target: rc.profile.name,
            reason: `names match but only ${pct(best)} of values/tokens are shared`,
          });
        return;
      }
      scored.push({
        source: sc.profile.name,
        target: rc.profile.name,
        nameScore,
        overlap,
        reason,
        score: 0.6 * nameScore + 0.4 * best,
        s,
        t,
      });
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
  mappings.push(...abbreviatedTextPairs(source, reference, excluded, usedSource, usedTarget));
  // Keep the source's column order for readability.
  const order = new Map(source.map((c, i) => [c.profile.name, i]));
  mappings.sort((a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0));
  return { mappings, rejected, overlaps };
}

/** Text columns of words (not numbers, dates, codes or row identity) that no other mapping uses. */
function leftoverText(columns: ProfiledColumn[], excluded: Set<string>, used: Set<string>): ProfiledColumn[] {
  return columns.filter(
    ({ profile: p }) =>
      !excluded.has(p.name) &&
      !used.has(p.name) &&
      p.rowIdentity === null &&
      p.declaredType === 'string' &&
      p.fillRate > 0 &&
      p.shares.number < 0.5 &&
      p.shares.date < 0.5 &&
      p.shares.email < 0.5 &&
      !identifierLike(p) &&
      p.avgTokens >= 1.5,
  );
}

/**
 * Short text printed by another system shares few words verbatim with the name it stands for ("SQ *FALCON CNSLTNG
 * 06172" / "Falcon Consulting Group"): too few for the overlap rules above. Leftover text columns are paired when
 * each is the other's best by abbreviation-aware word overlap and that reaches ABBREVIATED_MIN_OVERLAP.
 */
function abbreviatedTextPairs(
  source: ProfiledColumn[],
  reference: ProfiledColumn[],
  excluded: Set<string>,
  usedSource: Set<string>,
  usedTarget: Set<string>,
): ProposedMapping[] {
  const sources = leftoverText(source, excluded, usedSource);
  const references = leftoverText(reference, excluded, usedTarget);
  const lookups = new Map(references.map((rc) => [rc, abbreviationLookup(rc.values.tokenCounts.keys())]));
  const shares = sources.map((sc) =>
    references.map((rc) => abbreviatedShare(sc.values.tokenCounts, lookups.get(rc) as AbbreviationLookup)),
  );
  const pairs: ProposedMapping[] = [];
  sources.forEach((sc, s) => {
    const row = shares[s] as number[];
    const t = row.indexOf(Math.max(...row));
    const best = row[t] ?? 0;
    if (best < ABBREVIATED_MIN_OVERLAP || shares.some((other, o) => o !== s && (other[t] as number) > best)) return;
    const rc = references[t] as ProfiledColumn;
    const overlap = measureOverlap(sc.values, rc.values);
    pairs.push({
      source: sc.profile.name,
      target: rc.profile.name,
      nameScore: nameSimilarity(sc.profile.name, rc.profile.name),
      overlap,
      abbreviated: true,
      reason: `words shared as abbreviations or truncations: ${pct(best)} of source words (${pct(overlap.tokens)} verbatim); each column the other's best`,
    });
  });
  return pairs;
}

interface AbbreviationLookup {
  tokens: Set<string>;
  /** every prefix of MIN_PREFIX+ characters of every token */
  prefixes: Set<string>;
  /** tokens without their vowels after the first letter */
  skeletons: Set<string>;
}

const VOWELS_AFTER_FIRST = /(?!^)[aeiou]/g;

function abbreviationLookup(tokens: Iterable<string>): AbbreviationLookup {
  const lookup: AbbreviationLookup = { tokens: new Set(), prefixes: new Set(), skeletons: new Set() };
  for (const token of tokens) {
    lookup.tokens.add(token);
    for (let n = MIN_PREFIX; n < token.length; n++) lookup.prefixes.add(token.slice(0, n));
    const skeleton = token.replace(VOWELS_AFTER_FIRST, '');
    if (skeleton.length >= MIN_SKELETON && skeleton !== token) lookup.skeletons.add(skeleton);
  }
  return lookup;
}

/** Share of token occurrences that agree with a token of the lookup: equal, a prefix either way, or its skeleton
 *  (the engine's `abbreviation` comparator's notion of agreeing tokens). */
function abbreviatedShare(tokenCounts: Map<string, number>, lookup: AbbreviationLookup): number {
  let total = 0;
  let agreeing = 0;
  for (const [token, n] of tokenCounts) {
    if (!/[a-z]/.test(token)) continue;
    total += n;
    let found = lookup.tokens.has(token) || lookup.prefixes.has(token) || lookup.skeletons.has(token);
    for (let k = MIN_PREFIX; !found && k < token.length; k++) found = lookup.tokens.has(token.slice(0, k));
    if (found) agreeing += n;
  }
  return total === 0 ? 0 : agreeing / total;
}

export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
