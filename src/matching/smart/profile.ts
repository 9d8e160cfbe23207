// Column profiles of a sampled table: fill rate, distinctness, value shapes and token statistics, plus the value
// overlap between a source column and a reference column. Everything later steps decide on (kinds, mappings,
// blocking) reads these figures, and they go into the strategy's `details`.

import { isoDay, normaliseDate, normaliseNumber, normaliseText, numericDateOrder, toText, tokensOf } from '../normalise';
import type { EngineRow } from '../types';
import type { ColumnInfo } from './types';

export interface ColumnProfile {
  name: string;
  declaredType: ColumnInfo['type'];
  rows: number;
  /** share of rows with a non-empty value */
  fillRate: number;
  /** distinct normalised values / non-empty values */
  distinctness: number;
  distinct: number;
  /** share of non-empty values held by the most frequent value */
  topValueShare: number;
  avgLength: number;
  avgTokens: number;
  /** shares of non-empty values with a shape */
  shares: {
    number: number;
    integer: number;
    decimal: number;
    date: number;
    email: number;
    phoneLike: number;
    lettersOnly: number;
    digitsOnly: number;
    hasDigit: number;
    leadingZero: number;
    currency: number;
    listLike: number;
    /** the most common length of digits-only values, as a share of digits-only values */
    sameLength: number;
  };
  /** year range of parsed dates / range of numbers (null when none) */
  numberRange: [number, number] | null;
  /** what makes the column row identity alone (sequential numbers, UUIDs), or null: such a column says which row
   *  of its own table a row is, never which row of the other table it matches, so it is never compared */
  rowIdentity: string | null;
  /** the order of day and month its numeric dates prove (a value with a number above 12), when they all agree */
  dateOrder: 'day_first' | 'month_first' | null;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
/** Sequential ids: distinct integers spread over at most this many times as many numbers as there are rows (a
 *  sample that takes every k-th row of a 1..n column spreads k times). */
const SEQUENCE_SPREAD = 20;

/** Normalised values and tokens of a column, for overlap measurements (not serialised). */
export interface ColumnValues {
  values: string[];
  valueSet: Set<string>;
  tokenCounts: Map<string, number>;
}

/** values whose shapes are examined per column */
const SHAPE_VALUES = 1500;
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;
const PHONE = /^\+?[\d\s().\-/]{7,20}$/;
const CURRENCY = /[$€£¥]|\b(usd|eur|gbp|chf|jpy)\b/i;

export function profileColumn(column: ColumnInfo, rows: EngineRow[]): { profile: ColumnProfile; values: ColumnValues } {
  const values: string[] = [];
  const counts = new Map<string, number>();
  const tokenCounts = new Map<string, number>();
  let filled = 0;
  let checked = 0;
  const shapeStride = Math.max(1, Math.ceil(rows.length / SHAPE_VALUES));
  let lengthSum = 0;
  let tokenSum = 0;
  const order = { day_first: 0, month_first: 0 };
  const c = {
    number: 0,
    integer: 0,
    decimal: 0,
    date: 0,
    email: 0,
    phoneLike: 0,
    lettersOnly: 0,
    digitsOnly: 0,
    hasDigit: 0,
    leadingZero: 0,
    currency: 0,
    listLike: 0,
    uuid: 0,
  };
  const digitLengths = new Map<number, number>();
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    const raw = row.values?.[column.name];
    const text = normaliseText(raw);
    values.push(text);
    if (text === '') continue;
    filled++;
    counts.set(text, (counts.get(text) ?? 0) + 1);
    const tokens = tokensOf(text);
    tokenSum += tokens.length;
    lengthSum += text.length;
    for (const t of tokens) tokenCounts.set(t, (tokenCounts.get(t) ?? 0) + 1);
    // Value shapes (the costly parses) are read on at most SHAPE_VALUES evenly spaced values.
    if ((filled - 1) % shapeStride !== 0) continue;
    checked++;
    const rawText = toText(raw).trim();
    const n = normaliseNumber(raw);
    if (n !== null) {
      c.number++;
      if (Number.isInteger(n) && !/[.,]\d/.test(rawText)) c.integer++;
      else c.decimal++;
      if (n < min) min = n;
      if (n > max) max = n;
    }
    if (normaliseDate(raw) !== null) c.date++;
    const proven = numericDateOrder(raw);
    if (proven !== null) order[proven]++;
    if (EMAIL.test(rawText)) c.email++;
    if (PHONE.test(rawText) && /[\s().\-+/]/.test(rawText) && rawText.replace(/\D/g, '').length >= 7) c.phoneLike++;
    if (/^[a-z ]+$/.test(text)) c.lettersOnly++;
    if (/\d/.test(text)) c.hasDigit++;
    if (/^\d+$/.test(rawText)) {
      c.digitsOnly++;
      digitLengths.set(rawText.length, (digitLengths.get(rawText.length) ?? 0) + 1);
      if (rawText.length > 1 && rawText[0] === '0') c.leadingZero++;
    }
    if (CURRENCY.test(rawText)) c.currency++;
    if (UUID.test(rawText)) c.uuid++;
    if (/[;|]|,\s*\S.*,|\band\b/.test(rawText) && tokens.length >= 3) c.listLike++;
  }
  const dateOrder =
    order.month_first > 0 && order.day_first === 0 ? 'month_first' : order.day_first > 0 && order.month_first === 0 ? 'day_first' : null;
  // Date columns are compared by day, so their overlap is measured on ISO days (01/05/1980 = 1980-05-01).
  if (checked > 0 && c.date / checked >= 0.8) {
    rows.forEach((row, i) => {
      const day = normaliseDate(row.values?.[column.name], dateOrder === 'month_first');
      if (day !== null) values[i] = isoDay(day);
    });
  }
  let top = 0;
  for (const v of counts.values()) if (v > top) top = v;
  const share = (x: number) => (filled === 0 ? 0 : x / filled);
  const shapeShare = (x: number) => (checked === 0 ? 0 : x / checked);
  let sameLength = 0;
  for (const v of digitLengths.values()) if (v > sameLength) sameLength = v;
  const profile: ColumnProfile = {
    name: column.name,
    declaredType: column.type,
    rows: rows.length,
    fillRate: rows.length === 0 ? 0 : filled / rows.length,
    distinct: counts.size,
    distinctness: share(counts.size),
    topValueShare: share(top),
    avgLength: share(lengthSum),
    avgTokens: share(tokenSum),
    shares: {
      number: shapeShare(c.number),
      integer: shapeShare(c.integer),
      decimal: shapeShare(c.decimal),
      date: shapeShare(c.date),
      email: shapeShare(c.email),
      phoneLike: shapeShare(c.phoneLike),
      lettersOnly: shapeShare(c.lettersOnly),
      digitsOnly: shapeShare(c.digitsOnly),
      hasDigit: shapeShare(c.hasDigit),
      leadingZero: shapeShare(c.leadingZero),
      currency: shapeShare(c.currency),
      listLike: shapeShare(c.listLike),
      sameLength: c.digitsOnly === 0 ? 0 : sameLength / c.digitsOnly,
    },
    numberRange: min <= max ? [min, max] : null,
    // Digits alone, not whatever parses as an integer: "INV-10282" is an invoice reference, not a row number.
    dateOrder,
    rowIdentity: rowIdentity(filled, counts.size, shapeShare(c.digitsOnly), shapeShare(c.uuid), min, max),
  };
  return { profile, values: { values, valueSet: new Set(values.filter((v) => v !== '')), tokenCounts } };
}

function rowIdentity(filled: number, distinct: number, integerShare: number, uuidShare: number, min: number, max: number): string | null {
  if (filled < 20 || distinct < 0.99 * filled) return null;
  if (uuidShare >= 0.95) return 'UUIDs, one per row';
  if (integerShare >= 0.99 && min <= max && max - min + 1 <= SEQUENCE_SPREAD * filled) {
    return `sequential numbers (${distinct} distinct integers from ${min} to ${max})`;
  }
  return null;
}

export interface Overlap {
  /** share of the source column's non-empty values found verbatim (normalised) in the reference column */
  values: number;
  /** share of the source column's token occurrences found among the reference column's tokens */
  tokens: number;
}

export function measureOverlap(source: ColumnValues, reference: ColumnValues): Overlap {
  let present = 0;
  let found = 0;
  for (const v of source.values) {
    if (v === '') continue;
    present++;
    if (reference.valueSet.has(v)) found++;
  }
  let tokens = 0;
  let tokensFound = 0;
  for (const [t, n] of source.tokenCounts) {
    tokens += n;
    if (reference.tokenCounts.has(t)) tokensFound += n;
  }
  return { values: present === 0 ? 0 : found / present, tokens: tokens === 0 ? 0 : tokensFound / tokens };
}

/** Two decimals for figures shown in details and rationales. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
