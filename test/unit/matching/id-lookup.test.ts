import { describe, expect, it } from 'vitest';
import { buildReferenceIndex } from '../../../src/matching';
import { buildIdLookup, findRowById } from '../../../src/matching/id-lookup';
import { CodePoolBuilder } from '../../../src/matching/pool';

function poolOf(ids: string[]) {
  const builder = new CodePoolBuilder();
  for (const id of ids) builder.push(id);
  return builder.finish(false);
}

describe('row-by-id table', () => {
  it('finds every id of a pool at its row, and nothing for ids it does not hold', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `row-${(i * 7919) % 100_003}`);
    ids.push('', 'é', 'row-1\u0000');
    const pool = poolOf(ids);
    const slots = buildIdLookup(pool, ids.length);
    expect(slots.length).toBeGreaterThanOrEqual(ids.length * 2);
    ids.forEach((id, row) => expect(findRowById(pool, slots, id)).toBe(row));
    for (const absent of ['row-', 'row-100003', 'ROW-0', 'e', 'row-1\u0001']) expect(findRowById(pool, slots, absent)).toBe(-1);
  });

  it('an index answers rowOf with or without the table made at build time', () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ id: `id-${i}`, values: { name: `name ${i}` } }));
    const config = { fieldMappings: [{ source: 'name', target: 'name', strategy: 'exact' as const, weight: 1 }], threshold: 0.5 };
    const eager = buildReferenceIndex(rows, config, { idLookup: true });
    const lazy = buildReferenceIndex(rows, config);
    expect(eager.data.idSlots).toBeInstanceOf(Int32Array);
    expect(lazy.data.idSlots).toBeUndefined();
    for (const index of [eager, lazy]) {
      expect(index.rowOf('id-0')).toBe(0);
      expect(index.rowOf('id-299')).toBe(299);
      expect(index.rowOf('id-300')).toBe(-1);
    }
    expect(eager.estimatedBytes).toBeGreaterThan(lazy.estimatedBytes);
  });
});
