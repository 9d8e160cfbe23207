// The threshold is chosen on the confidences a run decides by: the engine's outside the review band, the review
// pass's inside it.
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../../bench/quality/datasets/index';
import { buildReferenceIndex, matchSlice } from '../../../src/matching/index';
import { decidedConfidences } from '../../../src/matching/smart/decided-confidences';
import { createReviewResolver, generateStrategy } from '../../../src/matching/smart/index';
import { expectedF1Threshold } from '../../../src/matching/smart/threshold';

const dataset = DATASETS.find((d) => d.name === 'products')!.load({ seed: 3, referenceSize: 500, sourceSize: 300 });
const strategy = generateStrategy({ reference: dataset.reference, source: dataset.source });
const { reference, source } = dataset;

describe('decided confidences', () => {
  const engine = matchSlice(buildReferenceIndex(reference.rows, strategy.match), source.rows).rows;

  it("are the engine's outside the review band", () => {
    const outside = decidedConfidences(strategy.match, { low: 2, high: 3 }, reference.rows, source.rows);
    expect(Array.from(outside)).toEqual(engine.map((r) => (r.candidates.length === 0 ? 0 : r.confidence)));
  });

  it("are the review pass's inside it, row by row", () => {
    const inside = decidedConfidences(strategy.match, { low: 0, high: 1 }, reference.rows, source.rows);
    const resolver = createReviewResolver(strategy.match, reference.rows, source.rows);
    const byId = new Map(reference.rows.map((r) => [r.id, r]));
    engine.forEach((row, i) => {
      if (row.candidates.length === 0) return expect(inside[i]).toBe(0);
      const source = dataset.source.rows[i]!;
      expect(row.sourceRowId).toBe(source.id);
      const resolved = resolver.resolve(
        source,
        row.candidates.map((c) => byId.get(c.referenceRowId)!),
      );
      expect(inside[i]).toBe(resolved.confidence);
    });
    // The review pass changes some of them: the two scales differ.
    expect(engine.some((row, i) => row.candidates.length > 0 && Math.abs(row.confidence - inside[i]!) > 0.01)).toBe(true);
  });

  it("set the strategy's threshold, and the details keep the model's own choice beside it", () => {
    const details = strategy.details.threshold as { threshold: number; modelThreshold: number; rule: string };
    const band = strategy.reviewBand;
    expect(details.threshold).toBe(strategy.match.threshold);
    expect(details.rule).toMatch(/the review pass's/);
    const modelBand = { low: 0.2 * details.modelThreshold, high: details.modelThreshold + 0.8 * (1 - details.modelThreshold) };
    const decided = decidedConfidences({ ...strategy.match, threshold: details.modelThreshold }, modelBand, reference.rows, source.rows);
    expect(strategy.match.threshold).toBe(expectedF1Threshold(decided).threshold);
    expect(band.low).toBeLessThan(strategy.match.threshold);
    expect(band.high).toBeGreaterThan(strategy.match.threshold);
  });
});
