import { describe, expect, it } from 'vitest';
import { buildReferenceIndex, matchSlice } from '../../../src/matching/index';
import { createReviewResolver, generateStrategy, PromptNotUnderstoodError, type LabelledPair } from '../../../src/matching/smart/index';
import { f1, peopleFixture } from './smart-fixtures';

const data = peopleFixture(400, 3);
const strategy = generateStrategy({ reference: data.reference, source: data.source });

describe('generateStrategy on people with renamed columns', () => {
  it('maps columns by synonyms and by value overlap, and leaves row ids alone', () => {
    const pairs = strategy.mappings.map((m) => `${m.source}→${m.target}`);
    expect(pairs).toEqual([
      'first_name→given_name',
      'last_name→surname',
      'dob→date_of_birth',
      'mail→email',
      'column_x→city',
      'postcode→zip',
    ]);
    expect(strategy.mappings.find((m) => m.source === 'column_x')?.rationale).toMatch(/shared values \(names differ\)/);
    expect(pairs.some((p) => p.includes('src_id') || p.includes('rec_id'))).toBe(false);
  });

  it('chooses comparators by kind', () => {
    const byTarget = new Map(strategy.match.fieldMappings.map((m) => [m.target, m]));
    const kinds = new Map(strategy.mappings.map((m) => [m.target, m.kind]));
    expect(kinds.get('given_name')).toBe('person_name');
    expect(byTarget.get('given_name')?.options?.algorithm).toBe('jaro_winkler');
    expect(kinds.get('date_of_birth')).toBe('date');
    expect(byTarget.get('date_of_birth')?.strategy).toBe('date_range');
    expect(kinds.get('email')).toBe('email');
    expect(kinds.get('zip')).toBe('code');
    expect(byTarget.get('zip')?.options?.algorithm).toBe('levenshtein');
  });

  it('fits a model: agreement is evidence for a match, disagreement against, with a rationale in figures', () => {
    const model = strategy.match.model!;
    expect(model.kind).toBe('fellegi_sunter');
    expect(model.prior).toBeGreaterThan(0);
    expect(model.prior).toBeLessThan(1);
    model.fields.forEach((field) => {
      expect(field.logBayesFactors[0]!).toBeGreaterThan(0);
      expect(field.logBayesFactors[field.logBayesFactors.length - 1]!).toBeLessThan(0);
    });
    expect(strategy.mappings[1]?.rationale).toMatch(
      /last_name ↔ surname: synonymous column names; \d+% of source values .* more likely for matches \(m [\d.]+, u [\d.]+\)/,
    );
    expect(strategy.match.threshold).toBeGreaterThan(0);
    expect(strategy.reviewBand.low).toBeLessThan(strategy.match.threshold);
    expect(strategy.reviewBand.high).toBeGreaterThan(strategy.match.threshold);
    expect(strategy.match.blocking?.strategy).toBe('parallel');
    expect((strategy.details.blocking as { estimatedRecall: number }).estimatedRecall).toBeGreaterThan(0.98);
  });

  it('matches well through the ordinary engine', () => {
    const index = buildReferenceIndex(data.reference.rows, strategy.match);
    const { rows } = matchSlice(index, data.source.rows);
    expect(
      f1(
        rows.map((r) => [r.sourceRowId, r.referenceRowId]),
        data.truth,
      ),
    ).toBeGreaterThan(0.9);
  });

  it('is deterministic: the same input gives the same strategy byte for byte', () => {
    const again = generateStrategy({ reference: data.reference, source: data.source });
    expect(JSON.stringify(again)).toBe(JSON.stringify(strategy));
  });

  it('follows the prompt: ignore, exact, tolerance, one to one; rejects what it does not understand', () => {
    const steered = generateStrategy({
      reference: data.reference,
      source: data.source,
      userPrompt: 'Ignore mail. Postcode must match exactly. Dates may differ by 3 days. One to one.',
    });
    expect(steered.mappings.some((m) => m.source === 'mail')).toBe(false);
    expect(steered.match.fieldMappings.find((m) => m.source === 'postcode')?.strategy).toBe('exact');
    expect(steered.match.fieldMappings.find((m) => m.source === 'dob')?.options?.toleranceDays).toBe(3);
    expect(steered.match.oneToOne).toBe(true);
    expect(() => generateStrategy({ reference: data.reference, source: data.source, userPrompt: 'find my cousins' })).toThrow(
      PromptNotUnderstoodError,
    );
  });
});

describe('labels', () => {
  // Reviews of pairs where the mail differs but the person is the same: approving them says mail disagreement
  // is common among matches, so its Bayes factor for disagreement must move towards 1.
  const reference = new Map(data.reference.rows.map((r) => [r.id, r]));
  const labels: LabelledPair[] = [];
  for (const s of data.source.rows) {
    const t = data.truth.get(s.id);
    if (!t || labels.length >= 30) continue;
    labels.push({ source: { ...s.values, mail: `other${labels.length}@mail.test` }, reference: reference.get(t)!.values, match: true });
  }
  const others = data.reference.rows.slice(0, 10);
  others.forEach((r, i) =>
    labels.push({ source: data.source.rows[(i * 37) % data.source.rows.length]!.values, reference: r.values, match: false }),
  );

  it("are used: labelsUsed and weights change; the threshold stays the model's expected-F1 choice", () => {
    const learnt = generateStrategy({ reference: data.reference, source: data.source, labels });
    expect(learnt.labelsUsed).toBe(40);
    const mail = strategy.match.fieldMappings.findIndex((m) => m.source === 'mail');
    const before = strategy.match.model!.fields[mail]!.logBayesFactors.at(-1)!;
    const after = learnt.match.model!.fields[mail]!.logBayesFactors.at(-1)!;
    expect(after).toBeGreaterThan(before + 0.5);
    expect((learnt.details.threshold as { rule: string }).rule).toMatch(/maximises the F1 expected under the model/);
    expect(strategy.labelsUsed).toBe(0);
  });

  it('leave the candidate margin as the data without them measured it, and refit only the prior under it', () => {
    const learnt = generateStrategy({ reference: data.reference, source: data.source, labels });
    expect(learnt.match.model!.margin).toEqual(strategy.match.model!.margin);
    const refit = learnt.details.model as { refit: { marginM: number[]; marginU: number[] } };
    expect(refit.refit.marginM).toEqual((strategy.details.model as typeof refit).refit.marginM);
  });
});

describe('review resolver', () => {
  const resolver = createReviewResolver(strategy.match, data.reference.rows);
  const source = data.source.rows.find((s) => data.truth.get(s.id))!;
  const truthRow = data.reference.rows.find((r) => r.id === data.truth.get(source.id))!;
  const decoys = data.reference.rows.filter((r) => r.id !== truthRow.id).slice(0, 3);

  it('re-ranks the candidates and puts the true row first, with whole-record evidence', () => {
    const result = resolver.resolve(source, [...decoys, truthRow]);
    expect(result.sourceRowId).toBe(source.id);
    expect(result.candidates[0]?.referenceRowId).toBe(truthRow.id);
    expect(result.referenceRowId).toBe(truthRow.id);
    expect(result.confidence).toBe(result.candidates[0]?.confidence);
    expect(result.candidates.reduce((s, c) => s + c.confidence, 0)).toBeLessThanOrEqual(1 + 1e-9);
    expect(result.evidence).toHaveLength(strategy.match.fieldMappings.length + 1);
    const record = result.evidence.at(-1)!;
    expect(record.source).toBe('*');
    expect(record.score).toBeGreaterThan(0.5);
  });

  it('says no match when no candidate is convincing, and is deterministic', () => {
    const result = resolver.resolve(source, decoys);
    expect(result.referenceRowId).toBeNull();
    expect(result.confidence).toBeLessThan(strategy.match.threshold);
    expect(JSON.stringify(resolver.resolve(source, decoys))).toBe(JSON.stringify(result));
    expect(resolver.resolve(source, []).candidates).toEqual([]);
  });

  it('two equally good candidates share the probability (at most one match per source row)', () => {
    const twin = { id: 'twin', values: { ...truthRow.values } };
    const alone = resolver.resolve(source, [truthRow]);
    const both = resolver.resolve(source, [truthRow, twin]);
    expect(both.confidence).toBeLessThan(alone.confidence);
    expect(both.candidates[0]?.confidence).toBeCloseTo(both.candidates[1]!.confidence, 12);
  });
});

describe('dates are paired with dates', () => {
  // A statement (US dates, amounts) against a ledger (ISO dates, amounts): the words of "03/25/2026" are all found
  // among a few thousand amounts' words ("3.25", "2026.10"), about as often as among the ledger's dates.
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n));
  const ledger = Array.from({ length: 1500 }, (_, i) => ({
    id: `L${i}`,
    values: {
      entry_date: day((i * 7) % 365)
        .toISOString()
        .slice(0, 10),
      amount: ((i * 7919) % 260_000) / 100 + 1,
      payee: ['acme', 'globex', 'initech', 'umbrella', 'hooli'][i % 5],
    },
  }));
  const statement = ledger.slice(0, 900).map((row, i) => {
    const d = day(((i * 7) % 365) + (i % 3));
    return {
      id: `S${i}`,
      values: {
        posted: `${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}/${d.getUTCFullYear()}`,
        debit: (row.values.amount as number).toFixed(2),
        memo: `${row.values.payee} ${i}`,
      },
    };
  });
  const generated = generateStrategy({
    reference: {
      columns: [
        { name: 'entry_date', type: 'date' },
        { name: 'amount', type: 'number' },
        { name: 'payee', type: 'string' },
      ],
      rows: ledger,
    },
    source: {
      columns: [
        { name: 'posted', type: 'date' },
        { name: 'debit', type: 'number' },
        { name: 'memo', type: 'string' },
      ],
      rows: statement,
    },
  });

  it('maps the date column to the date column and the amounts to the amounts, not a date to amounts', () => {
    const pairs = generated.mappings.map((m) => `${m.source}→${m.target}`);
    expect(pairs).toContain('posted→entry_date');
    expect(pairs).toContain('debit→amount');
    const rejected = (generated.details as { rejectedMappings: Array<{ source: string; target: string; reason: string }> })
      .rejectedMappings;
    expect(rejected.find((r) => r.source === 'posted' && r.target === 'amount')?.reason).toMatch(/dates against values that are not dates/);
  });
});
