import { describe, expect, it } from 'vitest';
import { rowValues } from '../../src/modules/datasets/service';
import { runInput } from '../../src/modules/runs/service';

// A column may be called anything a CSV header can say, "__proto__" included; rebuilding a row object by assignment
// (as z.record does) silently drops that one.
const withProto = () => JSON.parse('{"__proto__": "x", "given_name": "ann"}') as Record<string, unknown>;

describe('row values from JSON bodies', () => {
  it('keep a column named __proto__ (dataset rows, inline run documents)', () => {
    expect(Object.keys(rowValues.parse(withProto()))).toEqual(['__proto__', 'given_name']);
    const input = runInput.parse({ documents: [{ documentId: 'p', values: withProto() }] });
    expect(Object.keys(input.documents![0]!.values)).toEqual(['__proto__', 'given_name']);
  });

  it('refuse what is not an object of column values', () => {
    for (const bad of [null, 'text', 5, ['a']]) expect(rowValues.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
