/**
 * Per-column type inference. Cheap per value: precompiled regexes, and a column stops testing a type as soon as one
 * value failed it (a column stops testing altogether once every type failed).
 *
 * Rules (empty/null values are ignored; a column without values is 'string'):
 * - 'boolean': every value is true/false/yes/no (case-insensitive) or a JSON boolean.
 * - 'date': every value is one of YYYY-MM-DD (optionally followed by an ISO time, "T" or space separated, with
 *   optional seconds, fraction and zone), YYYYMMDD (year 1800-2199 and a real month/day), D/M/YYYY or M/D/YYYY
 *   (separator "/", "." or "-"; accepted when either reading is a real date), "12 Mar 2020" / "12 March 2020" /
 *   "Mar 12, 2020".
 * - 'number': every value is a decimal number: optional sign, digits with an optional fraction (or ".5"), an optional
 *   exponent; or comma-grouped thousands with groups of exactly three digits and a "." decimal point ("1,234.5",
 *   "-12,345"). "1,5" (a decimal comma) is not a number. Leading zeros are allowed ("0123" counts as a number).
 * - precedence: boolean, then date, then number (so a column whose every value is a plausible YYYYMMDD, e.g.
 *   19560814, is a 'date'; one value like 19561399 makes it a 'number'), else 'string'.
 * Inference never changes values: "0123" stays the string "0123".
 */
import { MONTHS as MONTH_NUMBERS } from '../../../matching/normalise';
export type ColumnType = 'string' | 'number' | 'date' | 'boolean';

const BOOL_RE = /^(?:true|false|yes|no)$/i;
const NUM_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NUM_GROUPED_RE = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?))?)?$/;
const COMPACT_DATE_RE = /^\d{8}$/;
const DMY_RE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;
const MONTHS =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DAY_MONTH_YEAR_RE = new RegExp(`^(\\d{1,2})(?:st|nd|rd|th)? ${MONTHS}\\.?,? (\\d{4})$`, 'i');
const MONTH_DAY_YEAR_RE = new RegExp(`^${MONTHS}\\.? (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4})$`, 'i');

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function validDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function isBoolean(s: string): boolean {
  return BOOL_RE.test(s);
}

export function isNumber(s: string): boolean {
  return NUM_RE.test(s) || (s.length > 4 && NUM_GROUPED_RE.test(s));
}

export function isDate(s: string): boolean {
  const len = s.length;
  if (len < 8 || len > 40) return false;
  const c0 = s.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) {
    if (len === 8 && COMPACT_DATE_RE.test(s)) {
      const y = +s.slice(0, 4);
      return y >= 1800 && y <= 2199 && validDate(y, +s.slice(4, 6), +s.slice(6, 8));
    }
    let m = ISO_DATE_RE.exec(s);
    if (m) return validDate(+m[1]!, +m[2]!, +m[3]!);
    m = DMY_RE.exec(s);
    if (m) {
      const a = +m[1]!;
      const b = +m[3]!;
      const y = +m[4]!;
      return validDate(y, b, a) || validDate(y, a, b);
    }
    m = DAY_MONTH_YEAR_RE.exec(s);
    if (m) return validDate(+m[3]!, MONTH_NUMBERS[m[2]!.slice(0, 3).toLowerCase()] ?? 0, +m[1]!);
    return false;
  }
  const m = MONTH_DAY_YEAR_RE.exec(s);
  if (m) return validDate(+m[3]!, MONTH_NUMBERS[m[1]!.slice(0, 3).toLowerCase()] ?? 0, +m[2]!);
  return false;
}

/** Accumulates the inferred type of one column. */
export class TypeAccumulator {
  private bool = true;
  private num = true;
  private date = true;
  private live = true;
  private seen = false;

  add(value: string | number | boolean): void {
    if (!this.live) return;
    this.seen = true;
    if (typeof value === 'boolean') {
      this.num = false;
      this.date = false;
      return;
    }
    const s = typeof value === 'number' ? String(value) : value;
    if (this.bool) this.bool = BOOL_RE.test(s);
    if (this.num) this.num = isNumber(s);
    if (this.date) this.date = isDate(s);
    this.live = this.bool || this.num || this.date;
  }

  result(): ColumnType {
    if (!this.seen) return 'string';
    if (this.bool) return 'boolean';
    if (this.date) return 'date';
    if (this.num) return 'number';
    return 'string';
  }
}
