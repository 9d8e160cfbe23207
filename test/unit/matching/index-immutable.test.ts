import { describe, expect, it } from 'vitest';
import { buildReferenceIndex, matchSlice, ReferenceIndex, type EngineRow, type MatchConfig } from '../../../src/matching/index';

const config: MatchConfig = {
  threshold: 0.7,
  fieldMappings: [
    { source: 'name', target: 'name', strategy: 'fuzzy', weight: 0.7, options: { algorithm: 'jaro_winkler' } },
    { source: 'city', target: 'city', strategy: 'exact', weight: 0.3 },
  ],
};

const reference: EngineRow[] = Array.from({ length: 400 }, (_, i) => ({
  id: `r${String(i).padStart(4, '0')}`,
  values: { name: `company ${['alpha', 'beta', 'gamma', 'delta'][i % 4]} ${i}`, city: ['paris', 'lyon', 'nice'][i % 3] },
}));
const sources: EngineRow[] = Array.from({ length: 60 }, (_, i) => ({
  id: `s${i}`,
  values: { name: `compny ${['alpha', 'beta'][i % 2]} ${i * 5}`, city: 'paris' },
}));

describe('reference index: immutable data, per-thread matching state', () => {
  it('is frozen: matching writes nothing into the index or its data', () => {
    const index = buildReferenceIndex(reference, config);
    expect(Object.isFrozen(index)).toBe(true);
    expect(Object.isFrozen(index.data)).toBe(true);
    const before = Buffer.from(
      index.data.ids.codes.buffer as ArrayBuffer,
      index.data.ids.codes.byteOffset,
      index.data.ids.codes.byteLength,
    ).toString('base64');
    matchSlice(index, sources);
    expect(
      Buffer.from(index.data.ids.codes.buffer as ArrayBuffer, index.data.ids.codes.byteOffset, index.data.ids.codes.byteLength).toString(
        'base64',
      ),
    ).toBe(before);
  });

  it('gives every request on one index the results it gets alone, in any order and through any view of the data', () => {
    const index = buildReferenceIndex(reference, config);
    const alone = sources.map((row) => matchSlice(buildReferenceIndex(reference, config), [row]).rows[0]);
    // Interleaved: one-record requests alternating with a batch, on the same index and on a second view of its data.
    const view = ReferenceIndex.fromData(index.data);
    const mixed = sources.map((row, i) => {
      if (i % 7 === 0) matchSlice(view, sources.slice(0, 10));
      return matchSlice(i % 2 ? index : view, [row]).rows[0];
    });
    expect(mixed).toEqual(alone);
    expect(matchSlice(index, sources).rows).toEqual(alone);
  });
});
