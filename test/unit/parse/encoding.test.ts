import { describe, expect, it } from 'vitest';
import { parseUpload } from '../../../src/modules/datasets/parse/index';
import { collect, cutAt, parseAll, parseError } from './helpers';

describe('encodings', () => {
  it('strips a UTF-8 BOM, also when it is split across chunks', async () => {
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,name\n1,Zoë\n')]);
    const { upload, rows } = await parseAll(data);
    expect(upload.encoding).toBe('utf-8');
    expect(upload.columns()).toEqual(['id', 'name']);
    expect(rows[0]!.values).toEqual({ id: '1', name: 'Zoë' });
    const split = await parseUpload(cutAt(data, 1, 2));
    expect(split.columns()).toEqual(['id', 'name']);
  });

  it('reads multi-byte UTF-8 split across chunks at every position', async () => {
    const text = 'name,city\nMüller,Zürich 🏔\n"Ødegård, 東京",x\n';
    const data = Buffer.from(text);
    for (let cut = 1; cut < data.length; cut++) {
      const rows = await collect(await parseUpload(cutAt(data, cut)));
      expect(rows.map((r) => r.values)).toEqual([
        { name: 'Müller', city: 'Zürich 🏔' },
        { name: 'Ødegård, 東京', city: 'x' },
      ]);
    }
  });

  it('falls back to Latin-1 (windows-1252) when the start is not valid UTF-8', async () => {
    const data = Buffer.from('name;note\nMüller;Straße\nO\u2019Brien;caf\u00e9\n', 'latin1');
    // U+2019 cannot be written with 'latin1' encoding: put the windows-1252 byte 0x92 there instead
    data[data.indexOf(Buffer.from('O'), 10) + 1] = 0x92;
    const { upload, rows } = await parseAll(data);
    expect(upload.encoding).toBe('latin1');
    expect(rows.map((r) => r.values)).toEqual([
      { name: 'Müller', note: 'Straße' },
      { name: 'O\u2019Brien', note: 'café' },
    ]);
  });

  it('reads Latin-1 JSON', async () => {
    const { upload, rows } = await parseAll(Buffer.from('[{"name":"Müller"}]', 'latin1'));
    expect(upload.encoding).toBe('latin1');
    expect(rows[0]!.values.name).toBe('Müller');
  });

  it('reports invalid UTF-8 after a valid UTF-8 start with its line', async () => {
    const head = 'id,name\n' + Array.from({ length: 5000 }, (_, i) => `${i},Zoë ${i}`).join('\n') + '\n';
    const headLines = head.split('\n').length - 1;
    const data = Buffer.concat([Buffer.from(head), Buffer.from('9999,M\u00fcller\n1,x\n', 'latin1')]);
    expect(data.length).toBeGreaterThan(64 * 1024);
    const err = await parseError(data, {}, 1000);
    expect(err.line).toBe(headLines + 1);
    expect(err.message).toBe(
      `Line ${headLines + 1} contains bytes that are not valid UTF-8, although the start of the file is UTF-8. Save the whole file as UTF-8 and upload it again.`,
    );
  });

  it('reports a file that ends inside a multi-byte character', async () => {
    const data = Buffer.concat([Buffer.from('a\n' + 'x\n'.repeat(40_000) + 'é'), Buffer.from([0xc3])]);
    const err = await parseError(data, {}, 4096);
    expect(err.line).toBe(40_002);
    expect(err.message).toMatch(/not valid UTF-8/);
  });
});
