import { describe, expect, it } from 'vitest';
import { buildReferenceIndex, matchSlice, type EngineRow } from '../../../src/matching/index';
import { generateStrategy, type SampledTable } from '../../../src/matching/smart/index';
import { measureDifferences, MIN_CONFIDENT_PAIRS } from '../../../src/matching/smart/offsets';
import { f1, mulberry32, typo } from './smart-fixtures';

const FIRST = ['Blue', 'Golden', 'Summit', 'Pioneer', 'Harbor', 'Granite', 'Maple', 'Silver', 'Cedar', 'Falcon', 'Orchard', 'Willow'];
const TRADE = ['Plumbing', 'Catering', 'Printing', 'Cleaning', 'Hardware', 'Consulting', 'Freight', 'Bakery', 'Hosting', 'Security'];
const SUFFIX = ['Inc', 'LLC', 'Co', 'Ltd', 'Group'];
const DAY_MS = 86_400_000;
const iso = (day: number) => new Date(Date.UTC(2025, 0, 1) + day * DAY_MS).toISOString().slice(0, 10);

interface LedgerOptions {
  /** days the statement line is posted after the ledger entry (negative: before) */
  delay: (random: () => number) => number;
  /** what the statement adds to the amount (a fee) */
  extra?: (random: () => number) => number;
}

/**
 * A ledger (reference: entry_id, vendor, entry_date, amount) and a statement (source: line_id, payee, posted, paid)
 * whose lines are 80 % copies of ledger entries (the vendor upper case, some typos) and 20 % strangers.
 */
function ledgerFixture(options: LedgerOptions, seed = 11): { reference: SampledTable; source: SampledTable; truth: Map<string, string> } {
  const random = mulberry32(seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)] as T;
  const reference: EngineRow[] = [];
  for (let i = 0; i < 300; i++) {
    reference.push({
      id: `r${i}`,
      values: {
        entry_id: `E${1000 + i}`,
        vendor: `${pick(FIRST)} ${pick(TRADE)} ${pick(SUFFIX)}`,
        entry_date: iso(Math.floor(random() * 330)),
        amount: (20 + Math.floor(random() * 98000) / 100).toFixed(2),
      },
    });
  }
  const source: EngineRow[] = [];
  const truth = new Map<string, string>();
  for (let k = 0; k < 200; k++) {
    const id = `s${k}`;
    if (random() < 0.2) {
      source.push({
        id,
        values: {
          line_id: `L${k}`,
          payee: `${pick(FIRST)} ${pick(TRADE)}`.toUpperCase(),
          posted: iso(Math.floor(random() * 330)),
          paid: (20 + Math.floor(random() * 98000) / 100).toFixed(2),
        },
      });
      truth.set(id, '');
      continue;
    }
    const r = reference[(k * 7 + 3) % reference.length] as EngineRow;
    const v = r.values as Record<string, string>;
    const day = Math.round((Date.parse(v.entry_date as string) - Date.UTC(2025, 0, 1)) / DAY_MS);
    const payee = (v.vendor as string).split(' ').map((w) => (random() < 0.15 ? typo(w, random) : w));
    source.push({
      id,
      values: {
        line_id: `L${k}`,
        payee: payee.join(' ').toUpperCase(),
        posted: iso(day + options.delay(random)),
        paid: (Number(v.amount) + (options.extra?.(random) ?? 0)).toFixed(2),
      },
    });
    truth.set(id, r.id);
  }
  const columns = (names: string[]) => names.map((name) => ({ name, type: 'string' as const }));
  return {
    reference: { columns: columns(['entry_id', 'vendor', 'entry_date', 'amount']), rows: reference, idColumn: 'entry_id' },
    source: { columns: columns(['line_id', 'payee', 'posted', 'paid']), rows: source, idColumn: 'line_id' },
    truth,
  };
}

const between = (low: number, high: number) => (random: () => number) => low + Math.floor(random() * (high - low + 1));

type Differences = { fields: Array<{ source: string; verdict: string; window: { min: number; max: number } | null; pairs: number }> };

describe('windows of expected differences learnt in generation', () => {
  const later = ledgerFixture({ delay: between(1, 3) });
  const posted = generateStrategy({ reference: later.reference, source: later.source });
  const postedMapping = () => posted.match.fieldMappings.find((m) => m.source === 'posted');

  it('statement lines posted 1 to 3 days after the ledger date get the window [1, 3] days, stated in the rationale', () => {
    expect(postedMapping()?.strategy).toBe('date_range');
    expect(postedMapping()?.options).toEqual({ minDifferenceDays: 1, maxDifferenceDays: 3 });
    const explanation = posted.mappings.find((m) => m.source === 'posted');
    expect(explanation?.rationale).toMatch(/window learnt because the differences are shifted to one side/);
    expect(explanation?.rationale).toMatch(
      /source − reference on \d+ pairs the other fields identify: 1 to 3 days .*100% later, 0% earlier/,
    );
    const measured = (posted.details.differences as Differences).fields.find((f) => f.source === 'posted');
    expect(measured?.verdict).toBe('shifted');
    expect(measured?.pairs).toBeGreaterThanOrEqual(MIN_CONFIDENT_PAIRS);
  });

  it('the learnt window matches the lines to their entries through the ordinary engine', () => {
    const { rows } = matchSlice(buildReferenceIndex(later.reference.rows, posted.match), later.source.rows);
    expect(
      f1(
        rows.map((r) => [r.sourceRowId, r.referenceRowId]),
        later.truth,
      ),
    ).toBeGreaterThan(0.95);
  });

  it("the review pass's whole-record text leaves out a date with a learnt window, and keeps one without", () => {
    const recordColumns = (strategy: typeof posted) => strategy.match.model?.record?.columns?.map((c) => c.source);
    expect(recordColumns(posted)).toContain('payee');
    expect(recordColumns(posted)).not.toContain('posted');
    const sameDay = ledgerFixture({ delay: () => 0 });
    expect(recordColumns(generateStrategy({ reference: sameDay.reference, source: sameDay.source }))).toContain('posted');
  });

  it('dates that differ either way by up to 3 days keep the default symmetric tolerance', () => {
    const noisy = ledgerFixture({ delay: between(-3, 3) });
    const strategy = generateStrategy({ reference: noisy.reference, source: noisy.source });
    expect(strategy.match.fieldMappings.find((m) => m.source === 'posted')?.options).toEqual({ toleranceDays: 30 });
    const measured = (strategy.details.differences as Differences).fields.find((f) => f.source === 'posted');
    expect(measured).toMatchObject({ verdict: 'symmetric', window: null });
    expect(strategy.mappings.find((m) => m.source === 'posted')?.rationale).not.toMatch(/window learnt/);
  });

  it("a prompt's tolerance wins over what the data says", () => {
    const steered = generateStrategy({ reference: later.reference, source: later.source, userPrompt: 'Dates may differ by 4 days.' });
    expect(steered.match.fieldMappings.find((m) => m.source === 'posted')?.options).toEqual({ toleranceDays: 4 });
    expect((steered.details.differences as Differences).fields.some((f) => f.source === 'posted')).toBe(false);
  });

  it('a fee that makes a third of the statement amounts larger gives the amount a window above 0, in percent', () => {
    const withFees = ledgerFixture({ delay: () => 0, extra: (random) => (random() < 0.3 ? 1.5 + Math.floor(random() * 4) / 2 : 0) });
    const strategy = generateStrategy({ reference: withFees.reference, source: withFees.source });
    const paid = strategy.match.fieldMappings.find((m) => m.source === 'paid');
    expect(paid?.strategy).toBe('numeric_range');
    expect(paid?.options?.minDifferencePct).toBe(0);
    expect(paid?.options?.maxDifferencePct).toBeGreaterThan(0);
    expect(paid?.options?.tolerancePct).toBeUndefined();
    expect(strategy.mappings.find((m) => m.source === 'paid')?.rationale).toMatch(/window learnt because the differences lean to one side/);
    // the dates are equal: nothing to learn there
    expect(strategy.match.fieldMappings.find((m) => m.source === 'posted')?.options).toEqual({ toleranceDays: 30 });
  });
});

describe('measureDifferences: the rule', () => {
  const repeat = (counts: Array<[number, number]>) => counts.flatMap(([value, n]) => new Array<number>(n).fill(value));

  it('needs enough pairs for the tail quantiles', () => {
    expect(measureDifferences(repeat([[2, MIN_CONFIDENT_PAIRS - 1]]), 'days')).toMatchObject({ verdict: 'too few pairs', window: null });
    expect(measureDifferences(repeat([[2, MIN_CONFIDENT_PAIRS]]), 'days')).toMatchObject({
      verdict: 'shifted',
      window: { min: 2, max: 2 },
    });
  });

  it('shifted: most differences on one side; the window is the central 95 %, observed values', () => {
    const delays = repeat([
      [0, 10],
      [1, 30],
      [2, 20],
      [3, 20],
      [4, 10],
      [5, 10],
    ]);
    expect(measureDifferences(delays, 'days')).toMatchObject({ verdict: 'shifted', window: { min: 0, max: 5 }, median: 2, equal: 0.1 });
  });

  it('lopsided: mostly equal, but the differences there are go one way', () => {
    const fees = repeat([
      [-0.05, 3],
      [0, 80],
      [0.4, 10],
      [1.234, 10],
    ]);
    const measured = measureDifferences(fees, 'percent');
    expect(measured.verdict).toBe('lopsided');
    // percent ends are rounded outwards to a hundredth
    expect(measured.window).toEqual({ min: -0.05, max: 1.24 });
  });

  it('mostly equal: the window is read from the values that differ, so it holds the fees', () => {
    // 96 % equal (the central 95 % of all of them would be [0, 0]); a card fee of 1.5 to 3 % on some, a conversion
    // of up to ±1 % on others.
    const amounts = repeat([
      [-1, 4],
      [-0.5, 4],
      [0, 960],
      [0.5, 4],
      [1.5, 10],
      [2.2, 10],
      [3, 8],
    ]);
    const measured = measureDifferences(amounts, 'percent');
    expect(measured.verdict).toBe('lopsided');
    expect(measured.window).toEqual({ min: -1, max: 3 });
  });

  it('symmetric: differences either way, or a direction the sign test does not confirm, keep the tolerance', () => {
    const either = repeat([
      [-3, 20],
      [-1, 20],
      [0, 40],
      [1, 20],
      [3, 20],
    ]);
    expect(measureDifferences(either, 'days')).toMatchObject({ verdict: 'symmetric', window: null });
    // four lines a day later among forty equal ones: lopsided, but four are no evidence of a direction
    expect(
      measureDifferences(
        repeat([
          [0, 40],
          [1, 4],
        ]),
        'days',
      ),
    ).toMatchObject({ verdict: 'symmetric', window: null });
  });
});
