import { describe, expect, it } from 'vitest';
import { parseUpload } from '../../../src/modules/datasets/parse/index';
import { collect, fixedChunks, parseAll } from './helpers';

describe('JSON array', () => {
  it('streams elements with the line each starts on; missing keys are null; columns grow', async () => {
    const json =
      '[\n  {"id": 1, "name": " Anna ", "ok": true},\n  {"id": 2,\n   "city": "Köln", "name": null},\n  {"id": 3, "name": ""}\n]\n';
    const { upload, rows } = await parseAll(json);
    expect(upload.format).toBe('json');
    expect(upload.columns()).toEqual(['id', 'name', 'ok', 'city']);
    expect(rows).toEqual([
      { line: 2, values: { id: 1, name: 'Anna', ok: true } },
      { line: 3, values: { id: 2, name: null, ok: null, city: 'Köln' } },
      { line: 5, values: { id: 3, name: null, ok: null, city: null } },
    ]);
  });

  it('stringifies nested values and handles strings with brackets, quotes and escapes', async () => {
    const json = '[{"a": {"x": [1, {"y": "}"}]}, "b": [1, 2], "c": "he said \\"]\\" \\\\", "d": "\\u00fc"}]';
    const { rows } = await parseAll(json);
    expect(rows[0]!.values).toEqual({ a: '{"x":[1,{"y":"}"}]}', b: '[1,2]', c: 'he said "]" \\', d: 'ü' });
  });

  it('gives the same result for one object per line, several per line and pretty-printed layouts', async () => {
    const expected = [
      { line: 2, values: { a: 1 } },
      { line: 3, values: { a: 2, b: 'x, }' } },
      { line: 3, values: { a: 3, b: null } },
      { line: 4, values: { a: null, b: 'y', c: '{"d":[1]}' } },
    ];
    const json = '[\n{"a": 1},\n{"a": 2, "b": "x, }"}, {"a": 3}, \n{\n "b": "y", "c": {"d": [1]}\n}\n]';
    expect((await parseAll(json)).rows).toEqual(expected);
    const err = await parseAll('[\n{"a": 1},\n{"a": 2},\n{"a": 3,}\n]').catch((e: Error) => e);
    expect(err).toMatchObject({ line: 4 });
  });

  it('is chosen by extension, content type or sniffing', async () => {
    const json = ' [{"a":1}]';
    expect((await parseUpload(fixedChunks(json, 3))).format).toBe('json');
    expect((await parseUpload(fixedChunks(json, 3), { contentType: 'application/json; charset=utf-8' })).format).toBe('json');
    expect((await parseUpload(fixedChunks(json, 3), { filename: 'x.JSON' })).format).toBe('json');
  });

  it('does not hold more than one chunk of rows ahead of the consumer', async () => {
    let produced = 0;
    const total = 20_000;
    async function* source() {
      yield Buffer.from('[');
      for (let i = 0; i < total; i++) {
        produced++;
        yield Buffer.from(`${i ? ',' : ''}{"id":${i},"name":"person ${i}"}\n`);
      }
      yield Buffer.from(']');
    }
    const upload = await parseUpload(source());
    let n = 0;
    let wrong = 0;
    let producedAt10 = 0;
    for await (const r of upload.rows) {
      if (r.values.id !== n) wrong++;
      n++;
      if (n === 10) producedAt10 = produced;
    }
    expect(n).toBe(total);
    expect(wrong).toBe(0);
    expect(producedAt10).toBeLessThan(total / 2);
  });
});

describe('NDJSON', () => {
  it('parses one object per line, skipping blank lines, with CRLF', async () => {
    const nd = '{"id": 1, "name": "Anna"}\r\n\r\n{"id": 2, "tags": ["a"]}\r\n{"id":3}';
    const { upload, rows } = await parseAll(nd, { filename: 'data.jsonl' });
    expect(upload.format).toBe('ndjson');
    expect(upload.columns()).toEqual(['id', 'name', 'tags']);
    expect(rows).toEqual([
      { line: 1, values: { id: 1, name: 'Anna' } },
      { line: 3, values: { id: 2, name: null, tags: '["a"]' } },
      { line: 4, values: { id: 3, name: null, tags: null } },
    ]);
  });

  it('is sniffed from a leading "{", also for a .json file', async () => {
    expect((await parseUpload(fixedChunks('{"a":1}\n', 2))).format).toBe('ndjson');
    expect((await parseUpload(fixedChunks('{"a":1}\n', 2), { filename: 'x.json' })).format).toBe('ndjson');
    expect((await parseUpload(fixedChunks('{"a":1}\n', 2), { contentType: 'application/x-ndjson' })).format).toBe('ndjson');
    const rows = await collect(await parseUpload(fixedChunks('\n\n  {"a":1}\n', 2)));
    expect(rows).toEqual([{ line: 3, values: { a: 1 } }]);
  });
});
