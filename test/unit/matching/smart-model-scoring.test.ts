import { describe, expect, it } from 'vitest';
import {
  buildReferenceIndex,
  compareValues,
  matchSlice,
  roundConfidence,
  scoreLogBayesFactor,
  sigmoid,
  logit,
  type EngineRow,
  type MatchConfig,
} from '../../../src/matching/index';
import { mulberry32, typo } from './smart-fixtures';

// Two fields with a Fellegi–Sunter model: name (Jaro–Winkler, 3 levels) and year (exact, 2 levels).
const config: MatchConfig = {
  threshold: 0.5,
  fieldMappings: [
    { source: 'name', target: 'name', strategy: 'fuzzy', weight: 1 },
    { source: 'year', target: 'year', strategy: 'exact', weight: 1 },
  ],
  blocking: { keys: [{ parts: [{ source: 'name', target: 'name', transform: 'prefix', length: 1 }] }] },
  model: {
    kind: 'fellegi_sunter',
    prior: 0.01,
    fields: [
      { levels: [1, 0.9, 0], logBayesFactors: [5, 2, -3] },
      { levels: [1, 0], logBayesFactors: [3, -2] },
    ],
  },
};

describe('engine scoring with a Fellegi–Sunter model', () => {
  it('confidence is the posterior sigmoid(logit(prior) + Σ log BF) of the best candidate', () => {
    const index = buildReferenceIndex([{ id: 'r1', values: { name: 'anna smith', year: '1980' } }], config);
    const [row] = matchSlice(index, [{ id: 's1', values: { name: 'anna smith', year: '1980' } }]).rows;
    expect(row?.confidence).toBe(roundConfidence(sigmoid(logit(0.01) + 5 + 3)));
    expect(row?.referenceRowId).toBe('r1');
    expect(row?.evidence.map((e) => e.score)).toEqual([1, 1]);
  });

  it('a missing value is neutral (Bayes factor 1) on either side', () => {
    const index = buildReferenceIndex(
      [
        { id: 'r1', values: { name: 'anna smith', year: '' } },
        { id: 'r2', values: { name: 'anna smyth', year: '1980' } },
      ],
      config,
    );
    const rows = matchSlice(index, [
      { id: 's1', values: { name: 'anna smith', year: '1980' } },
      { id: 's2', values: { name: 'anna smith', year: '' } },
    ]).rows;
    // s1 vs r1: the year is missing on the reference side → name only
    const r1 = rows[0]?.candidates.find((c) => c.referenceRowId === 'r1');
    expect(r1?.confidence).toBe(roundConfidence(sigmoid(logit(0.01) + 5)));
    // s2 has no year: r1 and r2 are scored on the name alone
    expect(rows[1]?.candidates[0]).toEqual({ referenceRowId: 'r1', confidence: roundConfidence(sigmoid(logit(0.01) + 5)) });
    expect(rows[1]?.evidence[1]?.score).toBeNull();
  });

  it('probabilities stay in [0, 1] and grow with agreement', () => {
    const reference: EngineRow[] = [
      { id: 'a', values: { name: 'anna smith', year: '1980' } },
      { id: 'b', values: { name: 'anna smyth', year: '1980' } },
      { id: 'c', values: { name: 'anna smyth', year: '1999' } },
      { id: 'd', values: { name: 'axel borg', year: '1999' } },
    ];
    const index = buildReferenceIndex(reference, config);
    const [row] = matchSlice(index, [{ id: 's', values: { name: 'anna smith', year: '1980' } }]).rows;
    const conf = new Map(row?.candidates.map((c) => [c.referenceRowId, c.confidence]));
    for (const p of conf.values()) expect(p >= 0 && p <= 1).toBe(true);
    expect(conf.get('a')).toBeGreaterThan(conf.get('b') as number);
    expect(conf.get('b')).toBeGreaterThan(conf.get('c') as number);
    expect(conf.get('c')).toBeGreaterThan(conf.get('d') as number);
    expect(row?.candidates.map((c) => c.referenceRowId)).toEqual(['a', 'b', 'c', 'd']);
  });

  it.each([false, true])(
    'pruning keeps results exact: the top 5 equal a brute-force ranking by log-odds (interpolated: %s)',
    (interpolate) => {
      const model = { ...config.model!, fields: config.model!.fields.map((f) => ({ ...f, interpolate })) };
      const random = mulberry32(7);
      const words = ['anna', 'anne', 'annie', 'ann', 'hanna', 'anya', 'arne', 'axel'];
      const reference: EngineRow[] = Array.from({ length: 150 }, (_, i) => ({
        id: `r${String(i).padStart(3, '0')}`,
        values: { name: `${words[i % 8]} ${typo('smithson', random)}`, year: String(1970 + (i % 7)) },
      }));
      const sources: EngineRow[] = Array.from({ length: 24 }, (_, i) => ({
        id: `s${i}`,
        values: { name: `${words[i % 8]} ${typo('smithson', random)}`, year: i % 5 === 0 ? '' : String(1970 + (i % 7)) },
      }));
      const index = buildReferenceIndex(reference, { ...config, model });
      const { rows } = matchSlice(index, sources);
      // brute force: every reference row sharing the blocking key (first letter), log-odds summed by hand
      const logOdds = (s: EngineRow, r: EngineRow) => {
        let x = logit(model.prior);
        config.fieldMappings.forEach((m, f) => {
          const score = compareValues(m, s.values[m.source], r.values[m.target]);
          if (score === null) return;
          const field = model.fields[f]!;
          x += interpolate
            ? scoreLogBayesFactor(field.levels, field.logBayesFactors, score, true)
            : field.logBayesFactors[field.levels.findIndex((l) => score >= l)]!;
        });
        return x;
      };
      sources.forEach((s, i) => {
        const expected = reference
          .filter((r) => (r.values.name as string)[0] === (s.values.name as string)[0])
          .map((r) => ({ id: r.id, x: logOdds(s, r) }))
          .sort((a, b) => b.x - a.x || (a.id < b.id ? -1 : 1))
          .slice(0, 5);
        expect(rows[i]?.candidates.map((c) => c.referenceRowId)).toEqual(expected.map((e) => e.id));
        rows[i]?.candidates.forEach((c, k) => expect(c.confidence).toBe(roundConfidence(sigmoid(expected[k]!.x))));
      });
    },
    30_000,
  );

  it('with interpolate, candidates within one level rank by their score, between the neighbouring factors', () => {
    const interpolated: MatchConfig = {
      ...config,
      model: { ...config.model!, fields: [{ ...config.model!.fields[0]!, interpolate: true }, config.model!.fields[1]!] },
    };
    const reference: EngineRow[] = [
      // ids in the opposite order of similarity: without interpolation the tie would go to 'a'
      { id: 'a', values: { name: 'anna smyht', year: '1980' } },
      { id: 'b', values: { name: 'anna smitt', year: '1980' } },
    ];
    const source = [{ id: 's', values: { name: 'anna smith', year: '1980' } }];
    const name = config.fieldMappings[0]!;
    const scores = reference.map((r) => compareValues(name, 'anna smith', r.values.name) as number);
    expect(scores.every((x) => x >= 0.9 && x < 1)).toBe(true);
    expect(scores[1]).toBeGreaterThan(scores[0]!);
    const [stepped] = matchSlice(buildReferenceIndex(reference, config), source).rows;
    expect(stepped?.candidates.map((c) => c.confidence)).toEqual([1, 1].map(() => roundConfidence(sigmoid(logit(0.01) + 2 + 3))));
    const [row] = matchSlice(buildReferenceIndex(reference, interpolated), source).rows;
    expect(row?.candidates.map((c) => c.referenceRowId)).toEqual(['b', 'a']);
    const factors = scores.map((score) => scoreLogBayesFactor([1, 0.9, 0], [5, 2, -3], score, true));
    expect(factors[1]).toBeGreaterThan(factors[0]!);
    for (const factor of factors) expect(factor > -3 && factor < 5 && factor !== 2).toBe(true);
    expect(row?.candidates.map((c) => c.confidence)).toEqual(
      [factors[1]!, factors[0]!].map((factor) => roundConfidence(sigmoid(logit(0.01) + factor + 3))),
    );
  });

  it('interpolated factors run through each level midpoint, flat beyond the outer ones, and never fall with the score', () => {
    const levels = [0.8, 0.5, 0];
    const factors = [4, 1, -3];
    // midpoints 0.9, 0.65, 0.25
    expect(scoreLogBayesFactor(levels, factors, 0.97, true)).toBe(4);
    expect(scoreLogBayesFactor(levels, factors, 0.9, true)).toBe(4);
    expect(scoreLogBayesFactor(levels, factors, 0.85, true)).toBeCloseTo(3.4, 12);
    expect(scoreLogBayesFactor(levels, factors, 0.65, true)).toBe(1);
    expect(scoreLogBayesFactor(levels, factors, 0.6, true)).toBeCloseTo(0.5, 12);
    expect(scoreLogBayesFactor(levels, factors, 0.4, true)).toBeCloseTo(-1.5, 12);
    expect(scoreLogBayesFactor(levels, factors, 0.1, true)).toBe(-3);
    expect(scoreLogBayesFactor(levels, factors, 0.85, false)).toBe(4);
    expect(scoreLogBayesFactor(levels, factors, 0.6, false)).toBe(1);
    expect(scoreLogBayesFactor([0.8, 0.5], [4, 1], 0.2, true)).toBe(0);
    let previous = -Infinity;
    for (let s = 0; s <= 1; s += 0.001) {
      const x = scoreLogBayesFactor(levels, factors, s, true);
      expect(x).toBeGreaterThanOrEqual(previous - 1e-12);
      expect(x).toBeGreaterThanOrEqual(-3);
      expect(x).toBeLessThanOrEqual(4);
      previous = x;
    }
  });

  it('without a model the weighted average is unchanged', () => {
    const { model: _model, ...plain } = config;
    const index = buildReferenceIndex([{ id: 'r1', values: { name: 'anna smith', year: '1999' } }], plain);
    const [row] = matchSlice(index, [{ id: 's1', values: { name: 'anna smith', year: '1980' } }]).rows;
    expect(row?.confidence).toBe(0.5);
  });
});
