// Value normalisation, per type. Pure functions; used both when the reference index is built and for source rows,
// so both sides always go through exactly the same code.

// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point (a fast path for ASCII text)
const NON_ASCII = /[^\x00-\x7f]/;
const ASCII_APOSTROPHE = /'/g;
const ASCII_NON_WORD = /[^a-z0-9]+/g;
const COMBINING_MARKS = /\p{M}+/gu;
const APOSTROPHES = /['`\u2018\u2019\u02bc]/g;
const NON_WORD = /[^\p{L}\p{N}]+/gu;
// Letters that neither NFKC nor stripping combining marks reduce to ASCII but that people write either way.
const SPECIAL_FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
  ς: 'σ',
};
const SPECIAL_FOLD_CHARS = /[ßæœøłđðþıς]/g;

/** Any cell value as text: strings as they are, finite numbers/bigints/booleans printed, dates as ISO days,
 *  arrays joined with spaces; null, undefined, NaN and other objects are ''. Never throws. */
export function toText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? String(value) : '';
    case 'bigint':
    case 'boolean':
      return String(value);
    case 'object':
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
      if (Array.isArray(value))
        return value
          .map(toText)
          .filter((s) => s !== '')
          .join(' ');
      return '';
    default:
      return '';
  }
}

/**
 * Text normalisation: Unicode NFKC, case fold, strip accents (combining marks after NFD), drop apostrophes
 * ("O'Brien" → "obrien"), turn every other run of punctuation/symbols/whitespace into one space, trim.
 * Pure-ASCII input takes a fast path with the same result (most data is ASCII, and this runs once per cell).
 */
export function normaliseText(value: unknown): string {
  const text = toText(value);
  if (text === '') return '';
  if (isAlreadyNormal(text)) return text;
  if (!NON_ASCII.test(text)) {
    return text.toLowerCase().replace(ASCII_APOSTROPHE, '').replace(ASCII_NON_WORD, ' ').trim();
  }
  const folded = text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(SPECIAL_FOLD_CHARS, (c) => SPECIAL_FOLDS[c] ?? c);
  return folded.replace(APOSTROPHES, '').replace(NON_WORD, ' ').trim();
}

/** True when text is already in normal form: only [a-z0-9] words separated by single spaces. Most cells of
 *  clean data are; checking costs one pass and no allocation, where the regex path allocates three strings. */
function isAlreadyNormal(text: string): boolean {
  const n = text.length;
  let previousSpace = true; // a leading space is not normal
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) previousSpace = false;
    else if (c === 32 && !previousSpace) previousSpace = true;
    else return false;
  }
  return !previousSpace; // no trailing space
}

/** Whitespace tokens of an already normalised text. */
export function tokensOf(normalised: string): string[] {
  return normalised === '' ? [] : normalised.split(' ');
}

/** Sorted unique tokens joined by one space: the canonical form token_set compares. */
export function sortedTokenSet(normalised: string): string {
  const tokens = tokensOf(normalised);
  if (tokens.length < 2) return normalised;
  return [...new Set(tokens)].sort().join(' ');
}

// ---------------------------------------------------------------------------------------------------- dates

const MS_PER_DAY = 86_400_000;
/** Month numbers by English name abbreviation (the first three letters, and `sept`). */
export const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};

const ISO_DATE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[t\s].*)?$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const NUMERIC_DMY = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$/;
const DAY_MONTH_NAME_YEAR = /^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$/;
const MONTH_NAME_DAY_YEAR = /^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/;

/** Days since 1970-01-01 (UTC) for a valid calendar date, else null. */
function dayNumber(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  return Math.round(ms / MS_PER_DAY);
}

/** Two-digit years: 00–49 → 2000s, 50–99 → 1900s. */
function fullYear(text: string): number {
  const y = Number(text);
  if (text.length === 4) return y;
  return y < 50 ? 2000 + y : 1900 + y;
}

/**
 * A date as a day number (days since 1970-01-01), or null when it is missing or not a date.
 * Accepted: Date objects; ISO `YYYY-MM-DD` (also with `/` or `.`, and with a time part, which is ignored);
 * `YYYYMMDD` (string or number); `DD/MM/YYYY` (also `-` `.` and two-digit years), read day-first unless the
 * second number cannot be a month (`03/25/2020` is read month-first because 25 cannot be a month), or month-first
 * unless the first cannot be one with `monthFirst` (a column whose values show that order: see numericDateOrder);
 * `12 Mar 2020`, `12th March 2020`, `12-Mar-2020`, `Mar 12, 2020`, `March 12 2020`.
 */
export function normaliseDate(value: unknown, monthFirst = false): number | null {
  if (value instanceof Date) {
    const t = value.getTime();
    return Number.isNaN(t) ? null : Math.floor(t / MS_PER_DAY);
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) && value >= 10000101 && value <= 99991231 ? normaliseDate(String(value), monthFirst) : null;
  }
  if (typeof value !== 'string') return null;
  const text = value.trim().toLowerCase();
  if (text === '') return null;
  let m = ISO_DATE.exec(text) ?? COMPACT_DATE.exec(text);
  if (m) return dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
  m = NUMERIC_DMY.exec(text);
  if (m) {
    const first = Number(m[1]);
    const second = Number(m[2]);
    const year = fullYear(m[3] ?? '');
    // Day-first is the default; month-first only when the second number cannot be a month (or, with monthFirst,
    // unless the first cannot be one).
    const readMonthFirst = monthFirst ? !(first > 12 && second <= 12) : second > 12 && first <= 12;
    return readMonthFirst ? dayNumber(year, first, second) : dayNumber(year, second, first);
  }
  const spaced = text.replace(/[-/]/g, ' ').replace(/\s+/g, ' ');
  m = DAY_MONTH_NAME_YEAR.exec(spaced);
  if (m) {
    const month = MONTHS[m[2] ?? ''];
    return month === undefined ? null : dayNumber(Number(m[3]), month, Number(m[1]));
  }
  m = MONTH_NAME_DAY_YEAR.exec(spaced);
  if (m) {
    const month = MONTHS[m[1] ?? ''];
    return month === undefined ? null : dayNumber(Number(m[3]), month, Number(m[2]));
  }
  return null;
}

/** The order a numeric date such as 25/03/2020 or 03/25/2020 proves by a number above 12, or null (ISO dates, names
 *  of months, and 03/05/2020, which could be either). */
export function numericDateOrder(value: unknown): 'day_first' | 'month_first' | null {
  if (typeof value !== 'string') return null;
  const m = NUMERIC_DMY.exec(value.trim().toLowerCase());
  if (m === null) return null;
  const first = Number(m[1]);
  const second = Number(m[2]);
  if (first > 12 && second <= 12) return 'day_first';
  if (second > 12 && first <= 12) return 'month_first';
  return null;
}

/** Day number back to `YYYY-MM-DD` (used for blocking keys on dates). */
export function isoDay(dayNumberValue: number): string {
  return new Date(dayNumberValue * MS_PER_DAY).toISOString().slice(0, 10);
}

// -------------------------------------------------------------------------------------------------- numbers

const NUMBER_NOISE = /[^0-9.,\-+()]/g; // currency symbols and codes, units, spaces, apostrophes (1'000) go

/**
 * A number from a cell, or null. Strips currency symbols/codes, spaces and apostrophes; `(12.50)` is negative.
 * Separators: with both `,` and `.` the last one is the decimal mark (`1,234.56`, `1.234,56`); a lone `,`
 * followed by exactly three digits, or several `,`, are thousands separators (`1,234`), otherwise it is the
 * decimal mark (`3,5`); several `.` are thousands separators (`1.234.567`), a single `.` is the decimal mark.
 */
export function normaliseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string') return null;
  let text = value.trim();
  if (text === '') return null;
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1);
  }
  text = text.replace(NUMBER_NOISE, '').replace(/[()]/g, '');
  if (text.startsWith('-')) {
    negative = !negative;
    text = text.slice(1);
  } else if (text.startsWith('+')) {
    text = text.slice(1);
  }
  if (!/^[0-9][0-9.,]*$|^[.,][0-9]+$/.test(text)) return null;
  const lastComma = text.lastIndexOf(',');
  const lastDot = text.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    text = lastComma > lastDot ? text.replace(/\./g, '').replace(',', '.') : text.replace(/,/g, '');
  } else if (lastComma >= 0) {
    const commas = text.split(',').length - 1;
    const decimals = text.length - lastComma - 1;
    text = commas > 1 || decimals === 3 ? text.replace(/,/g, '') : text.replace(',', '.');
  } else if (lastDot >= 0 && text.indexOf('.') !== lastDot) {
    text = text.replace(/\./g, '');
  }
  const n = Number(text);
  if (!Number.isFinite(n)) return null;
  return negative ? -n : n;
}
