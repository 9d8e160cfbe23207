// What real product data has and generation must handle (issue 17), on a small hand-made fixture: upload id
// columns on both sides with overlapping values, model numbers in a code column on one side and inside titles on
// the other, and a source where most rows have no match — many of them siblings of a reference product (same
// brand and kind of product, another model number).
import { describe, expect, it } from 'vitest';
import { buildReferenceIndex, compareValues, matchSlice, resolveOneToOne, type EngineRow } from '../../../src/matching/index';
import { DATASETS } from '../../../bench/quality/datasets/index';
import { abbreviationSimilarity } from '../../../src/matching/comparators/abbreviation';
import { extractCodes } from '../../../src/matching/comparators/codes';
import { generateStrategy, type SampledTable } from '../../../src/matching/smart/index';
import { mulberry32 } from './smart-fixtures';

const BRANDS = ['kingston', 'epson', 'logitech', 'sandisk', 'belkin', 'canon', 'netgear', 'targus', 'sony', 'philips', 'garmin', 'linksys'];
const NOUNS = [
  'memory module',
  'projector lamp',
  'wireless mouse',
  'flash drive',
  'surge protector',
  'ink cartridge',
  'wifi router',
  'laptop sleeve',
  'headphones',
  'light bulb',
  'gps navigator',
  'network switch',
];
const WORDS = ['black', 'pro', 'compact', 'portable', 'deluxe', 'usb', 'digital', 'silver', 'new', 'premium', 'slim', 'hd'];

interface Product {
  brand: string;
  noun: string;
  code: string;
  words: string[];
  price: number;
}

/** `products` reference rows and `sourceRows` source rows: source row k is a counterpart when `matched(k)` (3 in 10
 *  by default), a sibling (another model of the same product line) otherwise. */
function productFixture({
  products: productCount = 400,
  sourceRows: sourceCount = 300,
  matched: isMatched = (k: number) => k % 10 < 3,
} = {}): {
  reference: SampledTable;
  source: SampledTable;
  truth: Map<string, string | null>;
} {
  const random = mulberry32(17);
  const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)] as T;
  const letters = () =>
    Array.from({ length: 2 + Math.floor(random() * 2) }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
  const products: Product[] = [];
  for (let i = 0; i < productCount; i++) {
    products.push({
      brand: pick(BRANDS),
      noun: pick(NOUNS),
      code: `${letters()}${100 + Math.floor(random() * 9000)}`,
      words: [pick(WORDS), pick(WORDS)],
      price: 5 + Math.floor(random() * 500),
    });
  }
  const hyphenated = (code: string) => code.replace(/^([a-z]+)(\d+)$/, '$1-$2');
  const referenceRows: EngineRow[] = products.map((p, i) => ({
    id: `r${i}`,
    values: {
      id: String(i),
      title: `${p.brand} ${p.words[0]} ${p.noun} ${hyphenated(p.code)}`,
      brand: p.brand,
      modelno: '',
      price: String(p.price),
    },
  }));
  const sourceRows: EngineRow[] = [];
  const truth = new Map<string, string | null>();
  for (let k = 0; k < sourceCount; k++) {
    const i = Math.floor(random() * products.length);
    const p = products[i] as Product;
    const matched = isMatched(k);
    // The others are siblings: the same brand and kind of product, another model.
    const code = matched ? p.code.toUpperCase() : `${p.code.replace(/\d$/, (d) => String((Number(d) + 1) % 10)).toUpperCase()}`;
    const title = `${p.brand} ${p.noun} ${matched ? p.words[1] : pick(WORDS)}`;
    // A counterpart's price differs by up to 10 %; another model's is its own.
    const price = matched ? Math.round(p.price * (0.9 + random() * 0.2)) : 5 + Math.floor(random() * 500);
    sourceRows.push({ id: `s${k}`, values: { id: String(k), title, brand: p.brand, modelno: code, price: String(price) } });
    truth.set(`s${k}`, matched ? `r${i}` : null);
  }
  const columns = [
    { name: 'id', type: 'number' as const },
    { name: 'title', type: 'string' as const },
    { name: 'brand', type: 'string' as const },
    { name: 'modelno', type: 'string' as const },
    { name: 'price', type: 'number' as const },
  ];
  return { reference: { columns, rows: referenceRows }, source: { columns, rows: sourceRows }, truth };
}

const data = productFixture();
const strategy = generateStrategy({ reference: data.reference, source: data.source });

describe('strategy generation on product-like real data', () => {
  it('never compares the id columns (sequential numbers, overlapping between the tables)', () => {
    const read = strategy.match.fieldMappings.flatMap((m) => [m.source, m.target, ...(m.sourceColumns ?? []), ...(m.targetColumns ?? [])]);
    expect(read).not.toContain('id');
    expect(JSON.stringify(strategy.details.rejectedMappings)).toMatch(/row identity: sequential numbers/);
  });

  it('gives every comparison level at least the weight of the level below it (margin included)', () => {
    const model = strategy.match.model!;
    for (const levels of [...model.fields.map((f) => f.logBayesFactors), model.margin!.logBayesFactors]) {
      for (let l = 1; l < levels.length; l++) expect(levels[l - 1]).toBeGreaterThanOrEqual(levels[l]!);
    }
  });

  it('interpolates the weights of word-overlap scores between levels, and of nothing else', () => {
    const model = strategy.match.model!;
    const interpolated = strategy.match.fieldMappings.filter((_, f) => model.fields[f]!.interpolate === true);
    expect(interpolated.length).toBeGreaterThan(0);
    for (const [f, mapping] of strategy.match.fieldMappings.entries()) {
      const wordOverlap = mapping.options?.algorithm === 'tfidf_cosine' || mapping.options?.algorithm === 'token_set';
      expect(model.fields[f]!.interpolate === true).toBe(wordOverlap);
    }
  });

  it("finds a code of one side's code column inside the other side's title", () => {
    expect(extractCodes('kingston memory ktc d320 1g')).toContain('ktcd3201g');
    expect(extractCodes('ktc d320 1g')).toEqual(
      expect.arrayContaining(extractCodes('KTC-D320/1G'.toLowerCase().replace(/[^a-z0-9]+/g, ' '))),
    );
    const codes = strategy.match.fieldMappings.find((m) => m.options?.algorithm === 'codes');
    expect(codes?.sourceColumns).toContain('modelno');
    expect(codes?.targetColumns).toContain('title');
    const sourceRow = { modelno: 'KTC-D320/1G', title: 'memory' };
    const referenceRow = { title: 'kingston 1gb memory module ktc-d320 1g', modelno: '' };
    const cell = (values: Record<string, string>, columns: string[]) =>
      columns
        .map((c) => values[c])
        .filter(Boolean)
        .join(' ');
    expect(compareValues(codes!, cell(sourceRow, codes!.sourceColumns!), cell(referenceRow, codes!.targetColumns!))).toBeGreaterThan(0.5);
    expect(compareValues(codes!, 'DCS-1130', 'd-link dcs 1100 network camera')).toBe(0);
  });

  it("counts a sibling's code (the same but for its last characters) well below an unrelated one", () => {
    const f = strategy.match.fieldMappings.findIndex((m) => m.options?.algorithm === 'codes');
    const factors = strategy.match.model!.fields[f]!.logBayesFactors;
    const [unrelated, sibling] = factors.slice(-2) as [number, number];
    // EM alone puts siblings, which agree on everything else, in the match class: the two levels pooled at −1.1.
    expect(sibling).toBeLessThan(unrelated - 2);
    expect(compareValues(strategy.match.fieldMappings[f]!, 'ABC1235', 'kingston memory abc-1234')).toBe(0);
  });

  it('tells sibling products apart by the amounts their texts state ("8gb" against "4 gb")', () => {
    const quantities = {
      source: 'title',
      target: 'title',
      strategy: 'fuzzy' as const,
      weight: 1,
      options: { algorithm: 'quantities' as const },
    };
    expect(compareValues(quantities, 'dane-elec 8gb compact flash card', 'dane-elec 4 gb sdhc card, 2 pack')).toBe(0);
    expect(compareValues(quantities, 'dane-elec 8GB compact flash card, 2-pack', 'dane elec 8 gb cf card 2 pack')).toBe(1);
    expect(compareValues(quantities, 'sony 62mm lens cap 2 pack', 'sony 62 mm front lens cap, 3 pack')).toBe(0.5);
    // No unit stated on both sides: nothing to say (missing: null), not a disagreement.
    expect(compareValues(quantities, 'tomtom xxl 550 navigator', 'tomtom xxl 550 5 inch gps')).toBeNull();
    expect(compareValues(quantities, '2 aa charger', '10 oz duster')).toBeNull();
  });

  // Where the rows without a match are siblings that differ from a reference product only by the model number, the
  // whole-record text decides: with the model number split at its hyphens ("dcs-1130" → dcs, 1130) a sibling shared
  // most of its words, the best-candidate fit put most siblings in the match class (prior 0.45 for 0.30 true) and
  // precision was 0.70. Read as one word (tfidfText), as the codes field reads it: prior 0.30, precision 1.0, recall
  // 0.97.
  it('keeps its precision where most source rows have no match (siblings with another model number)', () => {
    const { rows } = matchSlice(buildReferenceIndex(data.reference.rows, strategy.match), data.source.rows);
    const assigned = strategy.match.oneToOne
      ? resolveOneToOne(rows, strategy.match.threshold)
      : new Map(rows.map((r) => [r.sourceRowId, { referenceRowId: r.referenceRowId }]));
    let tp = 0;
    let fp = 0;
    for (const [sourceId, a] of assigned) {
      if (a.referenceRowId === null) continue;
      if (data.truth.get(sourceId) === a.referenceRowId) tp++;
      else fp++;
    }
    const matches = [...data.truth.values()].filter((t) => t !== null).length;
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.9);
    expect(tp / matches).toBeGreaterThanOrEqual(0.8);
  });

  it('one to one, expects no more matches than reference rows where the source is the long table', () => {
    // 1,000 source rows against 100 products, 5 % of them counterparts: EM's share of rows with a match comes out
    // far above what one to one allows (siblings of the same product look alike).
    const long = productFixture({ products: 100, sourceRows: 1000, matched: (k) => k % 20 === 0 });
    const generated = generateStrategy({ reference: long.reference, source: long.source, userPrompt: 'One to one.' });
    expect(generated.match.oneToOne).toBe(true);
    const model = generated.details.model as { lambda: number; priorOffset: number; matchableShare: number };
    expect(model.matchableShare).toBeCloseTo(0.1, 6);
    expect(model.lambda).toBeGreaterThan(0.1);
    expect(model.priorOffset).toBeLessThan(0);
    expect(generated.match.model!.prior).toBeLessThan(model.lambda);
    // The engine then matches about as many rows as the bound allows (0.23 of them without the offset).
    const { rows } = matchSlice(buildReferenceIndex(long.reference.rows, generated.match), long.source.rows);
    expect(rows.filter((r) => r.referenceRowId !== null).length / rows.length).toBeLessThanOrEqual(0.15);
  });
});

// Bank reconciliation (the bench's synthetic bank_transactions, small): memos abbreviate and truncate the payee
// ("FALCON CNSLTNG GRP 06172"), statements print dates month-first, invoice references look like numbers.
describe('strategy generation on bank-statement-like data', () => {
  const bank = DATASETS.find((d) => d.name === 'bank_transactions')!.load({ seed: 3, referenceSize: 800, sourceSize: 480 });
  const generated = generateStrategy({ reference: bank.reference, source: bank.source });
  const mapping = (source: string) => generated.match.fieldMappings.find((m) => m.source === source);

  it('scores abbreviated and truncated words as agreeing, the noise around a memo not counted against it', () => {
    expect(abbreviationSimilarity('falcon cnsltng group 06172', 'falcon consulting group')).toBe(1);
    expect(abbreviationSimilarity('sq lakeside leg dayton', 'lakeside legal services')).toBeGreaterThan(0.5);
    expect(abbreviationSimilarity('sq lakeside leg dayton', 'lakeside legal services')).toBeLessThan(1);
    expect(abbreviationSimilarity('falcon freight', 'falcon consulting group')).toBeLessThan(0.5);
    expect(abbreviationSimilarity('falcon frght 00123', 'falcon freight co')).toBeGreaterThan(0.8);
    expect(abbreviationSimilarity('bright ctrng corp', 'bright catering corp')).toBe(
      abbreviationSimilarity('bright catering corp', 'bright ctrng corp'),
    );
  });

  it('pairs the memo with the payee it abbreviates, although few words are shared verbatim', () => {
    expect(mapping('description')).toMatchObject({ target: 'payee', strategy: 'fuzzy', options: { algorithm: 'abbreviation' } });
  });

  it("weighs the review pass's whole-record levels monotonically, as every field's", () => {
    // Larger, the memos are too short for a whole-record field, so the review pass gets its record model.
    const larger = DATASETS.find((d) => d.name === 'bank_transactions')!.load({ seed: 3, referenceSize: 2000, sourceSize: 1200 });
    const record = generateStrategy({ reference: larger.reference, source: larger.source }).match.model!.record!;
    for (let l = 1; l < record.logBayesFactors.length; l++)
      expect(record.logBayesFactors[l - 1]).toBeGreaterThanOrEqual(record.logBayesFactors[l]!);
  });

  it("reads the statement's dates month-first, as its unambiguous dates show", () => {
    expect(mapping('posted')).toMatchObject({ target: 'entry_date', strategy: 'date_range', options: { monthFirst: true } });
  });

  it('does not take an invoice reference ("INV-10282") for row numbers', () => {
    expect(JSON.stringify(generated.details.rejectedMappings)).not.toMatch(/invoice/);
  });

  it('matches most cleared payments and few others', () => {
    const { rows } = matchSlice(buildReferenceIndex(bank.reference.rows, generated.match), bank.source.rows);
    let tp = 0;
    let fp = 0;
    for (const row of rows) {
      if (row.referenceRowId === null) continue;
      if (bank.truth.get(row.sourceRowId) === row.referenceRowId) tp++;
      else fp++;
    }
    const matches = [...bank.truth.values()].filter((t) => t !== null).length;
    expect(tp / (tp + fp)).toBeGreaterThanOrEqual(0.9);
    expect(tp / matches).toBeGreaterThanOrEqual(0.75);
  });
});
