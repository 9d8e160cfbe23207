import { describe, expect, it } from 'vitest';
import { isDate, isNumber, TypeAccumulator } from '../../../src/modules/datasets/parse/infer';
import { parseAll } from './helpers';

function infer(values: Array<string | number | boolean>): string {
  const acc = new TypeAccumulator();
  for (const v of values) acc.add(v);
  return acc.result();
}

describe('type inference', () => {
  it('recognises numbers', () => {
    for (const s of ['0', '-12', '+3.5', '.5', '1.', '1e10', '-2.5E-3', '0123', '1,234', '1,234,567.25', '-12,345']) {
      expect(isNumber(s), s).toBe(true);
    }
    for (const s of ['1,5', '12,34', '1.234,5', 'abc', '1-2', '', '1,2345', '--1', 'e5', '0x1F']) {
      expect(isNumber(s), s).toBe(false);
    }
  });

  it('recognises dates', () => {
    for (const s of [
      '2020-03-12',
      '2020-02-29',
      '2020-03-12T10:20',
      '2020-03-12T10:20:30.123Z',
      '2020-03-12 10:20:30+01:00',
      '19560814',
      '12/03/2020',
      '03/12/2020',
      '31.12.1999',
      '1-2-2020',
      '12 Mar 2020',
      '1 March 2020',
      'Mar 12, 2020',
    ]) {
      expect(isDate(s), s).toBe(true);
    }
    for (const s of ['2020-13-01', '2019-02-29', '19561399', '17001231', '13/13/2020', '12 Foo 2020', '2020', '12345678', 'hello world']) {
      expect(isDate(s), s).toBe(false);
    }
  });

  it('infers column types with precedence boolean > date > number > string', () => {
    expect(infer([])).toBe('string');
    expect(infer(['yes', 'No', 'TRUE', 'false'])).toBe('boolean');
    expect(infer([true, false])).toBe('boolean');
    expect(infer(['1', '0'])).toBe('number');
    expect(infer([1, 2.5, '3'])).toBe('number');
    expect(infer(['19560814', '20011231'])).toBe('date');
    expect(infer(['19560814', '19561399'])).toBe('number');
    expect(infer(['2020-01-01', '12/03/2020'])).toBe('date');
    expect(infer(['2020-01-01', 'soon'])).toBe('string');
    expect(infer(['yes', '1'])).toBe('string');
    expect(infer([true, 'maybe'])).toBe('string');
  });

  it('ignores empty values and reports all columns in order', async () => {
    const csv = 'id,flag,born,amount,name,empty\n1,yes,2020-01-01,"1,234.5",Anna,\n2,,1999-12-31,-3,Bob,\n3,no,,,7,\n';
    const { upload, rows } = await parseAll(csv);
    expect(rows[0]!.values.amount).toBe('1,234.5');
    expect(upload.columnTypes()).toEqual([
      { name: 'id', type: 'number' },
      { name: 'flag', type: 'boolean' },
      { name: 'born', type: 'date' },
      { name: 'amount', type: 'number' },
      { name: 'name', type: 'string' },
      { name: 'empty', type: 'string' },
    ]);
  });

  it('infers JSON columns from JSON values', async () => {
    const { upload } = await parseAll('[{"n":1,"b":true,"s":"x","d":"2020-01-01","o":{"a":1}},{"n":2.5,"b":false,"s":3,"d":null}]');
    expect(upload.columnTypes()).toEqual([
      { name: 'n', type: 'number' },
      { name: 'b', type: 'boolean' },
      { name: 's', type: 'string' },
      { name: 'd', type: 'date' },
      { name: 'o', type: 'string' },
    ]);
  });
});
