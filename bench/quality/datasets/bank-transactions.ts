// bank_transactions: a ledger of payments made (reference: date, amount, payee, invoice reference) against the bank
// statement that shows them cleared (source: posting date, amount, memo). What makes it hard is what real
// reconciliation has:
// - memos are short, upper-case, truncated and abbreviated ("SQ *BLUE BOTTLE COF", "ACH DEBIT CMCST CABLE"), with
//   a processor prefix, a store number or a city; word overlap with the payee's name is thin;
// - the bank posts 0–5 days after the ledger date, never before;
// - amounts mostly agree, but some carry a card fee or a currency conversion difference;
// - subscriptions pay the same payee the same amount every month, so only the date tells those rows apart;
// - some statement lines have no ledger entry (bank fees, transfers, interest), and many ledger entries have not
//   cleared yet.
// Synthetic, so it proves mechanics, not quality on real statements.
import type { MatchConfig } from '../../../src/matching/index';
import { pad2 } from '../noise';
import { Random } from '../random';
import { assembleTables, type Cells, type PlannedSourceRow } from '../table';
import type { GenerateOptions, QualityDataset } from '../types';

const FIRST_WORDS = [
  'Blue',
  'Golden',
  'Summit',
  'Pioneer',
  'Harbor',
  'Granite',
  'Maple',
  'Silver',
  'Northern',
  'Coastal',
  'Evergreen',
  'Liberty',
  'Cedar',
  'Riverside',
  'Metro',
  'Prairie',
  'Atlas',
  'Beacon',
  'Crescent',
  'Falcon',
  'Horizon',
  'Keystone',
  'Lakeside',
  'Orchard',
  'Redwood',
  'Sterling',
  'Union',
  'Valley',
  'Willow',
  'Apex',
  'Bright',
  'Copper',
  'Delta',
];
const TRADES = [
  'Coffee',
  'Plumbing',
  'Office Supply',
  'Cable',
  'Electric',
  'Logistics',
  'Software',
  'Catering',
  'Printing',
  'Insurance',
  'Cleaning',
  'Hardware',
  'Consulting',
  'Telecom',
  'Auto Repair',
  'Florist',
  'Legal Services',
  'Water',
  'Security',
  'Staffing',
  'Marketing',
  'Freight',
  'Bakery',
  'Pharmacy',
  'Fuel',
  'Hosting',
  'Travel',
];
const SUFFIXES = ['', '', 'Inc', 'LLC', 'Co', 'Ltd', 'Corp', 'Group', 'Services'];
const PROCESSORS = ['', '', 'POS ', 'SQ *', 'PAYPAL *', 'ACH DEBIT ', 'CHECKCARD ', 'DEBIT CARD PURCHASE ', 'TST* '];
const CITIES = ['SPRINGFIELD', 'RIVERSIDE', 'FRANKLIN', 'SALEM', 'MADISON', 'DAYTON', 'AUBURN', 'DOVER', 'HUDSON'];
const UNMATCHED_MEMOS = [
  'MONTHLY SERVICE FEE',
  'ONLINE TRANSFER TO SAV',
  'INTEREST PAYMENT',
  'ATM WITHDRAWAL',
  'WIRE FEE',
  'OVERDRAFT FEE',
  'MOBILE DEPOSIT',
];

/** Ledger entries' share that has cleared (has a statement line). */
const CLEARED_SHARE = 0.55;
/** Statement lines without a ledger entry. */
const UNMATCHED_SHARE = 0.15;
const DAY_MS = 86_400_000;
const START = Date.UTC(2025, 0, 1);

interface Payee {
  name: string;
  /** a subscription: the same amount every month */
  monthly: number | null;
}

interface Entry {
  payee: Payee;
  day: number;
  amount: number;
  invoice: string;
}

function isoDay(day: number): string {
  return new Date(START + day * DAY_MS).toISOString().slice(0, 10);
}

function usDay(day: number): string {
  const d = new Date(START + day * DAY_MS);
  return `${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}/${d.getUTCFullYear()}`;
}

/** How a bank prints a payee: upper case, vowels dropped from some long words, truncated. */
function memoOf(random: Random, payee: Payee, invoice: string): string {
  const words = payee.name
    .toUpperCase()
    .replace(/[^A-Z ]/g, '')
    .split(' ')
    .filter(Boolean);
  const shortened = words.map((w) => (w.length > 5 && random.chance(0.3) ? w[0] + w.slice(1).replace(/[AEIOU]/g, '') : w));
  let memo = random.pick(PROCESSORS) + shortened.join(' ');
  memo = memo.slice(0, 16 + random.int(8)).trim();
  if (random.chance(0.3)) memo += ` ${String(random.int(10000)).padStart(5, '0')}`;
  if (random.chance(0.3)) memo += ` ${random.pick(CITIES)}`;
  if (random.chance(0.15)) memo += ` ${invoice.replace('-', '')}`;
  return memo;
}

function money(amount: number): string {
  return amount.toFixed(2);
}

export function generate({ seed, referenceSize, sourceSize }: GenerateOptions): QualityDataset {
  const random = new Random(seed);
  const payees: Payee[] = [];
  const names = new Set<string>();
  while (payees.length < Math.max(20, Math.round(referenceSize / 12))) {
    const name = [random.pick(FIRST_WORDS), random.pick(TRADES), random.pick(SUFFIXES)].filter(Boolean).join(' ');
    if (names.has(name)) continue;
    names.add(name);
    payees.push({ name, monthly: random.chance(0.3) ? random.between(9, 400) + random.pick([0, 0.99, 0.5]) : null });
  }
  const entries: Entry[] = [];
  const months = new Map<Payee, number>();
  for (let i = 0; i < referenceSize; i++) {
    const payee = random.zipf(payees, 4);
    // A subscription's next month (twelve a year, on its day of the month); other payments any day, any amount.
    const month = months.get(payee) ?? 0;
    const subscription = payee.monthly !== null && month < 12;
    if (subscription) months.set(payee, month + 1);
    const day = subscription ? (payees.indexOf(payee) % 28) + 30 * month : random.int(365);
    const amount = subscription ? (payee.monthly as number) : random.between(500, 250_000) / 100;
    entries.push({ payee, day, amount, invoice: `INV-${10000 + i}` });
  }
  const reference = entries.map(
    (e): Cells => ({
      entry_date: isoDay(e.day),
      amount: money(e.amount),
      payee: e.payee.name,
      invoice: random.chance(0.7) ? e.invoice : '',
    }),
  );

  const matchedCount = Math.min(Math.round(sourceSize * (1 - UNMATCHED_SHARE)), Math.round(referenceSize * CLEARED_SHARE));
  const cleared = random.shuffle(entries.map((_, i) => i)).slice(0, matchedCount);
  const rows: PlannedSourceRow[] = cleared.map((index) => {
    const e = entries[index] as Entry;
    const delay = random.pick([0, 1, 1, 1, 2, 2, 3, 3, 4, 5]);
    let amount = e.amount;
    if (random.chance(0.06))
      amount = Math.round(amount * (1 + random.between(-100, 100) / 10_000) * 100) / 100; // currency conversion
    else if (random.chance(0.05)) amount = Math.round((amount + random.pick([1.5, 2.5, 3])) * 100) / 100; // card fee
    const cells: Cells = { posted: usDay(e.day + delay), debit: money(amount), description: memoOf(random, e.payee, e.invoice) };
    return { cells, referenceIndex: index };
  });
  while (rows.length < sourceSize) {
    const cells: Cells = {
      posted: usDay(random.int(365)),
      debit: money(random.between(100, 50_000) / 100),
      description: random.pick(UNMATCHED_MEMOS),
    };
    rows.push({ cells, referenceIndex: null });
  }
  const tables = assembleTables(
    random,
    'bank',
    { columns: ['entry_date', 'amount', 'payee', 'invoice'], records: reference },
    { columns: ['posted', 'debit', 'description'], rows },
  );
  return { name: 'bank_transactions', ...tables, handConfig: bankHandConfig };
}

/** What a user would write by hand: the memo against the payee, amounts to the cent, dates within a few days. */
export const bankHandConfig: MatchConfig = {
  threshold: 0.75,
  fieldMappings: [
    { source: 'description', target: 'payee', strategy: 'fuzzy', weight: 0.4, options: { algorithm: 'token_set' } },
    { source: 'debit', target: 'amount', strategy: 'numeric_range', weight: 0.4, options: { tolerance: 0.01 } },
    { source: 'posted', target: 'entry_date', strategy: 'date_range', weight: 0.2, options: { toleranceDays: 5 } },
  ],
};
