import { describe, expect, it } from 'vitest';
import { expectationMaximisation } from '../../../src/matching/smart/em';
import { MISSING, type ComparisonVectors } from '../../../src/matching/smart/pairs';
import { mulberry32 } from './smart-fixtures';

/** Pairs drawn from a known two-class mixture: λ matches, per-field level distributions m and u. */
function mixture(
  count: number,
  lambda: number,
  m: number[][],
  u: number[][],
  missingRate: number,
  seed: number,
): { vectors: ComparisonVectors; truth: Uint8Array } {
  const random = mulberry32(seed);
  const fields = m.length;
  const levels = new Int8Array(count * fields);
  const truth = new Uint8Array(count);
  const draw = (p: number[]) => {
    let x = random();
    for (let l = 0; l < p.length; l++) if ((x -= p[l] as number) < 0) return l;
    return p.length - 1;
  };
  for (let i = 0; i < count; i++) {
    const isMatch = random() < lambda;
    truth[i] = isMatch ? 1 : 0;
    for (let f = 0; f < fields; f++) levels[i * fields + f] = random() < missingRate ? MISSING : draw((isMatch ? m : u)[f] as number[]);
  }
  return { vectors: { fields, count, levels, scores: new Float32Array(count * fields) }, truth };
}

describe('expectation–maximisation', () => {
  const m = [
    [0.85, 0.1, 0.05],
    [0.9, 0.1],
    [0.7, 0.2, 0.1],
    [0.6, 0.3, 0.1],
  ];
  const u = [
    [0.02, 0.08, 0.9],
    [0.3, 0.7],
    [0.05, 0.15, 0.8],
    [0.1, 0.2, 0.7],
  ];

  it('recovers m and λ on a synthetic mixture with u fixed', () => {
    const { vectors } = mixture(20000, 0.15, m, u, 0.05, 11);
    const fit = expectationMaximisation(vectors, u, { initialLambda: 0.5 });
    expect(fit.converged).toBe(true);
    expect(fit.lambda).toBeGreaterThan(0.13);
    expect(fit.lambda).toBeLessThan(0.17);
    fit.fields.forEach((field, f) => field.m.forEach((x, l) => expect(Math.abs(x - (m[f] as number[])[l]!)).toBeLessThan(0.03)));
  });

  it('its posteriors separate the classes', () => {
    const { vectors, truth } = mixture(5000, 0.2, m, u, 0, 3);
    const fit = expectationMaximisation(vectors, u, { initialLambda: 0.1 });
    let correct = 0;
    for (let i = 0; i < vectors.count; i++) if ((fit.posteriors[i]! >= 0.5 ? 1 : 0) === truth[i]) correct++;
    expect(correct / vectors.count).toBeGreaterThan(0.95);
  });
});
