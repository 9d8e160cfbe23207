import { describe, expect, it } from 'vitest';
import { parseUpload } from '../../../src/modules/datasets/parse/index';
import { collect } from './helpers';

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'Zoë', '東京', '🏔', ',', ';', '"', '\n', '\r\n', ' x ', '0123', 'tab\there', ''];

describe('CSV round trip with random content and random chunk boundaries', () => {
  for (const [delim, eol] of [
    [',', '\n'],
    [';', '\r\n'],
    ['\t', '\n'],
  ] as const) {
    it(`delimiter ${JSON.stringify(delim)}, line end ${JSON.stringify(eol)}`, async () => {
      const rand = rng(delim.charCodeAt(0) * 7 + eol.length);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const columns = ['id', 'left', 'right'];
      const expected: Array<{ line: number; values: Record<string, string | null> }> = [];
      let text = columns.join(delim) + eol;
      let line = 2;
      for (let r = 0; r < 300; r++) {
        const values: Record<string, string | null> = { id: String(r) };
        const cells = [String(r)];
        for (const c of columns.slice(1)) {
          let v = '';
          const len = Math.floor(rand() * 4);
          for (let k = 0; k < len; k++) v += pick(PIECES);
          if (delim === '\t') v = v.replace(/\t/g, ' ');
          const needsQuotes = /[",;\t\r\n]/.test(v) || v !== v.trim();
          cells.push(needsQuotes ? `"${v.replace(/"/g, '""')}"` : v);
          values[c] = v.trim() === '' ? null : v.trim();
        }
        expected.push({ line, values });
        const record = cells.join(delim) + eol;
        line += record.split('\n').length - 1;
        text += record;
      }
      const bytes = Buffer.from(text);
      for (let attempt = 0; attempt < 5; attempt++) {
        const cuts: number[] = [];
        for (let at = 0; at < bytes.length; at += 1 + Math.floor(rand() * 40)) cuts.push(at);
        async function* chunks() {
          for (let k = 0; k < cuts.length; k++) yield bytes.subarray(cuts[k], cuts[k + 1] ?? bytes.length);
        }
        const upload = await parseUpload(chunks());
        expect(upload.columns()).toEqual(columns);
        expect(await collect(upload)).toEqual(expected);
      }
    });
  }
});
