// Blocking keys chosen by measurement. Candidate keys (each mapped field under the transforms its kind suggests,
// and conjunctions of two of the most useful ones) are evaluated on the sample: estimated recall = the share of
// proxy true pairs (high-posterior pairs of the broad search) that share a key value, and cost = candidate pairs
// the key generates per source row. A greedy pass picks the key with the best recall gained per pair added
// until the target recall is reached, then drops keys the others make redundant. The engine runs the chosen
// keys in `parallel` (union of candidates).

import type { BlockingKey, BlockingKeyPart, EngineRow, FieldMapping } from '../types';
import { conjunctionValues, postingsOf, valueKindOf, type KeyValueCache } from './key-values';

export interface KeyMeasure {
  key: string;
  recall: number;
  pairsPerRow: number;
}

export interface BlockingChoice {
  keys: BlockingKey[];
  /** estimated recall of the chosen set against the proxy pairs */
  recall: number;
  candidates: KeyMeasure[];
  steps: Array<KeyMeasure & { recallAfter: number }>;
  proxyPairs: number;
  targetRecall: number;
  stopKeyLimit: number;
}

interface Evaluated {
  parts: BlockingKeyPart[];
  label: string;
  mapping: number[];
  pairs: number;
  covered: Uint8Array;
  /** the reference rows a source row gets from this key (recomputed on demand) */
  candidatesOf: (s: number) => number[];
}

export interface BlockingChoiceInput {
  sourceRows: EngineRow[];
  referenceRows: EngineRow[];
  mappings: FieldMapping[];
  keyValues: KeyValueCache;
  transforms: Array<Array<{ transform: BlockingKeyPart['transform']; length?: number }>>;
  /** proxy true pairs (sample row numbers) */
  proxySource: Int32Array;
  proxyReference: Int32Array;
  /** key values held by more sample reference rows than this are stop-keys (the engine's maxPostings, scaled) */
  stopKeyLimit: number;
  targetRecall: number;
  maxKeys: number;
  /** mapping indexes to try first in conjunctions (emphasised by the user) */
  preferred?: Set<number>;
}

const CONJUNCTION_FIELDS = 9;
/** A key giving more candidate pairs per source row than this is not considered (nor counted to the end). */
const MAX_KEY_PAIRS_PER_ROW = 400;

/** A key must buy recall at no more than this many candidate pairs per source row per unit of recall (20 pairs
 *  per row for +1 %); beyond that, the review of a few more missed pairs costs more than it is worth. */
export const MAX_PAIRS_PER_RECALL = 2000;

/** Stop-key limits tried (the engine's maxPostings): a lower limit drops common values (frequent words) from
 *  multi-valued keys, which can make a key on words cheap enough to use. */
export const MAX_POSTINGS_TRIED = [1000, 200, 50];

/** Runs the choice under each stop-key limit and keeps the best: min(recall, target) − pairs per row /
 *  MAX_PAIRS_PER_RECALL. */
export function chooseBlockingKeys(input: Omit<BlockingChoiceInput, 'stopKeyLimit'> & { scale: number }): BlockingChoice & {
  maxPostings: number;
  pairsPerRow: number;
  alternatives: Array<{ maxPostings: number; recall: number; pairsPerRow: number; keys: string[] }>;
} {
  let best: (BlockingChoice & { maxPostings: number; pairsPerRow: number; value: number }) | undefined;
  const alternatives: Array<{ maxPostings: number; recall: number; pairsPerRow: number; keys: string[] }> = [];
  const cache: KeyCache = new Map();
  for (const maxPostings of MAX_POSTINGS_TRIED) {
    const choice = chooseWithLimit({ ...input, stopKeyLimit: Math.max(1, Math.floor(maxPostings * input.scale)) }, cache);
    const value = Math.min(choice.recall, input.targetRecall) - choice.pairsPerRow / MAX_PAIRS_PER_RECALL;
    alternatives.push({ maxPostings, recall: choice.recall, pairsPerRow: choice.pairsPerRow, keys: choice.steps.map((s) => s.key) });
    if (best === undefined || value > best.value + 1e-9) best = { ...choice, maxPostings, value };
  }
  const { value: _value, ...chosen } = best as NonNullable<typeof best>;
  return { ...chosen, alternatives };
}

/** Per key (by label): its values on both sides as postings, computed once for every stop-key limit tried. */
type KeyCache = Map<string, { sourceCombos: number[][]; postings: Map<number, number[]> }>;

function chooseWithLimit(input: BlockingChoiceInput, cache: KeyCache): BlockingChoice & { pairsPerRow: number } {
  const { sourceRows, referenceRows, mappings, proxySource, proxyReference } = input;
  const proxyCount = proxySource.length;
  const proxyBySource = new Map<number, number[]>();
  for (let i = 0; i < proxyCount; i++) {
    const s = proxySource[i] as number;
    const list = proxyBySource.get(s);
    if (list) list.push(i);
    else proxyBySource.set(s, [i]);
  }
  const seen = new Int32Array(referenceRows.length);
  let epoch = 0;

  const evaluate = (
    parts: BlockingKeyPart[],
    sourceValues: number[][][],
    referenceValues: number[][][],
    label: string,
    mapping: number[],
  ): Evaluated => {
    let cached = cache.get(label);
    if (cached === undefined) {
      cached = {
        sourceCombos: sourceRows.map((_, r) => conjunctionValues(sourceValues, r)),
        postings: postingsOf(referenceRows.map((_, r) => conjunctionValues(referenceValues, r))),
      };
      cache.set(label, cached);
    }
    const { sourceCombos, postings } = cached;
    let pairs = 0;
    const covered = new Uint8Array(proxyCount);
    const budget = MAX_KEY_PAIRS_PER_ROW * sourceRows.length;
    for (let s = 0; s < sourceRows.length && pairs <= budget; s++) {
      epoch++;
      for (const v of sourceCombos[s] as number[]) {
        const list = postings.get(v);
        if (list === undefined || list.length > input.stopKeyLimit) continue;
        for (const r of list) {
          if (seen[r] === epoch) continue;
          seen[r] = epoch;
          pairs++;
        }
      }
      for (const i of proxyBySource.get(s) ?? []) if (seen[proxyReference[i] as number] === epoch) covered[i] = 1;
    }
    const candidatesOf = (s: number) => {
      const out: number[] = [];
      for (const v of sourceCombos[s] as number[]) {
        const list = postings.get(v);
        if (list !== undefined && list.length <= input.stopKeyLimit) out.push(...list);
      }
      return out;
    };
    // Over budget: unusable (its counts are partial, so it must not be chosen).
    if (pairs > budget)
      return { parts, label, mapping, pairs: Number.POSITIVE_INFINITY, covered: new Uint8Array(proxyCount), candidatesOf };
    return { parts, label, mapping, pairs, covered, candidatesOf };
  };

  // Single-part keys.
  const singles: Array<Evaluated & { sourceValues: number[][]; referenceValues: number[][] }> = [];
  mappings.forEach((m, f) => {
    const kind = valueKindOf(m);
    for (const t of input.transforms[f] ?? []) {
      const part: BlockingKeyPart = {
        source: m.source,
        target: m.target,
        transform: t.transform,
        ...(t.length !== undefined ? { length: t.length } : {}),
      };
      const sourceValues = input.keyValues.values(part, kind, 'source');
      const referenceValues = input.keyValues.values(part, kind, 'target');
      const label = `${m.target}:${t.transform}${t.length !== undefined ? t.length : ''}`;
      singles.push({ ...evaluate([part], [sourceValues], [referenceValues], label, [f]), sourceValues, referenceValues });
    }
  });
  // Conjunctions of two parts of different fields, among the singles with the best recall.
  const countCovered = (c: Uint8Array) => c.reduce((a, b) => a + b, 0);
  const ranked = singles
    .map((e, i) => ({ e, i, recall: countCovered(e.covered) + (input.preferred?.has(e.mapping[0] as number) ? proxyCount : 0) }))
    .sort((a, b) => b.recall - a.recall || a.i - b.i)
    .slice(0, CONJUNCTION_FIELDS)
    .sort((a, b) => a.i - b.i)
    .map(({ e }) => e);
  const all: Evaluated[] = [...singles];
  for (let a = 0; a < ranked.length; a++) {
    for (let b = a + 1; b < ranked.length; b++) {
      const x = ranked[a] as (typeof singles)[number];
      const y = ranked[b] as (typeof singles)[number];
      if (x.mapping[0] === y.mapping[0]) continue;
      all.push(
        evaluate(
          [...x.parts, ...y.parts],
          [x.sourceValues, y.sourceValues],
          [x.referenceValues, y.referenceValues],
          `${x.label} + ${y.label}`,
          [...x.mapping, ...y.mapping],
        ),
      );
    }
  }

  const rows = Math.max(1, sourceRows.length);
  const measure = (e: Evaluated): KeyMeasure => ({
    key: e.label,
    recall: round(proxyCount === 0 ? 0 : countCovered(e.covered) / proxyCount),
    pairsPerRow: Number.isFinite(e.pairs) ? round(e.pairs / rows) : -1,
  });

  // Greedy: best recall gained per pair added (a fixed overhead per key discourages many tiny keys).
  const covered = new Uint8Array(proxyCount);
  let coveredCount = 0;
  const selected: Evaluated[] = [];
  const steps: BlockingChoice['steps'] = [];
  const overhead = 0.5 * rows;
  while (selected.length < input.maxKeys && (proxyCount === 0 ? selected.length === 0 : coveredCount / proxyCount < input.targetRecall)) {
    let best: Evaluated | undefined;
    let bestValue = 0;
    let bestGain = 0;
    for (const e of all) {
      if (selected.includes(e) || !Number.isFinite(e.pairs)) continue;
      let gain = 0;
      for (let i = 0; i < proxyCount; i++) if (e.covered[i] === 1 && covered[i] === 0) gain++;
      const value = (proxyCount === 0 ? 1 : gain) / (e.pairs + overhead);
      if (gain > 0 || proxyCount === 0) {
        if (value > bestValue || (value === bestValue && best !== undefined && e.pairs < best.pairs)) {
          best = e;
          bestValue = value;
          bestGain = gain;
        }
      }
    }
    if (best === undefined) break;
    // Too expensive for what it adds (the first key is always taken).
    if (selected.length > 0 && proxyCount > 0 && best.pairs / rows / (bestGain / proxyCount) > MAX_PAIRS_PER_RECALL) break;
    selected.push(best);
    for (let i = 0; i < proxyCount; i++) if (best.covered[i] === 1) covered[i] = 1;
    coveredCount += bestGain;
    steps.push({ ...measure(best), recallAfter: round(proxyCount === 0 ? 0 : coveredCount / proxyCount) });
  }
  // Drop keys the others make redundant (most expensive first).
  const recallOf = (keys: Evaluated[]) => {
    let n = 0;
    for (let i = 0; i < proxyCount; i++) if (keys.some((k) => k.covered[i] === 1)) n++;
    return proxyCount === 0 ? 0 : n / proxyCount;
  };
  const fullRecall = recallOf(selected);
  for (const e of [...selected].sort((a, b) => b.pairs - a.pairs)) {
    if (selected.length === 1) break;
    const without = selected.filter((k) => k !== e);
    if (recallOf(without) >= Math.min(fullRecall, input.targetRecall)) selected.splice(selected.indexOf(e), 1);
  }
  // Pairs of the chosen set (union per source row), as the engine's parallel blocking would give.
  let unionPairs = 0;
  for (let s = 0; s < sourceRows.length; s++) {
    epoch++;
    for (const e of selected) {
      for (const r of e.candidatesOf(s)) {
        if (seen[r] === epoch) continue;
        seen[r] = epoch;
        unionPairs++;
      }
    }
  }
  return {
    pairsPerRow: round(unionPairs / rows),
    keys: selected.map((e) => ({ parts: e.parts })),
    recall: round(recallOf(selected)),
    candidates: all.map(measure),
    steps,
    proxyPairs: proxyCount,
    targetRecall: input.targetRecall,
    stopKeyLimit: input.stopKeyLimit,
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
