import { describe, expect, it } from 'vitest';
import { resolveOneToOne } from '../../../src/matching/index';

describe('resolveOneToOne', () => {
  it('gives a contested reference row to the higher confidence; the other row takes its next candidate', () => {
    const result = resolveOneToOne(
      [
        {
          sourceRowId: 's1',
          candidates: [
            { referenceRowId: 'r1', confidence: 0.95 },
            { referenceRowId: 'r2', confidence: 0.9 },
          ],
        },
        { sourceRowId: 's2', candidates: [{ referenceRowId: 'r1', confidence: 0.97 }] },
      ],
      0.8,
    );
    expect(result.get('s2')).toEqual({ referenceRowId: 'r1', confidence: 0.97 });
    expect(result.get('s1')).toEqual({ referenceRowId: 'r2', confidence: 0.9 });
  });

  it('never gives a reference row held outside the rows (taken): the next free candidate, or none', () => {
    const result = resolveOneToOne(
      [
        {
          sourceRowId: 's1',
          candidates: [
            { referenceRowId: 'r1', confidence: 0.95 },
            { referenceRowId: 'r2', confidence: 0.9 },
          ],
        },
        { sourceRowId: 's2', candidates: [{ referenceRowId: 'r3', confidence: 0.97 }] },
      ],
      0.8,
      new Set(['r1', 'r3']),
    );
    expect(result.get('s1')).toEqual({ referenceRowId: 'r2', confidence: 0.9 });
    expect(result.get('s2')).toEqual({ referenceRowId: null, confidence: 0.97 });
  });

  it('breaks equal confidences by source id, then reference id (string order)', () => {
    const result = resolveOneToOne(
      [
        { sourceRowId: 'b', candidates: [{ referenceRowId: 'r1', confidence: 0.9 }] },
        {
          sourceRowId: 'a',
          candidates: [
            { referenceRowId: 'r2', confidence: 0.9 },
            { referenceRowId: 'r1', confidence: 0.9 },
          ],
        },
      ],
      0.5,
    );
    // pairs in order: (a, r1), (a, r2), (b, r1): a takes r1, b is left without a free candidate
    expect(result.get('a')).toEqual({ referenceRowId: 'r1', confidence: 0.9 });
    expect(result.get('b')).toEqual({ referenceRowId: null, confidence: 0.9 });
  });

  it('ignores candidates below the threshold and keeps the best confidence of unmatched rows', () => {
    const result = resolveOneToOne(
      [
        { sourceRowId: 's1', candidates: [{ referenceRowId: 'r1', confidence: 0.7 }] },
        { sourceRowId: 's2', candidates: [] },
      ],
      0.8,
    );
    expect(result.get('s1')).toEqual({ referenceRowId: null, confidence: 0.7 });
    expect(result.get('s2')).toEqual({ referenceRowId: null, confidence: 0 });
  });

  it('does not depend on the order of the rows (chunks may arrive in any order)', () => {
    const rows = [
      {
        sourceRowId: 's1',
        candidates: [
          { referenceRowId: 'r1', confidence: 0.9 },
          { referenceRowId: 'r2', confidence: 0.85 },
        ],
      },
      {
        sourceRowId: 's2',
        candidates: [
          { referenceRowId: 'r1', confidence: 0.92 },
          { referenceRowId: 'r3', confidence: 0.81 },
        ],
      },
      { sourceRowId: 's3', candidates: [{ referenceRowId: 'r2', confidence: 0.88 }] },
    ];
    const forward = resolveOneToOne(rows, 0.8);
    const backward = resolveOneToOne([...rows].reverse(), 0.8);
    expect([...backward].sort()).toEqual([...forward].sort());
    expect(forward.get('s1')).toEqual({ referenceRowId: null, confidence: 0.9 });
    expect(forward.get('s2')?.referenceRowId).toBe('r1');
    expect(forward.get('s3')?.referenceRowId).toBe('r2');
  });
});
