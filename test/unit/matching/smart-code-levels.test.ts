import { describe, expect, it } from 'vitest';
import { codeItems, codeRarity, codesIdf, codeWeights } from '../../../src/matching/comparators/codes';
import { codeLevels } from '../../../src/matching/smart/comparator-choice';

describe('codes levels', () => {
  it.each([2_000, 5_000, 20_000, 200_000])('puts a code one of %i reference rows holds above one that two hold', (rows) => {
    const [unique, next] = codeLevels(rows);
    expect(codeRarity(rows, 1)).toBeGreaterThanOrEqual(unique as number);
    expect(codeRarity(rows, 2)).toBeLessThan(unique as number);
    expect(next).toBe(0.8);
  });

  it('gives a small table no level of its own for a unique code: its rarity is not clear of the next level', () => {
    expect(codeLevels(40)[0]).toBe(0.8);
    expect(codeLevels(0)[0]).toBe(0.8);
  });

  it('measures rarity as the engine weighs codes', () => {
    // 300 rows with codes: one holds ab1234x, two hold cd5678y.
    const texts = Array.from({ length: 300 }, (_, i) => (i === 0 ? 'ab1234x' : i < 3 ? 'cd5678y' : `zz${10_000 + i}`));
    const rows = texts.map(codeItems);
    let end = 0;
    const offsets = Int32Array.from([0, ...rows.map((r) => (end += r.length))]);
    const idf = codesIdf(Int32Array.from(rows.flatMap((r) => [...r])), offsets, rows.length, false);
    const weightOf = (code: string) => {
      const items = codeItems(code);
      return Math.max(...codeWeights(items, idf));
    };
    expect(weightOf('ab1234x')).toBeCloseTo(codeRarity(300, 1), 6);
    expect(weightOf('cd5678y')).toBeCloseTo(codeRarity(300, 2), 6);
  });

  it('keeps the levels strictly decreasing', () => {
    for (const rows of [10, 100, 1_000, 10_000, 1_000_000]) {
      const levels = codeLevels(rows);
      for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeLessThan(levels[i - 1] as number);
    }
  });
});
