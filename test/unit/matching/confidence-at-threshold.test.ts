import { describe, expect, it } from 'vitest';
import {
  buildReferenceIndex,
  matchSlice,
  matchSliceCompact,
  expandSliceResult,
  resolveOneToOne,
  type MatchConfig,
} from '../../../src/matching/index';

// The README's FEBRL config shape: three fields agree, a fourth does not, so the weighted average is
// (0.25 + 0.2 + 0.15) / 0.75 — 0.7999999999999999 in floating point — against a threshold of 0.8.
const config: MatchConfig = {
  fieldMappings: [
    { source: 'a', target: 'a', strategy: 'exact', weight: 0.25 },
    { source: 'b', target: 'b', strategy: 'exact', weight: 0.2 },
    { source: 'c', target: 'c', strategy: 'exact', weight: 0.15 },
    { source: 'd', target: 'd', strategy: 'exact', weight: 0.15 },
  ],
  threshold: 0.8,
  blocking: { keys: [{ parts: [{ source: 'a', target: 'a', transform: 'exact' }] }] },
};
const reference = [{ id: 'r1', values: { a: 'x', b: 'y', c: 'z', d: 'one' } }];
const source = [{ id: 's1', values: { a: 'x', b: 'y', c: 'z', d: 'two' } }];

describe('a confidence exactly at the threshold', () => {
  it('is stored as the value decided on, and counts as reaching the threshold', () => {
    expect((0.25 + 0.2 + 0.15) / 0.75).toBeLessThan(0.8); // the floating-point sum the engine computes
    const index = buildReferenceIndex(reference, config);
    for (const options of [{}, { rowScorer: false, rowIngest: false }]) {
      const compact = matchSliceCompact(index, source, options);
      const { rows, stats } = expandSliceResult(index, source, compact);
      expect(rows[0]?.confidence).toBe(0.8);
      expect(rows[0]?.referenceRowId).toBe('r1');
      expect(rows[0]?.candidates[0]?.confidence).toBe(0.8);
      expect(stats.rowsMatched).toBe(1);
    }
  });

  it('is kept by one-to-one assignment at that threshold', () => {
    const { rows } = matchSlice(buildReferenceIndex(reference, config), source);
    expect(resolveOneToOne(rows, 0.8).get('s1')?.referenceRowId).toBe('r1');
  });
});
