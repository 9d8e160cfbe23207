// The review pass's evidence on hand-made models (no generation): what it adds to the model's field evidence, and
// what it must not add.
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../../bench/quality/datasets/index';
import {
  buildReferenceIndex,
  matchSlice,
  type EngineRow,
  type FellegiSunterModel,
  type MatchConfig,
  type ModelField,
} from '../../../src/matching/index';
import { measureIdentical, needsIdenticalEvidence } from '../../../src/matching/smart/identical';
import { createReviewResolver, generateStrategy } from '../../../src/matching/smart/index';

const sigmoidShare = (x: number) => Math.exp(x) / (1 + Math.exp(x));

/** One title field compared by `algorithm`, with a one-field model (prior 0.5). */
function titleConfig(algorithm: 'tfidf_cosine' | 'codes', field: ModelField): MatchConfig {
  return {
    threshold: 0.5,
    fieldMappings: [{ source: 'title', target: 'title', strategy: 'fuzzy', weight: 1, options: { algorithm } }],
    model: { kind: 'fellegi_sunter', prior: 0.5, fields: [field] },
  };
}

describe('review resolver evidence', () => {
  // Names and town compared exactly; the model's u comes from second-best candidates, which share common names
  // and towns often (u of agreement 0.6), as generation's refit measures it.
  const people: MatchConfig = {
    threshold: 0.5,
    fieldMappings: [
      { source: 'given', target: 'given', strategy: 'exact', weight: 0.25 },
      { source: 'surname', target: 'surname', strategy: 'exact', weight: 0.25 },
      { source: 'town', target: 'town', strategy: 'exact', weight: 0.25 },
      { source: 'dob', target: 'dob', strategy: 'date_range', weight: 0.25, options: { toleranceDays: 30 } },
    ],
    model: {
      kind: 'fellegi_sunter',
      prior: 0.5,
      fields: [
        ...[0, 1, 2].map(() => ({ levels: [1, 0], logBayesFactors: [0.5, -2], m: [0.9, 0.1], u: [0.6, 0.4] })),
        { levels: [1, 0.9, 0.5, 0], logBayesFactors: [3, 1, -1, -3], m: [0.9, 0.05, 0.03, 0.02], u: [0.05, 0.05, 0.2, 0.7] },
      ],
    },
  };
  // A reference where "john smith" of springfield is one of many: a common name in a common town.
  const reference: EngineRow[] = Array.from({ length: 200 }, (_, i) => ({
    id: `r${i}`,
    values: {
      given: i % 4 === 0 ? 'john' : `given${i}`,
      surname: i % 3 === 0 ? 'smith' : `surname${i}`,
      town: i % 2 === 0 ? 'springfield' : `town${i}`,
      dob: `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
    },
  }));

  it('agreeing on common values adds nothing to the model: another John Smith of Springfield born elsewhen is no match', () => {
    const resolver = createReviewResolver(people, reference);
    const source = { id: 's', values: { given: 'John', surname: 'Smith', town: 'Springfield', dob: '1980-01-01' } };
    const namesake = { id: 'namesake', values: { given: 'john', surname: 'smith', town: 'springfield', dob: '1990-05-05' } };
    const result = resolver.resolve(source, [namesake]);
    // logit(0.5) + 3 × 0.5 (three agreements) − 3 (birth dates years apart)
    expect(result.confidence).toBeCloseTo(sigmoidShare(1.5 - 3), 6);
    expect(result.referenceRowId).toBeNull();
  });

  it('an identical title counts with its own evidence, a title that only contains the other with the top level', () => {
    const model: FellegiSunterModel = {
      kind: 'fellegi_sunter',
      prior: 0.5,
      fields: [
        {
          levels: [1, 0.9, 0.75, 0.5, 0],
          logBayesFactors: [0.5, 0.2, -1, -2, -3],
          identical: { m: 0.6, u: 0.01, logBayesFactor: Math.log(60) },
        },
      ],
    };
    const titles: MatchConfig = {
      threshold: 0.5,
      fieldMappings: [{ source: 'title', target: 'title', strategy: 'fuzzy', weight: 1, options: { algorithm: 'token_set' } }],
      model,
    };
    const same = { id: 'same', values: { title: 'Data Cleaning: Theory and Practice' } };
    const longer = { id: 'longer', values: { title: 'Data Cleaning: Theory and Practice Revisited' } };
    const resolver = createReviewResolver(titles, [same, longer]);
    const result = resolver.resolve({ id: 's', values: { title: 'data cleaning theory and practice' } }, [longer, same]);
    expect(result.candidates.map((c) => c.referenceRowId)).toEqual(['same', 'longer']);
    // P(j) = e^{x_j} / (1 + Σ e^{x_k}): the ratio of two candidates' probabilities is e^{x_same − x_longer}
    const [first, second] = result.candidates;
    expect(Math.log(first!.confidence / second!.confidence)).toBeCloseTo(Math.log(60) - 0.5, 3);
  });
});

describe('review resolver word rarity', () => {
  // One TF-IDF field; its factor rises with the cosine (interpolated), so the cosine shows in the confidence.
  const products = titleConfig('tfidf_cosine', {
    levels: [0.95, 0.8, 0.6, 0.35, 0],
    logBayesFactors: [4, 3, 1, -1, -3],
    interpolate: true,
  });
  const reference: EngineRow[] = [
    { id: 'widget', values: { title: 'acme widget pro 3000' } },
    ...Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, values: { title: `acme gadget model${i} ${i % 2 ? 'pro' : 'lite'}` } })),
  ];
  // Every source row repeats the retailer's own word, which no reference row has.
  const sourceRows: EngineRow[] = Array.from({ length: 40 }, (_, i) => ({ id: `s${i}`, values: { title: `item${i} shopexclusive` } }));
  const row = { id: 's', values: { title: 'acme widget pro 3000 shopexclusive' } };

  it("counts the source rows too: a word every source row repeats is common, not the rarest word of the pair's text", () => {
    const referenceOnly = createReviewResolver(products, reference).resolve(row, [reference[0]!]);
    const bothTables = createReviewResolver(products, reference, sourceRows).resolve(row, [reference[0]!]);
    const record = (result: typeof referenceOnly) => result.evidence.find((e) => e.source === '*')?.score as number;
    const title = (result: typeof referenceOnly) => result.evidence[0]?.score as number;
    expect(title(bothTables)).toBeGreaterThan(title(referenceOnly) + 0.1);
    expect(record(bothTables)).toBeGreaterThan(record(referenceOnly) + 0.1);
    expect(bothTables.confidence).toBeGreaterThan(referenceOnly.confidence);
    // Without source rows nothing changes.
    expect(createReviewResolver(products, reference, []).resolve(row, [reference[0]!])).toEqual(referenceOnly);
  });
});

describe('review resolver codes', () => {
  const codes = titleConfig('codes', { levels: [0.8, 0.6, 0.35, 0.001, 0.0005, 0], logBayesFactors: [3, 1, 0, -0.5, -1, -4] });

  it("scores a codes field with the reference's rarity, as the engine does, not the one candidate's", () => {
    // "usb30" in every row, each row's own model number in one.
    const reference: EngineRow[] = Array.from({ length: 50 }, (_, i) => ({
      id: `r${i}`,
      values: { title: `drive usb 3.0 xk${1000 + i}` },
    }));
    const resolver = createReviewResolver(codes, reference);
    const engine = matchSlice(buildReferenceIndex(reference, codes), [{ id: 's', values: { title: 'drive xk1007 usb 3.0' } }]).rows[0]!;
    const reviewed = resolver.resolve({ id: 's', values: { title: 'drive xk1007 usb 3.0' } }, [reference[7]!]);
    expect(reviewed.evidence[0]!.score).toBeGreaterThan(0.8);
    expect(reviewed.evidence[0]!.score).toBeCloseTo(engine.evidence[0]!.score!, 6);
  });

  it('reads a reference row without any code, against a source row with one, as unrelated codes', () => {
    const withoutCode = { id: 'bare', values: { title: 'gaming mouse pad' } };
    const otherCode = { id: 'other', values: { title: 'gaming mouse xk2000' } };
    const resolver = createReviewResolver(codes, [withoutCode, otherCode]);
    const result = resolver.resolve({ id: 's', values: { title: 'gaming mouse xk1000' } }, [withoutCode, otherCode]);
    // Both at logit(0.5) − 1, so each has P = e⁻¹ / (1 + 2e⁻¹): the bare row no longer outranks one whose code is
    // another (as missing evidence it had e⁰ against e⁻¹).
    expect(result.evidence[0]!.score).toBe(0.0005);
    const p = Math.exp(-1) / (1 + 2 * Math.exp(-1));
    expect(result.candidates.map((c) => c.confidence)).toEqual([expect.closeTo(p, 5), expect.closeTo(p, 5)]);
    // A source row without a code has nothing to compare: missing, as in the engine.
    const none = resolver.resolve({ id: 's2', values: { title: 'gaming mouse' } }, [withoutCode]);
    expect(none.evidence[0]!.score).toBeNull();
  });
});

describe('identical-value evidence in generation', () => {
  it('gives a free-text title that the whole-record text damps out its identical evidence at half weight', () => {
    const walmart = DATASETS.find((d) => d.name === 'walmart_amazon')!.load({ seed: 0, referenceSize: 0, sourceSize: 0 });
    const strategy = generateStrategy({
      reference: { ...walmart.reference, rows: walmart.reference.rows.filter((_, i) => i % 6 === 0) },
      source: { ...walmart.source, rows: walmart.source.rows.slice(0, 800) },
    });
    const f = strategy.match.fieldMappings.findIndex((m) => m.source === 'title' && m.sourceColumns === undefined);
    const title = strategy.match.model!.fields[f]!;
    // Its similarity levels count nothing (the record text re-reads its words); identity still does.
    expect(title.logBayesFactors.every((x) => x === 0)).toBe(true);
    expect(title.identical!.logBayesFactor).toBeCloseTo(Math.log(title.identical!.m / title.identical!.u) / 2, 3);
  }, 30_000);

  it('is measured where the top level also takes values that differ, m from best and u from second-best pairs', () => {
    const rows = (values: string[], column: string): EngineRow[] =>
      values.map((v, i) => ({ id: `${column}${i}`, values: { [column]: v } }));
    const source = rows(['alpha beta', 'gamma', 'delta', 'epsilon'], 't');
    const reference = rows(['alpha beta', 'gamma', 'delta x', 'epsilon', 'alpha', 'gamma y', 'delta', 'zeta'], 't');
    const mapping = { source: 't', target: 't', strategy: 'fuzzy' as const, weight: 1, options: { algorithm: 'token_set' as const } };
    // best pairs: 0↔0 (identical), 1↔1 (identical), 2↔2 (not), 3↔3 (identical); second-best: 0↔4, 1↔5, 2↔6 (identical), 3↔7
    const pairs = {
      source: Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]),
      reference: Int32Array.from([0, 4, 1, 5, 2, 6, 3, 7]),
      count: 8,
    };
    const evidence = measureIdentical(mapping, {
      sourceRows: source,
      referenceRows: reference,
      pairs,
      best: Int32Array.from([0, 2, 4, 6]),
      second: Int32Array.from([1, 3, 5, 7]),
      posteriors: Float64Array.from([1, 1, 0.5, 0.5]),
    });
    // m: (1 + 1 + 0.5 identical of 3 posterior mass, +0.5 smoothing each way); u: 1 of 4, smoothed
    expect(evidence.m).toBeCloseTo((2.5 + 0.5) / (3 + 1), 12);
    expect(evidence.u).toBeCloseTo((1 + 0.5) / (4 + 1), 12);
    expect(evidence.logBayesFactor).toBeCloseTo(Math.log(0.75 / 0.3), 12);
    expect(needsIdenticalEvidence(mapping, [1, 0.9, 0])).toBe(true);
    expect(needsIdenticalEvidence({ ...mapping, options: { algorithm: 'jaro_winkler' } }, [1, 0.92, 0])).toBe(false);
    expect(needsIdenticalEvidence({ ...mapping, strategy: 'exact', options: {} }, [1, 0])).toBe(false);
  });

  it('gives a generated title field its identical evidence, stronger than its top level', () => {
    const bibliographic = DATASETS.find((d) => d.name === 'bibliographic')!.load({ seed: 5, referenceSize: 400, sourceSize: 240 });
    const strategy = generateStrategy({ reference: bibliographic.reference, source: bibliographic.source });
    const f = strategy.match.fieldMappings.findIndex((m) => m.options?.algorithm === 'token_set' && m.target === 'title');
    expect(f).toBeGreaterThanOrEqual(0);
    const title = strategy.match.model!.fields[f]!;
    expect(title.identical).toBeDefined();
    expect(title.identical!.m).toBeGreaterThan(title.identical!.u);
    expect(title.identical!.logBayesFactor).toBeGreaterThan(title.logBayesFactors[0]!);
    strategy.match.fieldMappings.forEach((m, g) => {
      if (m.strategy === 'date_range' || m.strategy === 'numeric_range' || m.options?.algorithm === 'jaro_winkler')
        expect(strategy.match.model!.fields[g]!.identical).toBeUndefined();
    });
  });
});
