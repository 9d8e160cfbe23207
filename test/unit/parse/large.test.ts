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
});
