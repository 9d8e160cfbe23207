import { describe, expect, it } from 'vitest';
import { parseUpload } from '../../../src/modules/datasets/parse/index';
import { collect, cutAt, parseAll } from './helpers';

describe('CSV parsing', () => {
  it('reads comma-separated data with line numbers', async () => {
    const { upload, rows } = await parseAll('id,name\n1,Anna\n2,Bob\n');
    expect(upload.format).toBe('csv');
    expect(upload.delimiter).toBe('comma');
    expect(upload.columns()).toEqual(['id', 'name']);
    expect(rows).toEqual([
      { line: 2, values: { id: '1', name: 'Anna' } },
      { line: 3, values: { id: '2', name: 'Bob' } },
    ]);
  });

  it('detects semicolon and tab delimiters', async () => {
    const semi = await parseAll('id;name;city\n1;Anna, Jr.;Köln\n');
    expect(semi.upload.delimiter).toBe('semicolon');
    expect(semi.rows[0]!.values).toEqual({ id: '1', name: 'Anna, Jr.', city: 'Köln' });

    const tab = await parseAll('id\tname\n1\tAnna; Maria, B\n', { filename: 'people.tsv' });
    expect(tab.upload.delimiter).toBe('tab');
    expect(tab.rows[0]!.values).toEqual({ id: '1', name: 'Anna; Maria, B' });
  });

  it('ignores delimiters inside quotes when detecting', async () => {
    const { upload, rows } = await parseAll('"a;b;c",d\n1,2\n');
    expect(upload.delimiter).toBe('comma');
    expect(upload.columns()).toEqual(['a;b;c', 'd']);
    expect(rows[0]!.values).toEqual({ 'a;b;c': '1', d: '2' });
  });

  it('handles quoted fields with delimiters, doubled quotes and newlines; later line numbers stay right', async () => {
    const csv = 'id,text,n\n1,"a, b",x\n2,"say ""hi""",y\n3,"multi\nline\r\nvalue",z\n4,plain,w\n';
    const { rows } = await parseAll(csv);
    expect(rows.map((r) => r.line)).toEqual([2, 3, 4, 7]);
    expect(rows[0]!.values.text).toBe('a, b');
    expect(rows[1]!.values.text).toBe('say "hi"');
    expect(rows[2]!.values.text).toBe('multi\nline\r\nvalue');
    expect(rows[3]!.values).toEqual({ id: '4', text: 'plain', n: 'w' });
  });

  it('handles CRLF line endings, including a chunk boundary between CR and LF', async () => {
    const csv = 'id,name\r\n1,Anna\r\n2,Bob\r\n';
    const { rows } = await parseAll(csv);
    expect(rows).toEqual([
      { line: 2, values: { id: '1', name: 'Anna' } },
      { line: 3, values: { id: '2', name: 'Bob' } },
    ]);
    const crAt = csv.indexOf('\r\n2');
    const upload = await parseUpload(cutAt(csv, crAt + 1), {});
    expect(await collect(upload)).toEqual(rows);
  });

  it('handles a lone CR as a line break', async () => {
    const { rows } = await parseAll('id,name\r1,Anna\r2,Bob');
    expect(rows.map((r) => [r.line, r.values.name])).toEqual([
      [2, 'Anna'],
      [3, 'Bob'],
    ]);
  });

  it('keeps a chunk boundary inside a quoted field intact', async () => {
    const csv = 'id,text\n1,"hello, ""big"" world"\n2,x\n';
    for (let cut = 8; cut < csv.length; cut++) {
      const rows = await collect(await parseUpload(cutAt(csv, cut), {}));
      expect(rows[0]!.values.text).toBe('hello, "big" world');
      expect(rows[1]).toEqual({ line: 3, values: { id: '2', text: 'x' } });
    }
  });

  it('trims names and values by default; empty fields are null', async () => {
    const { upload, rows } = await parseAll(' id , name ,note\n 1 ,  Anna  ,\n2,"",   \n');
    expect(upload.columns()).toEqual(['id', 'name', 'note']);
    expect(rows[0]!.values).toEqual({ id: '1', name: 'Anna', note: null });
    expect(rows[1]!.values).toEqual({ id: '2', name: null, note: null });
  });

  it('keeps white space with trim: false (empty fields are still null)', async () => {
    const { upload, rows } = await parseAll(' id,name\n 1 , Anna,\n'.replace(',\n', '\n'), { trim: false });
    expect(upload.columns()).toEqual([' id', 'name']);
    expect(rows[0]!.values).toEqual({ ' id': ' 1 ', name: ' Anna' });
    const empty = await parseAll('a,b\n,x\n', { trim: false });
    expect(empty.rows[0]!.values).toEqual({ a: null, b: 'x' });
  });

  it('accepts white space around quoted fields and literal quotes inside unquoted ones', async () => {
    const { rows } = await parseAll('a, b, c\n1, "x, y" , 5\'11"\n');
    expect(rows[0]!.values).toEqual({ a: '1', b: 'x, y', c: '5\'11"' });
  });

  it('skips blank lines and reads a last line without a newline', async () => {
    const { rows } = await parseAll('\n\nid,name\n\n1,Anna\n   \n2,Bob');
    expect(rows).toEqual([
      { line: 5, values: { id: '1', name: 'Anna' } },
      { line: 7, values: { id: '2', name: 'Bob' } },
    ]);
  });

  it('treats a trailing delimiter as an empty last field', async () => {
    const { rows } = await parseAll('a,b\n1,\n2,');
    expect(rows.map((r) => r.values)).toEqual([
      { a: '1', b: null },
      { a: '2', b: null },
    ]);
  });

  it('keeps leading zeros and never converts values', async () => {
    const { upload, rows } = await parseAll('zip,amount\n0123,1.50\n4567,2\n');
    expect(rows[0]!.values).toEqual({ zip: '0123', amount: '1.50' });
    expect(upload.columnTypes()).toEqual([
      { name: 'zip', type: 'number' },
      { name: 'amount', type: 'number' },
    ]);
  });

  it('accepts a cell over 1 MB', async () => {
    const big = 'x'.repeat(1_200_000);
    const upload = await parseUpload(
      (async function* () {
        yield Buffer.from(`id,blob\n1,"${big.slice(0, 10)}`);
        for (let i = 10; i < big.length; i += 100_000) yield Buffer.from(big.slice(i, i + 100_000));
        yield Buffer.from('"\n2,small\n');
      })(),
      {},
    );
    const rows = await collect(upload);
    expect(rows[0]!.values.blob).toHaveLength(1_200_000);
    expect(rows[1]).toEqual({ line: 3, values: { id: '2', blob: 'small' } });
  });

  it('handles a column named __proto__ as an ordinary column', async () => {
    const { rows } = await parseAll('__proto__,b\n1,2\n');
    expect(Object.keys(rows[0]!.values)).toEqual(['__proto__', 'b']);
    expect(rows[0]!.values['__proto__']).toBe('1');
  });

  it('rows can be iterated only once and can stop early', async () => {
    const upload = await parseUpload(cutAt('a\n1\n2\n3\n'), {});
    for await (const r of upload.rows) {
      expect(r.values.a).toBe('1');
      break;
    }
    expect(() => upload.rows[Symbol.asyncIterator]()).toThrow(/once/);
  });
});
