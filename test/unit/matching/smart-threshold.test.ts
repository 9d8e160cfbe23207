// The threshold rules of generation (smart/threshold.ts), on posteriors given by hand.
import { describe, expect, it } from 'vitest';
import { expectedF1Threshold, offsetToExpectedMatches, reviewBandAround } from '../../../src/matching/smart/threshold';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

describe('offsetToExpectedMatches', () => {
  const posteriors = [...Array(10).fill(0.99), ...Array(30).fill(0.6), ...Array(60).fill(0.05)];
  const expectedSum = posteriors.reduce((a, b) => a + b, 0); // 30.9

  it('is 0 when the posteriors expect no more matches than allowed', () => {
    expect(offsetToExpectedMatches(posteriors, expectedSum)).toBe(0);
    expect(offsetToExpectedMatches(posteriors, 100)).toBe(0);
  });

  it('otherwise shifts every posterior by one log-odds offset until they expect exactly the allowed number', () => {
    const offset = offsetToExpectedMatches(posteriors, 12);
    expect(offset).toBeLessThan(0);
    const shifted = posteriors.map((p) => sigmoid(logit(p) + offset));
    expect(shifted.reduce((a, b) => a + b, 0)).toBeCloseTo(12, 6);
    // The order of the rows is kept: the offset is the same for each.
    expect(shifted[0]).toBeGreaterThan(shifted[10] as number);
    expect(shifted[10]).toBeGreaterThan(shifted[40] as number);
  });

  it('copes with posteriors of exactly 0 and 1', () => {
    const offset = offsetToExpectedMatches([1, 1, 1, 0, 0], 1);
    expect(offset).toBeLessThan(-20);
    expect(Number.isFinite(offset)).toBe(true);
  });
});

describe('expectedF1Threshold and reviewBandAround', () => {
  it('picks the threshold that maximises the F1 the posteriors expect, and a band the threshold is inside', () => {
    const choice = expectedF1Threshold(Float64Array.from([0.95, 0.9, 0.85, 0.3, 0.2, 0.1, 0.05]));
    expect(choice.expectedMatches).toBeCloseTo(3.35, 9);
    expect(choice.threshold).toBeGreaterThan(0.3);
    expect(choice.threshold).toBeLessThanOrEqual(0.85);
    const band = reviewBandAround(0.5);
    expect(band.low).toBeCloseTo(0.1, 9);
    expect(band.high).toBeCloseTo(0.9, 9);
  });
});
