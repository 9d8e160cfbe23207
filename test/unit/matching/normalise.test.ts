import { describe, expect, it } from 'vitest';
import { isoDay, normaliseDate, normaliseNumber, normaliseText } from '../../../src/matching/index';
import { numericDateOrder } from '../../../src/matching/normalise';

describe('normaliseText', () => {
  it('applies NFKC, case folding, accent stripping', () => {
    expect(normaliseText('ＡＢＣ１２３')).toBe('abc123');
    expect(normaliseText('Crème Brûlée')).toBe('creme brulee');
    expect(normaliseText('Straße')).toBe('strasse');
    expect(normaliseText('ÆRØ')).toBe('aero');
    expect(normaliseText('ﬁle')).toBe('file');
  });

  it('drops apostrophes, turns other punctuation into spaces, collapses spaces', () => {
    expect(normaliseText("O'Brien")).toBe('obrien');
    expect(normaliseText('O’Brien')).toBe('obrien');
    expect(normaliseText('  ACME,  Ltd.  (UK) ')).toBe('acme ltd uk');
    expect(normaliseText('a\t\nb')).toBe('a b');
    expect(normaliseText('smith-jones')).toBe('smith jones');
  });

  it('never throws on odd values', () => {
    expect(normaliseText(null)).toBe('');
    expect(normaliseText(undefined)).toBe('');
    expect(normaliseText('')).toBe('');
    expect(normaliseText('---')).toBe('');
    expect(normaliseText(42)).toBe('42');
    expect(normaliseText(Number.NaN)).toBe('');
    expect(normaliseText({ a: 1 })).toBe('');
    expect(normaliseText(['A', 'b'])).toBe('a b');
    expect(normaliseText(true)).toBe('true');
  });
});

describe('normaliseDate', () => {
  const day = (iso: string) => normaliseDate(iso) as number;

  it('reads the common formats to the same day', () => {
    const expected = day('2020-03-12');
    expect(isoDay(expected)).toBe('2020-03-12');
    for (const text of [
      '20200312',
      '12/03/2020',
      '12.03.2020',
      '12-03-2020',
      '12 Mar 2020',
      '12th March 2020',
      'Mar 12, 2020',
      'March 12 2020',
      '12-Mar-2020',
      '2020/03/12',
      '2020-03-12T10:00:00Z',
      ' 2020-3-12 ',
    ]) {
      expect(normaliseDate(text), text).toBe(expected);
    }
    expect(normaliseDate(20200312)).toBe(expected);
    expect(normaliseDate(new Date(Date.UTC(2020, 2, 12)))).toBe(expected);
  });

  it('reads month-first only when the day-first reading is impossible', () => {
    expect(isoDay(day('03/25/2020'))).toBe('2020-03-25');
    expect(isoDay(day('03/04/2020'))).toBe('2020-04-03');
  });

  it('reads month-first, unless impossible, for a column of month-first dates; ISO and named months are unaffected', () => {
    const monthFirst = (text: string) => isoDay(normaliseDate(text, true) as number);
    expect(monthFirst('03/04/2020')).toBe('2020-03-04');
    expect(monthFirst('03/25/2020')).toBe('2020-03-25');
    expect(monthFirst('25/03/2020')).toBe('2020-03-25');
    expect(monthFirst('2020-03-04')).toBe('2020-03-04');
    expect(monthFirst('4 Mar 2020')).toBe('2020-03-04');
    expect(numericDateOrder('03/25/2020')).toBe('month_first');
    expect(numericDateOrder('25.03.2020')).toBe('day_first');
    expect(numericDateOrder('03/04/2020')).toBeNull();
    expect(numericDateOrder('2020-03-25')).toBeNull();
  });

  it('pivots two-digit years at 50', () => {
    expect(isoDay(day('01/02/49'))).toBe('2049-02-01');
    expect(isoDay(day('01/02/50'))).toBe('1950-02-01');
  });

  it('rejects invalid dates and other values', () => {
    expect(normaliseDate('31/02/2020')).toBeNull();
    expect(normaliseDate('2020-13-01')).toBeNull();
    expect(normaliseDate('tomorrow')).toBeNull();
    expect(normaliseDate('')).toBeNull();
    expect(normaliseDate(null)).toBeNull();
    expect(normaliseDate(12)).toBeNull();
    expect(normaliseDate(new Date('invalid'))).toBeNull();
  });
});

describe('normaliseNumber', () => {
  it('strips currency and thousands separators', () => {
    expect(normaliseNumber('$1,234.56')).toBe(1234.56);
    expect(normaliseNumber('1.234,56 €')).toBe(1234.56);
    expect(normaliseNumber('EUR 1 234,5')).toBe(1234.5);
    expect(normaliseNumber("CHF 1'000")).toBe(1000);
    expect(normaliseNumber('1,234')).toBe(1234);
    expect(normaliseNumber('1,234,567')).toBe(1234567);
    expect(normaliseNumber('1.234.567')).toBe(1234567);
    expect(normaliseNumber('3,5')).toBe(3.5);
    expect(normaliseNumber('0.5')).toBe(0.5);
  });

  it('handles signs and accounting negatives', () => {
    expect(normaliseNumber('-12')).toBe(-12);
    expect(normaliseNumber('(12.50)')).toBe(-12.5);
    expect(normaliseNumber('+7')).toBe(7);
    expect(normaliseNumber(-3)).toBe(-3);
  });

  it('returns null for non-numbers', () => {
    expect(normaliseNumber('abc')).toBeNull();
    expect(normaliseNumber('')).toBeNull();
    expect(normaliseNumber(null)).toBeNull();
    expect(normaliseNumber(Number.POSITIVE_INFINITY)).toBeNull();
    expect(normaliseNumber('1-2')).toBeNull();
  });
});
