import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildReferenceIndex,
  type BlockingKeyPart,
  type EngineRow,
  type FieldMapping,
  type MatchConfig,
} from '../../../src/matching/index';
import { matchSliceCompact } from '../../../src/matching/match';

// Cells mix what the kernel normalises itself (case, apostrophes, punctuation runs, spaces at either end) with
// what sends a row back to JavaScript (characters beyond ASCII, a NUL inside a cell, which sends its whole batch)
// and values that are not strings.
// Mostly ASCII, so that most batches reach the kernels; a NUL is rarer still, as it sends its whole batch back.
const unit = fc.oneof(
  { weight: 1000, arbitrary: fc.constantFrom('a', 'B', 'c', '1', ' ', "'", '-', '.') },
  { weight: 10, arbitrary: fc.constantFrom('é', '\u2019', 'Ä') },
  { weight: 1, arbitrary: fc.constant('\0') },
);
// Now and then a value over 256 code units: its row is scored by the JavaScript loop.
const text = fc.oneof(
  { weight: 30, arbitrary: fc.string({ unit, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit, minLength: 250, maxLength: 300 }) },
);
const cell = fc.oneof(
  { weight: 12, arbitrary: text },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 12.5, 7, true, Number.NaN, ['a', 'B'], new Date(0)) },
);
const COLUMNS = ['name', 'city', 'code', 'extra'] as const;
const values = fc.record(Object.fromEntries(COLUMNS.map((c) => [c, cell])), { requiredKeys: [] });
const mapping = fc.record({
  column: fc.constantFrom('name', 'city', 'code'),
  strategy: fc.constantFrom<Pick<FieldMapping, 'strategy' | 'options'>>(
    { strategy: 'exact' },
    { strategy: 'fuzzy' },
    { strategy: 'fuzzy', options: { algorithm: 'levenshtein' } },
    { strategy: 'fuzzy', options: { algorithm: 'damerau_levenshtein' } },
  ),
  weight: fc.constantFrom(0, 0.5, 1),
});
const part = fc.record({
  column: fc.constantFrom(...COLUMNS),
  transform: fc.constantFrom<Pick<BlockingKeyPart, 'transform' | 'length'>>(
    { transform: 'exact' },
    { transform: 'prefix', length: 2 },
    { transform: 'prefix' },
  ),
});
const config = fc
  .record({
    mappings: fc.array(mapping, { minLength: 1, maxLength: 4 }),
    keys: fc.array(fc.array(part, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
    strategy: fc.constantFrom<'parallel' | 'ordered_fallback'>('parallel', 'ordered_fallback'),
    // small caps make stop-keys
    maxPostings: fc.constantFrom(undefined, 2, 5),
  })
  .map(
    ({ mappings, keys, strategy, maxPostings }): MatchConfig => ({
      threshold: 0.5,
      fieldMappings: mappings.map(({ column, strategy: s, weight }) => ({ source: column, target: column, weight, ...s })),
      blocking: {
        strategy,
        maxPostings,
        keys: keys.map((parts) => ({ parts: parts.map(({ column, transform }) => ({ source: column, target: column, ...transform })) })),
      },
    }),
  );

const rows = (cells: Array<Record<string, unknown>>, prefix: string): EngineRow[] =>
  cells.map((v, i) => ({ id: `${prefix}${i}`, values: v }));

describe('row ingest (the per-row work of builds and matches in WebAssembly)', () => {
  // Configs of Jaro–Winkler and exact fields also take the row scorer's batch path (scoreBatchRow).
  it('builds the index the JavaScript row loop builds and matches source rows as it does', () => {
    fc.assert(
      fc.property(
        config,
        fc.array(values, { minLength: 1, maxLength: 30 }),
        fc.array(values, { minLength: 1, maxLength: 10 }),
        (cfg, reference, source) => {
          const index = buildReferenceIndex(rows(reference, 'r'), cfg);
          expect(index.sourceIngest()).not.toBeNull();
          expect(index.data).toEqual(buildReferenceIndex(rows(reference, 'r'), cfg, { rowIngest: false }).data);
          expect(matchSliceCompact(index, rows(source, 's'))).toEqual(
            matchSliceCompact(index, rows(source, 's'), { rowIngest: false, rowScorer: false }),
          );
        },
      ),
      { numRuns: 400 },
    );
    // 400 property runs take ~4 s alone; on a busy 2-core machine the default 5 s was not enough.
  }, 30_000);

  it('scores batch rows in one kernel call as the JavaScript loop does (Jaro–Winkler and exact fields, many candidates)', () => {
    const jaroWinklerOrExact = fc.record({
      column: fc.constantFrom('name', 'city', 'code'),
      exact: fc.boolean(),
      weight: fc.constantFrom(0, 0.5, 1, 2),
    });
    fc.assert(
      fc.property(
        fc.array(jaroWinklerOrExact, { minLength: 1, maxLength: 4 }),
        config,
        fc.boolean(),
        fc.array(values, { minLength: 1, maxLength: 40 }),
        fc.array(values, { minLength: 1, maxLength: 20 }),
        (fields, { blocking }, everyRow, reference, source) => {
          const cfg: MatchConfig = {
            threshold: 0.5,
            // At least one Jaro–Winkler field: without one the texts are not in a kernel memory and there is no row scorer.
            fieldMappings: [{ column: 'code', exact: false, weight: 1 }, ...fields].map(({ column, exact, weight }) => ({
              source: column,
              target: column,
              weight,
              strategy: exact ? 'exact' : 'fuzzy',
            })),
            // The random keys (prefixes of few letters: many shared) and, now and then, one every row shares (all
            // reference rows are candidates of every source row unless ordered fallback stops earlier).
            blocking: {
              ...blocking,
              keys: [
                ...(blocking?.keys ?? []),
                ...(everyRow ? [{ parts: [{ source: 'all', target: 'all', transform: 'exact' as const }] }] : []),
              ],
            },
          };
          const withKey = (cells: Array<Record<string, unknown>>, prefix: string) =>
            rows(
              cells.map((v) => ({ ...v, all: 'x' })),
              prefix,
            );
          const index = buildReferenceIndex(withKey(reference, 'r'), cfg);
          expect(index.rowScorer()).not.toBeNull();
          expect(matchSliceCompact(index, withKey(source, 's'))).toEqual(
            matchSliceCompact(index, withKey(source, 's'), { rowIngest: false, rowScorer: false }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps row order across batches, rows refused one by one and a batch refused whole', () => {
    const cfg: MatchConfig = {
      threshold: 0.5,
      fieldMappings: [
        { source: 'name', target: 'name', strategy: 'fuzzy', weight: 1 },
        { source: 'city', target: 'city', strategy: 'exact', weight: 0.5 },
      ],
      blocking: {
        keys: [
          { parts: [{ source: 'city', target: 'city', transform: 'exact' }] },
          { parts: [{ source: 'name', target: 'name', transform: 'prefix', length: 3 }] },
        ],
      },
    };
    const make = (count: number, prefix: string) =>
      rows(
        Array.from({ length: count }, (_, i) => ({
          name: i % 97 === 5 ? `Zoë ${i % 13}` : `O'Neil-${i % 13} Smith`,
          city: i === 600 ? 'nul\0here' : `  City ${i % 7}. `,
        })),
        prefix,
      );
    const reference = make(1_000, 'r');
    const index = buildReferenceIndex(reference, cfg, { shared: true });
    const inJs = buildReferenceIndex(reference, cfg, { shared: true, rowIngest: false });
    expect(index.data).toEqual(inJs.data);
    expect(index.size).toBe(1_000);
    expect(index.referenceId(999)).toBe('r999');
    const source = make(700, 's');
    const matched = matchSliceCompact(index, source);
    expect(matched).toEqual(matchSliceCompact(inJs, source, { rowIngest: false, rowScorer: false }));
    expect(matched.stats.rowsMatched).toBe(700);
  });

  it('leaves a batch row with more candidates than the kernel takes (16,384) to the JavaScript loop', () => {
    const cfg: MatchConfig = {
      threshold: 0.5,
      fieldMappings: [{ source: 'name', target: 'name', strategy: 'fuzzy', weight: 1 }],
      blocking: {
        maxPostings: 20_000,
        keys: [
          { parts: [{ source: 'city', target: 'city', transform: 'exact' }] },
          { parts: [{ source: 'name', target: 'name', transform: 'exact' }] },
        ],
      },
    };
    const index = buildReferenceIndex(
      rows(
        Array.from({ length: 16_500 }, (_, i) => ({ name: `n${i % 500}`, city: i < 16_400 ? 'big' : 'small' })),
        'r',
      ),
      cfg,
    );
    const source = rows(
      [
        { name: 'n7', city: 'big' },
        { name: 'n8', city: 'small' },
        { name: 'n9', city: 'big' },
      ],
      's',
    );
    const matched = matchSliceCompact(index, source);
    expect(matched).toEqual(matchSliceCompact(index, source, { rowIngest: false, rowScorer: false }));
    expect(matched.stats.pairsCompared).toBe(16_400 + (100 + 33) + 16_400); // every n7 and n9 row is in "big"
  });

  it('is not used where a field or a key part needs more than the normal text', () => {
    const reference: EngineRow[] = [{ id: 'r', values: { name: 'ann', born: '2000-01-01' } }];
    const name = (extra: Partial<FieldMapping>): FieldMapping => ({
      source: 'name',
      target: 'name',
      strategy: 'fuzzy',
      weight: 1,
      ...extra,
    });
    const configs: MatchConfig[] = [
      { threshold: 0.5, fieldMappings: [name({ options: { algorithm: 'token_set' } })] },
      { threshold: 0.5, fieldMappings: [name({ strategy: 'phonetic' })] },
      { threshold: 0.5, fieldMappings: [name({}), { source: 'born', target: 'born', strategy: 'date_range', weight: 1 }] },
      { threshold: 0.5, fieldMappings: [name({})] }, // default keys: phonetic codes
      {
        threshold: 0.5,
        fieldMappings: [name({})],
        blocking: { keys: [{ parts: [{ source: 'name', target: 'name', transform: 'qgrams' }] }] },
      },
    ];
    for (const cfg of configs) expect(buildReferenceIndex(reference, cfg).sourceIngest()).toBeNull();
  });
});
