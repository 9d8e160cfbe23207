import { describe, expect, it } from 'vitest';
import { parseUpload } from '../../../src/modules/datasets/parse/index';

describe('many rows', () => {
  it('streams 50,000 generated CSV rows from chunks', async () => {
    const total = 50_000;
    async function* source() {
      yield Buffer.from('id,name,zip,born,amount\r\n');
      let batch: string[] = [];
      for (let i = 0; i < total; i++) {
        const name = i % 7 === 0 ? `"Doe, ""J"" ${i}"` : `name ${i}`;
        batch.push(`${i},${name},0${1000 + (i % 9000)},19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 9},${(i * 1.5).toFixed(2)}\r\n`);
        if (batch.length === 997) {
          yield Buffer.from(batch.join(''));
          batch = [];
        }
      }
      yield Buffer.from(batch.join(''));
    }
    const upload = await parseUpload(source(), { filename: 'big.csv' });
    let n = 0;
    let wrongLines = 0;
    for await (const row of upload.rows) {
      if (row.line !== n + 2 || row.values.id !== String(n)) wrongLines++;
      n++;
    }
    expect(n).toBe(total);
    expect(wrongLines).toBe(0);
    expect(upload.columnTypes().map((c) => c.type)).toEqual(['number', 'string', 'number', 'date', 'number']);
  });

  it('handles one huge chunk, CR-only line ends and string chunks', async () => {
    const lines = ['id,name'];
    for (let i = 0; i < 30_000; i++) lines.push(`${i},"n ${i}"`);
    for (const eol of ['\n', '\r']) {
      const data = Buffer.from(lines.join(eol));
      const upload = await parseUpload(
        (async function* () {
          yield data;
        })(),
      );
      let n = 0;
      let last = 0;
      for await (const r of upload.rows) {
        n++;
        last = r.line;
      }
      expect(n).toBe(30_000);
      expect(last).toBe(30_001);
    }
    const fromStrings = await parseUpload(
      (async function* () {
        yield 'a,b\n' as unknown as Uint8Array;
        yield '1,ü\n' as unknown as Uint8Array;
      })(),
    );
    const rows = [];
    for await (const r of fromStrings.rows) rows.push(r.values);
    expect(rows).toEqual([{ a: '1', b: 'ü' }]);
  });
});
