import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildReferenceIndex, type EngineRow, type MatchConfig } from '../../../src/matching/index';
import { matchSliceCompact } from '../../../src/matching/match';

// Few distinct letters: many equal values and equal scores (ties go to the smaller id), many candidates per row
// (pruning), some missing values, and now and then a value over 256 code units (the row goes to the JavaScript loop).
const letter = fc.constantFrom('a', 'b', 'c', 'é', ' ');
const value = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: letter, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: letter, minLength: 250, maxLength: 300 }) },
);
const row = fc.record({ name: value, city: value, code: value });
const weight = fc.constantFrom(0, 0.5, 1, 2);

describe('row scorer (one WebAssembly call per source row)', () => {
  it("gives the JavaScript loop's top lists, confidences and field scores, bit for bit", () => {
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 40 }),
        fc.array(row, { minLength: 1, maxLength: 15 }),
        fc.tuple(weight, weight, weight),
        (reference, source, [w1, w2, w3]) => {
          const config: MatchConfig = {
            threshold: 0.5,
            fieldMappings: [
              { source: 'name', target: 'name', strategy: 'fuzzy', weight: w1 },
              { source: 'city', target: 'city', strategy: 'exact', weight: w2 },
              { source: 'code', target: 'code', strategy: 'fuzzy', weight: w3, options: { algorithm: 'jaro_winkler' } },
            ],
            // Every row shares the key: all reference rows are candidates of every source row.
            blocking: { keys: [{ parts: [{ source: 'all', target: 'all', transform: 'exact' }] }] },
          };
          const rows = (values: Array<Record<string, string>>, prefix: string): EngineRow[] =>
            values.map((v, i) => ({ id: `${prefix}${(i * 7) % 10}-${i}`, values: { ...v, all: 'x' } }));
          const index = buildReferenceIndex(rows(reference, 'r'), config);
          expect(index.rowScorer()).not.toBeNull();
          const inWasm = matchSliceCompact(index, rows(source, 's'));
          const inJs = matchSliceCompact(index, rows(source, 's'), { rowScorer: false });
          expect(inWasm).toEqual(inJs);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is not used where a field is neither Jaro–Winkler nor exact, nor with a Fellegi–Sunter model', () => {
    const rows: EngineRow[] = [{ id: 'r', values: { name: 'ann' } }];
    const levenshtein = buildReferenceIndex(rows, {
      threshold: 0.5,
      fieldMappings: [{ source: 'name', target: 'name', strategy: 'fuzzy', weight: 1, options: { algorithm: 'levenshtein' } }],
    });
    expect(levenshtein.rowScorer()).toBeNull();
    const model = buildReferenceIndex(rows, {
      threshold: 0.5,
      fieldMappings: [{ source: 'name', target: 'name', strategy: 'fuzzy', weight: 1 }],
      model: { kind: 'fellegi_sunter', prior: 0.1, fields: [{ levels: [0.9, 0], logBayesFactors: [3, -2] }] },
    });
    expect(model.rowScorer()).toBeNull();
  });
});
