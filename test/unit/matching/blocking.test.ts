import { describe, expect, it } from 'vitest';
import {
  blockingStats,
  buildReferenceIndex,
  defaultBlockingKeys,
  matchSlice,
  type EngineRow,
  type MatchConfig,
} from '../../../src/matching/index';

const nameMapping = { source: 'name', target: 'name', strategy: 'fuzzy' as const, weight: 0.5 };
const cityMapping = { source: 'city', target: 'city', strategy: 'exact' as const, weight: 0.5 };

function rows(values: Array<Record<string, unknown>>, prefix: string): EngineRow[] {
  return values.map((v, i) => ({ id: `${prefix}${i}`, values: v }));
}

describe('blocking', () => {
  it('only compares rows sharing a key, and reports pairs and the reduction ratio', () => {
    const reference = rows(
      [
        { name: 'anna', city: 'oslo' },
        { name: 'bob', city: 'oslo' },
        { name: 'carl', city: 'rome' },
        { name: 'dora', city: 'rome' },
      ],
      'r',
    );
    const config: MatchConfig = {
      fieldMappings: [nameMapping, cityMapping],
      threshold: 0.5,
      blocking: { keys: [{ parts: [{ source: 'city', target: 'city', transform: 'exact' }] }] },
    };
    const index = buildReferenceIndex(reference, config);
    const source = rows(
      [
        { name: 'ana', city: 'Oslo' },
        { name: 'zed', city: 'paris' },
      ],
      's',
    );
    const stats = blockingStats(index, source);
    expect(stats).toEqual({
      sourceRows: 2,
      referenceRows: 4,
      pairs: 2,
      reductionRatio: 1 - 2 / 8,
      rowsWithoutCandidates: 1,
      stopKeyHits: 0,
    });
    const result = matchSlice(index, source);
    expect(result.stats.pairsCompared).toBe(2);
    expect(result.rows[0]?.candidates.map((c) => c.referenceRowId).sort()).toEqual(['r0', 'r1']);
    expect(result.rows[1]?.candidates).toEqual([]);
  });

  it('drops postings longer than maxPostings as stop-keys', () => {
    const reference = rows(
      [
        { name: 'anna', city: 'oslo' },
        { name: 'bob', city: 'oslo' },
        { name: 'cleo', city: 'oslo' },
        { name: 'dora', city: 'rome' },
      ],
      'r',
    );
    const config: MatchConfig = {
      fieldMappings: [nameMapping, cityMapping],
      threshold: 0.5,
      blocking: { maxPostings: 2, keys: [{ parts: [{ source: 'city', target: 'city', transform: 'exact' }] }] },
    };
    const index = buildReferenceIndex(reference, config);
    expect(index.data.blocking.stopKeys).toBe(1);
    const stats = blockingStats(
      index,
      rows(
        [
          { name: 'anna', city: 'oslo' },
          { name: 'dora', city: 'rome' },
        ],
        's',
      ),
    );
    expect(stats.pairs).toBe(1); // oslo (3 rows) is a stop-key; rome still blocks
    expect(stats.stopKeyHits).toBe(1);
    expect(stats.rowsWithoutCandidates).toBe(1);
  });

  it('parallel takes the union of all keys; ordered_fallback the first key that yields candidates', () => {
    const reference = rows(
      [
        { name: 'anna', city: 'oslo' },
        { name: 'anna', city: 'rome' },
        { name: 'bob', city: 'oslo' },
      ],
      'r',
    );
    const keys = [
      { parts: [{ source: 'name', target: 'name', transform: 'exact' as const }] },
      { parts: [{ source: 'city', target: 'city', transform: 'exact' as const }] },
    ];
    const parallel = buildReferenceIndex(reference, {
      fieldMappings: [nameMapping, cityMapping],
      threshold: 0.5,
      blocking: { strategy: 'parallel', keys },
    });
    const fallback = buildReferenceIndex(reference, {
      fieldMappings: [nameMapping, cityMapping],
      threshold: 0.5,
      blocking: { strategy: 'ordered_fallback', keys },
    });
    const source = rows(
      [
        { name: 'anna', city: 'oslo' },
        { name: 'zoe', city: 'oslo' },
      ],
      's',
    );
    const ids = (index: typeof parallel) => matchSlice(index, source).rows.map((r) => r.candidates.map((c) => c.referenceRowId).sort());
    expect(ids(parallel)).toEqual([
      ['r0', 'r1', 'r2'],
      ['r0', 'r2'],
    ]);
    // anna: the name key already yields r0, r1; zoe: no name match, falls back to the city key
    expect(ids(fallback)).toEqual([
      ['r0', 'r1'],
      ['r0', 'r2'],
    ]);
    expect(blockingStats(fallback, source).pairs).toBe(4);
    expect(blockingStats(parallel, source).pairs).toBe(5);
  });

  it('supports conjunctive keys and the tokens, q-gram, prefix and phonetic transforms', () => {
    const reference = rows(
      [
        { name: 'Jon Smith', city: 'Oslo' },
        { name: 'Jane Smyth', city: 'Rome' },
        { name: 'Bob Brown', city: 'Oslo' },
      ],
      'r',
    );
    const pairsFor = (transform: 'tokens' | 'qgrams' | 'prefix' | 'phonetic', sourceName: string, length?: number, withCity = false) => {
      const parts = [{ source: 'name', target: 'name', transform, length }];
      if (withCity) parts.push({ source: 'city', target: 'city', transform: 'exact' as never, length: undefined });
      const index = buildReferenceIndex(reference, { fieldMappings: [nameMapping], threshold: 0, blocking: { keys: [{ parts }] } });
      return matchSlice(index, rows([{ name: sourceName, city: 'oslo' }], 's'))
        .rows[0]?.candidates.map((c) => c.referenceRowId)
        .sort();
    };
    expect(pairsFor('tokens', 'smith john')).toEqual(['r0']);
    expect(pairsFor('phonetic', 'smith')).toEqual(['r0', 'r1']);
    expect(pairsFor('phonetic', 'smith', undefined, true)).toEqual(['r0']); // and city = oslo
    expect(pairsFor('prefix', 'jan', 2)).toEqual(['r1']);
    expect(pairsFor('prefix', 'jan', 1)).toEqual(['r0', 'r1']);
    expect(pairsFor('qgrams', 'xbrownx', 4)).toEqual(['r2']);
  });

  it('derives two-field keys from the heaviest mappings when there are four or more', () => {
    const mapping = (column: string, weight: number, strategy: 'fuzzy' | 'exact' = 'fuzzy') => ({
      source: column,
      target: column,
      strategy,
      weight,
    });
    const keys = defaultBlockingKeys([
      mapping('a', 0.1),
      mapping('b', 0.3),
      mapping('c', 0.05, 'exact'),
      mapping('d', 0.2),
      mapping('e', 0.2),
      mapping('f', 0.05),
      mapping('g', 0.1),
    ]);
    expect(keys).toHaveLength(15); // pairs of the 6 heaviest: b, d, e, a, g, c (ties in mapping order); f is left out
    expect(keys.flatMap((k) => k.parts.map((p) => p.source))).not.toContain('f');
    expect(keys[0]?.parts).toEqual([
      { source: 'b', target: 'b', transform: 'phonetic' },
      { source: 'd', target: 'd', transform: 'phonetic' },
    ]);
    expect(keys.find((k) => k.parts.some((p) => p.source === 'c'))?.parts[1]).toEqual({ source: 'c', target: 'c', transform: 'exact' });
    expect(defaultBlockingKeys([mapping('a', 0.5), mapping('b', 0.5)]).map((k) => k.parts.length)).toEqual([1, 1]);
  });

  it('derives keys from the mappings when none are given (phonetic for fuzzy text)', () => {
    const reference = rows([{ name: 'Smith' }, { name: 'Jones' }, { name: 'Brown' }], 'r');
    const index = buildReferenceIndex(reference, { fieldMappings: [{ ...nameMapping, weight: 1 }], threshold: 0.8 });
    const result = matchSlice(index, rows([{ name: 'Smyth' }], 's'));
    expect(result.stats.pairsCompared).toBe(1);
    expect(result.rows[0]?.referenceRowId).toBe('r0');
  });
});

describe('nearby', () => {
  const dates = rows(
    ['2025-03-01', '2025-03-04', '2025-03-08', '2025-03-20'].map((d) => ({ day: d })),
    'r',
  );
  const onDay = { source: 'day', target: 'day', strategy: 'date_range' as const, weight: 1, options: { toleranceDays: 30 } };
  const candidates = (reference: EngineRow[], mapping: MatchConfig['fieldMappings'][number], value: unknown, length?: number) => {
    const index = buildReferenceIndex(reference, {
      fieldMappings: [mapping],
      threshold: 0,
      blocking: {
        keys: [{ parts: [{ source: mapping.source, target: mapping.target, transform: 'nearby', ...(length ? { length } : {}) }] }],
      },
    });
    const [row] = matchSlice(index, [{ id: 's', values: { [mapping.source]: value } }]).rows;
    return row!.candidates.map((c) => c.referenceRowId).sort();
  };

  it('finds dates at most w days apart always, and never those over 2w apart', () => {
    // w = 3: 03-01 and 03-04 are 3 days apart, 03-08 is 5 from 03-03, 03-20 far
    expect(candidates(dates, onDay, '2025-03-03')).toEqual(expect.arrayContaining(['r0', 'r1']));
    expect(candidates(dates, onDay, '2025-03-03')).not.toContain('r3');
    for (let day = 1; day <= 28; day++) {
      const found = candidates(dates, onDay, `2025-03-${String(day).padStart(2, '0')}`, 2);
      dates.forEach((r, i) => {
        const apart = Math.abs(day - Number(String(r.values.day).slice(8)));
        if (apart <= 2) expect(found).toContain(`r${i}`);
        if (apart > 4) expect(found).not.toContain(`r${i}`);
      });
    }
  });

  it('finds numbers within w percent (numbers of a numeric range; a text column has no nearby values)', () => {
    const amounts = rows([{ amount: '100.00' }, { amount: '101.50' }, { amount: '120' }], 'r');
    const onAmount = { source: 'amount', target: 'amount', strategy: 'numeric_range' as const, weight: 1, options: { tolerancePct: 5 } };
    expect(candidates(amounts, onAmount, '100.9')).toEqual(expect.arrayContaining(['r0', 'r1']));
    expect(candidates(amounts, onAmount, '100.9')).not.toContain('r2');
    const asText = { source: 'amount', target: 'amount', strategy: 'exact' as const, weight: 1 };
    expect(candidates(amounts, asText, '100.00')).toEqual([]);
  });
});
