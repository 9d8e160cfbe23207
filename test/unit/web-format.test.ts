// The dashboard's display helpers for evidence.
import { describe, expect, it } from 'vitest';
import { evidenceField, value } from '../../web/src/lib/format';

describe('evidence display', () => {
  it("names the review pass's entries that are no column, and leaves column names as they are", () => {
    expect(evidenceField('*')).toBe('whole record');
    expect(evidenceField('~')).toBe('variant words');
    expect(evidenceField('title')).toBe('title');
    expect(evidenceField('codes in title + brand')).toBe('codes in title + brand');
  });

  it('shows missing values as a dash and structured ones as JSON', () => {
    expect(value(null)).toBe('–');
    expect(value('')).toBe('–');
    expect(value('black')).toBe('black');
    expect(value({ a: 1 })).toBe('{"a":1}');
  });
});
