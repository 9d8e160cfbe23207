// Variant words: learnt from the reference's own near-duplicates, and what they do in the review pass.
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../../bench/quality/datasets/index';
import type { EngineRow, MatchConfig } from '../../../src/matching/index';
import { createReviewResolver, generateStrategy } from '../../../src/matching/smart/index';
import { VariantWords } from '../../../src/matching/smart/variants';

const title = [{ source: 'title', target: 'title' }];

function learnt(columns: Array<{ source: string; target: string }>, rows: Array<Record<string, unknown>>): VariantWords {
  const variants = new VariantWords(columns);
  for (const values of rows) variants.add(values);
  return variants.finish();
}

function compare(variants: VariantWords, source: Record<string, unknown>, reference: Record<string, unknown>) {
  return variants.compare(variants.wordsOf(source, 'source'), variants.wordsOf(reference, 'target'));
}

describe('variant words', () => {
  const variants = learnt(title, [
    { title: 'Zeta travel mug red' },
    { title: 'Zeta travel mug black' },
    { title: 'Omni USB stick 4GB' },
    { title: 'Omni USB stick 8GB' },
    // Differs from the mugs in two words: no variant pair.
    { title: 'Zeta coffee mug blue' },
  ]);

  it('pairs the words in which two reference rows differ, and nothing else', () => {
    expect(variants.size).toBe(2);
    expect(compare(variants, { title: 'Acme phone case red' }, { title: 'Acme phone case black leather' })).toEqual({
      score: 0,
      sourceWord: 'red',
      referenceWord: 'black',
    });
    expect(compare(variants, { title: 'acme drive 8gb' }, { title: 'Acme drive 4GB' })).toMatchObject({ score: 0 });
    // blue was never the only difference between two rows.
    expect(compare(variants, { title: 'acme case blue' }, { title: 'acme case black' })).toBeNull();
  });

  it('reads a variant word both rows hold as agreement, and rows without one as no evidence', () => {
    expect(compare(variants, { title: 'acme case red' }, { title: 'red acme phone case' })).toEqual({
      score: 1,
      sourceWord: 'red',
      referenceWord: 'red',
    });
    // A conflict wins over a shared variant word.
    expect(compare(variants, { title: 'case red 4gb' }, { title: 'case red 8gb' })).toMatchObject({ score: 0 });
    expect(compare(variants, { title: 'acme case' }, { title: 'acme case' })).toBeNull();
  });

  it('keeps columns apart: a variant of one column never pairs with a word of another', () => {
    const columns = [
      { source: 'title', target: 'title' },
      { source: 'colour', target: 'colour' },
    ];
    const twoColumns = learnt(columns, [
      { title: 'zeta mug', colour: 'red glossy' },
      { title: 'zeta mug', colour: 'black glossy' },
    ]);
    expect(twoColumns.size).toBe(1);
    expect(compare(twoColumns, { colour: 'red glossy' }, { colour: 'black glossy' })).toMatchObject({ score: 0 });
    expect(compare(twoColumns, { title: 'red mug' }, { title: 'black mug' })).toBeNull();
  });

  it('reads two spellings of one word as no variant pair (a duplicate row with a typo), but digits that differ as one', () => {
    const spelt = learnt(title, [
      { title: 'acme mug colour grey' },
      { title: 'acme mug colour gray' },
      { title: 'data base systems databse' },
      { title: 'data base systems database' },
      { title: 'omni stick 4gb' },
      { title: 'omni stick 8gb' },
    ]);
    expect(spelt.size).toBe(1);
    expect(compare(spelt, { title: 'acme mug grey' }, { title: 'acme mug gray' })).toBeNull();
    expect(compare(spelt, { title: 'omni 4gb' }, { title: 'omni 8gb' })).toMatchObject({ score: 0 });
  });

  it('learns nothing from one-word cells or long descriptions', () => {
    expect(learnt(title, [{ title: 'red' }, { title: 'black' }]).size).toBe(0);
    const long = (last: string) => ({ title: `${Array.from({ length: 45 }, (_, i) => `word${i}`).join(' ')} ${last}` });
    expect(learnt(title, [long('red'), long('black')]).size).toBe(0);
  });
});

describe('review resolver variant words', () => {
  // One TF-IDF title field; the sibling in another colour shares more of the source row's words.
  const config = (variants: boolean): MatchConfig => ({
    threshold: 0.5,
    fieldMappings: [{ source: 'title', target: 'title', strategy: 'fuzzy', weight: 1, options: { algorithm: 'tfidf_cosine' } }],
    model: {
      kind: 'fellegi_sunter',
      prior: 0.5,
      fields: [{ levels: [0.95, 0.8, 0.6, 0.35, 0], logBayesFactors: [4, 3, 1, -1, -3], interpolate: true }],
      ...(variants ? { variants: { levels: [1, 0], logBayesFactors: [0.3, -3], columns: title } } : {}),
    },
  });
  const reference: EngineRow[] = [
    { id: 'black', values: { title: 'roocase executive portfolio leather case tablet black' } },
    { id: 'red', values: { title: 'roocase executive portfolio leather case cover red' } },
    // The reference's own siblings that show red and black as variants.
    { id: 'mug-red', values: { title: 'zeta travel mug red' } },
    { id: 'mug-black', values: { title: 'zeta travel mug black' } },
  ];
  const row = { id: 's', values: { title: 'roocase executive portfolio leather case tablet red' } };
  const candidates = [reference[0]!, reference[1]!];

  it('ranks the candidate in the source row’s variant above the sibling that shares more words', () => {
    const without = createReviewResolver(config(false), reference).resolve(row, candidates);
    const withVariants = createReviewResolver(config(true), reference).resolve(row, candidates);
    expect(without.candidates[0]?.referenceRowId).toBe('black');
    expect(withVariants.candidates[0]?.referenceRowId).toBe('red');
    expect(withVariants.referenceRowId).toBe('red');
    const confidence = (result: typeof without, id: string) => result.candidates.find((c) => c.referenceRowId === id)?.confidence as number;
    expect(confidence(withVariants, 'black')).toBeLessThan(confidence(without, 'black') / 5);
    // The evidence says which variant word the two rows share.
    expect(withVariants.evidence.at(-1)).toEqual({
      source: '~',
      target: '~',
      strategy: 'fuzzy',
      score: 1,
      sourceValue: 'red',
      referenceValue: 'red',
    });
    expect(without.evidence.some((e) => e.source === '~')).toBe(false);
  });
});

describe('variant words in generation', () => {
  const generated = (name: string) => {
    const dataset = DATASETS.find((d) => d.name === name)!.load({ seed: 5, referenceSize: 600, sourceSize: 360 });
    return generateStrategy({ reference: dataset.reference, source: dataset.source });
  };

  it("are measured on the refit's pairs: a variant pair apart counts against a match, a variant word in common for it", () => {
    const strategy = generated('products');
    const variants = strategy.match.model?.variants;
    expect(variants).toBeDefined();
    expect(variants!.columns).toContainEqual({ source: 'title', target: 'name' });
    expect(variants!.logBayesFactors[1]).toBeLessThan(-1);
    expect(variants!.logBayesFactors[0]).toBeGreaterThan(0);
    expect(variants!.m![1]).toBeLessThan(variants!.u![1]!);
    expect((strategy.details.model as { variants: { variantPairs: number } }).variants.variantPairs).toBeGreaterThan(0);
  });

  it('are left out where no single-column field compares words', () => {
    const strategy = generated('people_messy');
    expect(
      strategy.match.fieldMappings.some(
        (m) => m.sourceColumns === undefined && ['tfidf_cosine', 'token_set'].includes(String(m.options?.algorithm)),
      ),
    ).toBe(false);
    expect(strategy.match.model?.variants).toBeUndefined();
  });
});
