// The synthetic quality datasets (bench/quality): reproducible, internally consistent, and messy enough that a
// hand-written config neither fails nor wins outright.
import { describe, expect, it } from 'vitest';
import { DATASETS } from '../../bench/quality/datasets/index';
import { runHandConfig } from '../../bench/quality/hand-run';
import type { QualityDataset } from '../../bench/quality/types';

const SMALL = { referenceSize: 600, sourceSize: 400 };
const synthetic = DATASETS.filter((d) => d.synthetic);

/** Every synthetic dataset comes with the config a user would write for it. */
function withHandConfig(dataset: QualityDataset) {
  const { handConfig } = dataset;
  if (handConfig === undefined) throw new Error(`${dataset.name}: a synthetic dataset has a hand config`);
  return { ...dataset, handConfig };
}

describe.each(synthetic.map((d) => [d.name, d] as const))('%s', (_name, entry) => {
  const dataset = withHandConfig(entry.load({ seed: 7, ...SMALL }));

  it('is the same for the same seed and differs for another', () => {
    const again = entry.load({ seed: 7, ...SMALL });
    expect(JSON.stringify(again.source.rows)).toBe(JSON.stringify(dataset.source.rows));
    expect(JSON.stringify(again.reference.rows)).toBe(JSON.stringify(dataset.reference.rows));
    expect([...again.truth]).toEqual([...dataset.truth]);
    const other = entry.load({ seed: 8, ...SMALL });
    expect(JSON.stringify(other.source.rows)).not.toBe(JSON.stringify(dataset.source.rows));
  });

  it('has the asked sizes, unique ids and a truth entry for every source row pointing at an existing reference row', () => {
    expect(dataset.reference.rows).toHaveLength(SMALL.referenceSize);
    expect(dataset.source.rows).toHaveLength(SMALL.sourceSize);
    const referenceIds = new Set(dataset.reference.rows.map((r) => r.id));
    const sourceIds = new Set(dataset.source.rows.map((r) => r.id));
    expect(referenceIds.size).toBe(SMALL.referenceSize);
    expect(sourceIds.size).toBe(SMALL.sourceSize);
    expect(new Set(dataset.truth.keys())).toEqual(sourceIds);
    const linked = [...dataset.truth.values()].filter((t): t is string => t !== null);
    for (const referenceId of linked) expect(referenceIds.has(referenceId)).toBe(true);
    // Some source rows have no counterpart, most do.
    expect(linked.length).toBeGreaterThan(SMALL.sourceSize * 0.6);
    expect(linked.length).toBeLessThan(SMALL.sourceSize);
  });

  it('names its columns differently on the two sides and describes every column of its rows', () => {
    const referenceNames = dataset.reference.columns.map((c) => c.name);
    const sourceNames = dataset.source.columns.map((c) => c.name);
    const shared = sourceNames.filter((n) => referenceNames.includes(n));
    expect(shared.length).toBeLessThan(sourceNames.length / 2);
    for (const row of dataset.source.rows.slice(0, 20)) expect(Object.keys(row.values).sort()).toEqual([...sourceNames].sort());
    for (const row of dataset.reference.rows.slice(0, 20)) expect(Object.keys(row.values).sort()).toEqual([...referenceNames].sort());
    const mapped = dataset.handConfig.fieldMappings;
    for (const m of mapped) {
      expect(sourceNames).toContain(m.source);
      expect(referenceNames).toContain(m.target);
    }
  });

  it('gives its hand config a non-trivial but imperfect F1', () => {
    const { quality } = runHandConfig(dataset, dataset.handConfig);
    expect(quality.f1).toBeGreaterThan(0.3);
    expect(quality.f1).toBeLessThan(0.98);
  });
});
