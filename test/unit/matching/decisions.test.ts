import { describe, expect, it } from 'vitest';
import {
  buildReferenceIndex,
  fieldScoresAgainst,
  matchSlice,
  resolveOneToOne,
  type EngineRow,
  type MatchConfig,
  type DecidedPair,
  decidedOutcomes,
} from '../../../src/matching/index';

const base: MatchConfig = {
  threshold: 0.85,
  fieldMappings: [
    { source: 'name', target: 'name', strategy: 'fuzzy', weight: 0.8, options: { algorithm: 'jaro_winkler' } },
    { source: 'city', target: 'city', strategy: 'exact', weight: 0.2 },
  ],
  blocking: { keys: [{ parts: [{ source: 'name', target: 'name', transform: 'prefix', length: 3 }] }] },
};
const reference: EngineRow[] = [
  { id: 'r-john', values: { name: 'john smith', city: 'leeds' } },
  { id: 'r-jon', values: { name: 'jon smith', city: 'leeds' } },
  { id: 'r-johan', values: { name: 'johan smit', city: 'york' } },
  { id: 'r-mary', values: { name: 'mary jones', city: 'hull' } },
];
const source: EngineRow[] = [
  { id: 's-john', values: { name: 'john smith', city: 'leeds' } },
  { id: 's-mary', values: { name: 'mary jones', city: 'hull' } },
  { id: 's-other', values: { name: 'johan smit', city: 'york' } },
];
const run = (decisions?: DecidedPair[]) => {
  const config = { ...base, ...(decisions ? { decisions } : {}) };
  const index = buildReferenceIndex(reference, config);
  return { index, ...matchSlice(index, source) };
};
const byId = (rows: ReturnType<typeof run>['rows'], id: string) => rows.find((r) => r.sourceRowId === id)!;

describe('review decisions a plan keeps', () => {
  const plain = run();

  it('a pair decided a match is the row’s match with confidence 1, with that pair’s evidence, even when blocking never offered it', () => {
    expect(byId(plain.rows, 's-mary').candidates.map((c) => c.referenceRowId)).not.toContain('r-john');
    const { index, rows } = run([{ sourceRowId: 's-mary', referenceRowId: 'r-john', match: true }]);
    const mary = byId(rows, 's-mary');
    expect(mary).toMatchObject({ referenceRowId: 'r-john', confidence: 1 });
    expect(mary.candidates[0]).toEqual({ referenceRowId: 'r-john', confidence: 1 });
    // The row's own best candidate is still there, after the decided one.
    expect(mary.candidates.slice(1).map((c) => c.referenceRowId)).toContain('r-mary');
    const scores = fieldScoresAgainst(index, source[1]!, [index.rowOf('r-john')])[0]!;
    expect(mary.evidence.map((e) => e.score)).toEqual(scores);
    expect(mary.evidence.map((e) => e.referenceValue)).toEqual(['john smith', 'leeds']);
  });

  it('a pair decided not a match is never proposed: the row takes its next candidate, with its evidence', () => {
    const before = byId(plain.rows, 's-john');
    expect(before.referenceRowId).toBe('r-john');
    const second = before.candidates[1]!;
    const { index, rows, stats } = run([{ sourceRowId: 's-john', referenceRowId: 'r-john', match: false }]);
    const john = byId(rows, 's-john');
    expect(john.candidates.map((c) => c.referenceRowId)).not.toContain('r-john');
    expect(john.candidates[0]).toEqual(second);
    expect(john.confidence).toBe(second.confidence);
    expect(john.referenceRowId).toBe(second.confidence >= base.threshold ? second.referenceRowId : null);
    const scores = fieldScoresAgainst(index, source[0]!, [index.rowOf(second.referenceRowId)])[0]!;
    expect(john.evidence.map((e) => e.score)).toEqual(scores);
    // The slice's counts follow the decided results.
    expect(stats.rowsMatched).toBe(rows.filter((r) => r.referenceRowId !== null).length);
    expect(stats.confidenceSum).toBeCloseTo(
      rows.reduce((sum, r) => sum + r.confidence, 0),
      9,
    );
  });

  it('a pair’s latest decision counts (decisions come latest first); rows without decisions are as without any', () => {
    const { rows } = run([
      { sourceRowId: 's-john', referenceRowId: 'r-jon', match: true },
      { sourceRowId: 's-john', referenceRowId: 'r-jon', match: false },
      { sourceRowId: 's-john', referenceRowId: 'r-johan', match: true },
    ]);
    expect(byId(rows, 's-john')).toMatchObject({ referenceRowId: 'r-jon', confidence: 1 });
    expect(byId(rows, 's-other')).toEqual(byId(plain.rows, 's-other'));
    expect(byId(rows, 's-mary')).toEqual(byId(plain.rows, 's-mary'));
  });

  it('one-to-one gives a decided match its reference row over a row that scores it higher', () => {
    // s-other scores r-johan exactly; the reviewer said s-john's match is r-johan.
    const { rows } = run([{ sourceRowId: 's-john', referenceRowId: 'r-johan', match: true }]);
    const assigned = resolveOneToOne(rows, base.threshold);
    expect(assigned.get('s-john')?.referenceRowId).toBe('r-johan');
    expect(assigned.get('s-other')?.referenceRowId).not.toBe('r-johan');
  });

  it('a row decided without a match has none, with confidence 0 and no candidate for one-to-one to give it', () => {
    expect(byId(plain.rows, 's-john').referenceRowId).toBe('r-john');
    const { rows, stats } = run([{ sourceRowId: 's-john', referenceRowId: null, match: false }]);
    expect(byId(rows, 's-john')).toEqual({ sourceRowId: 's-john', referenceRowId: null, confidence: 0, evidence: [], candidates: [] });
    expect(resolveOneToOne(rows, base.threshold).get('s-john')?.referenceRowId).toBeNull();
    expect(stats.rowsMatched).toBe(rows.filter((r) => r.referenceRowId !== null).length);
    expect(byId(rows, 's-mary')).toEqual(byId(plain.rows, 's-mary'));
  });

  it('a row’s latest word counts between a match and "no match"', () => {
    const matchSince = run([
      { sourceRowId: 's-john', referenceRowId: 'r-jon', match: true },
      { sourceRowId: 's-john', referenceRowId: null, match: false },
    ]).rows;
    expect(byId(matchSince, 's-john')).toMatchObject({ referenceRowId: 'r-jon', confidence: 1 });
    const noneSince = run([
      { sourceRowId: 's-john', referenceRowId: null, match: false },
      { sourceRowId: 's-john', referenceRowId: 'r-jon', match: true },
    ]).rows;
    expect(byId(noneSince, 's-john')).toMatchObject({ referenceRowId: null, confidence: 0, candidates: [] });
  });

  it('names the result each decided row gets: its decided match or no match; rows with only rejections get none', () => {
    const decisions: DecidedPair[] = [
      { sourceRowId: 's-john', referenceRowId: 'r-jon', match: true },
      { sourceRowId: 's-john', referenceRowId: null, match: false },
      { sourceRowId: 's-mary', referenceRowId: null, match: false },
      { sourceRowId: 's-other', referenceRowId: 'r-johan', match: false },
    ];
    expect(decidedOutcomes({ ...base, decisions })).toEqual([
      { sourceRowId: 's-john', referenceRowId: 'r-jon' },
      { sourceRowId: 's-mary', referenceRowId: null },
    ]);
    expect(decidedOutcomes(base)).toEqual([]);
  });

  it('a decision naming a reference row the index does not hold is left out', () => {
    const { rows } = run([{ sourceRowId: 's-mary', referenceRowId: 'r-gone', match: true }]);
    expect(byId(rows, 's-mary')).toEqual(byId(plain.rows, 's-mary'));
  });
});
