import { describe, expect, it } from 'vitest';
import { parseUpload, UploadParseError } from '../../../src/modules/datasets/parse/index';
import { fixedChunks, parseError } from './helpers';

describe('upload errors', () => {
  it('rejects an empty file', async () => {
    for (const data of ['', '   \n\r\n\t  ']) {
      for (const format of [undefined, 'csv', 'json', 'ndjson'] as const) {
        const err = await parseError(data, format ? { format } : {});
        expect(err.message).toBe('The file is empty.');
        expect(err.line).toBe(1);
      }
    }
  });

  it('rejects a header without data rows', async () => {
    for (const data of ['id,name', 'id,name\n', 'id,name\r\n\r\n  \n']) {
      const err = await parseError(data);
      expect(err.message).toBe('The file has a header but no data rows.');
      expect(err.line).toBe(1);
    }
    // the rejection comes from parseUpload itself
    await expect(parseUpload(fixedChunks('a,b\n', 3))).rejects.toBeInstanceOf(UploadParseError);
  });

  it('rejects duplicate column names (after trimming)', async () => {
    const err = await parseError('id, name ,city,name\n1,2,3,4\n');
    expect(err.message).toBe('The header (line 1) has the column name "name" twice (columns 2 and 4). Column names must be unique.');
    expect(err.line).toBe(1);
  });

  it('rejects an empty column name', async () => {
    const err = await parseError('id,,city\n1,2,3\n');
    expect(err.message).toBe('Column 2 of the header (line 1) has no name. Every column needs a name.');
    expect(err.line).toBe(1);
    const trailing = await parseError('id,city,\n1,2,3\n');
    expect(trailing.message).toMatch(/^Column 3 of the header/);
  });

  it('rejects ragged rows with the line of the row', async () => {
    const more = await parseError('a,b,c\n1,2,3\n"x\ny",2,3\n1,2,3,4\n');
    expect(more.message).toBe('Line 5 has 4 fields; the header has 3.');
    expect(more.line).toBe(5);
    const fewer = await parseError('a,b,c\n1,2,3\n1,2');
    expect(fewer.message).toBe('Line 3 has 2 fields; the header has 3.');
    const one = await parseError('a,b,c\n1,2,3\n\nx\n');
    expect(one.message).toBe('Line 4 has 1 field; the header has 3.');
    expect(one.line).toBe(4);
  });

  it('rejects an unterminated quote, naming the line where it opens', async () => {
    const err = await parseError('a,b\n1,2\n3,"open\n4,5\n6,7\n');
    expect(err.message).toBe('Line 3 has a quoted field whose closing quote is missing (the quote is still open at the end of the file).');
    expect(err.line).toBe(3);
  });

  it('rejects characters after a closing quote', async () => {
    const err = await parseError('a,b\n1,2\n3,"x"y\n');
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/^Line 3 has a character after the closing quote/);
  });

  it('rejects NUL bytes with the line', async () => {
    const err = await parseError(Buffer.from('a,b\n1,2\n3,x\u0000y\n', 'latin1'), {}, 4);
    expect(err.line).toBe(3);
    expect(err.message).toMatch(/^Line 3 contains a NUL byte/);
    const json = await parseError('[{"a":1},\n{"a":"\u0000"}]');
    expect(json.line).toBe(2);
    const nd = await parseError('{"a":1}\n{"a":2}\n{"a":"\u0000"}\n');
    expect(nd.line).toBe(3);
  });

  it('rejects UTF-16', async () => {
    const err = await parseError(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,2\n', 'utf16le')]));
    expect(err.message).toMatch(/UTF-16/);
  });

  it('rejects more than 10,000 columns', async () => {
    const header = Array.from({ length: 10_001 }, (_, i) => `c${i}`).join(',');
    const err = await parseError(`${header}\n${'1,'.repeat(10_000)}1\n`, {}, 4096);
    expect(err.message).toBe('The header (line 1) has 10,001 columns; at most 10,000 are supported.');
    const ok = await parseUpload(fixedChunks(`${header.slice(0, header.lastIndexOf(','))}\n${'1,'.repeat(9_999)}1\n`, 4096));
    expect(ok.columns()).toHaveLength(10_000);
  });

  it('rejects JSON syntax errors with the line', async () => {
    const err = await parseError('[\n  {"a": 1},\n  {"a": 2,\n   "b": }\n]');
    expect(err.line).toBe(4);
    expect(err.message).toMatch(/^Line 4: invalid JSON/);
    const missingComma = await parseError('[{"a":1}\n{"a":2}]');
    expect(missingComma.line).toBe(2);
    expect(missingComma.message).toMatch(/^Line 2: invalid JSON: expected "," or "]"/);
    const trailingComma = await parseError('[{"a":1},\n]');
    expect(trailingComma.line).toBe(2);
    const notClosed = await parseError('[{"a":1},\n{"a":2}\n');
    expect(notClosed.message).toBe('Line 3: the JSON array is not closed with "]" (the file ends too early).');
    const cutInElement = await parseError('[{"a":1},\n{"a":"abc');
    expect(cutInElement.line).toBe(2);
    expect(cutInElement.message).toMatch(/incomplete at the end of the file \(a string is not closed\)/);
    const after = await parseError('[{"a":1}]\n\nx');
    expect(after.line).toBe(3);
    expect(after.message).toMatch(/after the end of the JSON array/);
    const notArray = await parseError('{"a":1}', { format: 'json' });
    expect(notArray.message).toMatch(/does not start with "\["/);
  });

  it('rejects JSON elements that are not objects', async () => {
    for (const [data, what] of [
      ['[{"a":1},\n 42]', 'a number'],
      ['[{"a":1},\n "x"]', 'a string'],
      ['[{"a":1},\n [1,2]]', 'an array'],
      ['[{"a":1},\n null]', 'null'],
    ] as const) {
      const err = await parseError(data);
      expect(err.line).toBe(2);
      expect(err.message).toBe(
        `Line 2: element 2 of the JSON array is ${what}, not an object. Each element must be an object like {"column": value}.`,
      );
    }
    const empty = await parseError('[ ]');
    expect(empty.message).toBe('The JSON array is empty: the file has no data rows.');
  });

  it('rejects NDJSON lines that are not JSON objects', async () => {
    const bad = await parseError('{"a":1}\n\n{"a":2\n');
    expect(bad.line).toBe(3);
    expect(bad.message).toMatch(/^Line 3 is not valid JSON \(/);
    const arr = await parseError('{"a":1}\n[1]\n');
    expect(arr.message).toBe('Line 2 is an array, not a JSON object. Each line must be an object like {"column": value}.');
    expect(arr.line).toBe(2);
  });

  it('rejects empty and duplicate keys in JSON objects', async () => {
    const empty = await parseError('[{"a":1},\n{" ":2}]');
    expect(empty.line).toBe(2);
    expect(empty.message).toMatch(/empty key/);
    const dup = await parseError('{"a":1," a":2}\n');
    expect(dup.line).toBe(1);
    expect(dup.message).toMatch(/key "a" twice/);
  });

  it('rows before a late error are delivered, then the error is thrown by the iterator', async () => {
    const body = 'a,b\n' + '1,2\n'.repeat(30_000) + '5\n';
    const upload = await parseUpload(fixedChunks(body, 1000));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const r of upload.rows) seen.push(String(r.values.a));
      })(),
    ).rejects.toThrow('Line 30002 has 1 field; the header has 2.');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThanOrEqual(30_000);
  });
});
