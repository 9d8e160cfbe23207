// Comparator throughput, engine vs talisman and fastest-levenshtein, on the same pairs in the same process.
// Pairs are FEBRL4 name/address values (row i of dataset4b against rows i and i·7919 of dataset4a: the files are
// not aligned, so nearly all of these are unrelated records; 86 of 38k pairs are equal strings), the lengths and
// alphabet real matching sees; the "prepared" lines below add the engine's real candidate pairs.
// "kernel" = the engine's WebAssembly Jaro–Winkler kernel on pools in a kernel memory, one call per pair (the
// JavaScript kernel beyond 256 code units, as the engine does); "kernel_js" = the JavaScript kernel alone on
// pre-encoded pools; "string" = the string convenience API (encodes both strings per call).
// "prepared" = the engine's calling pattern per field: matchSlice compares one source value with all of its blocking
// candidates, so the kernel builds the source value's position table once per source value (timed) and each
// candidate costs one score call (for configs of Jaro–Winkler and exact fields only, one scoreRow call per source
// row scores every field of every candidate instead: row-scorer.ts). Those lines use the candidate pairs the engine's blocking actually
// yields on FEBRL4 (grouped by source row; about a third are equal strings, where talisman's `a === b` and the
// engine's equality check both return at once); talisman scores the same pairs in the same order.
// Every Jaro–Winkler line is checked pair by pair against talisman before timing (same value to the bit) and by
// checksum after.
import { performance } from 'node:perf_hooks';
import { distance as fastestLevenshtein } from 'fastest-levenshtein';
import talismanJaroWinkler from 'talisman/metrics/jaro-winkler.js';
import talismanLevenshtein from 'talisman/metrics/levenshtein.js';
import {
  buildReferenceIndex,
  jaroWinkler,
  jaroWinklerCodes,
  levenshteinDistance,
  levenshteinDistanceCodes,
  normaliseText,
  type EngineRow,
  type MatchConfig,
} from '../../src/matching/index';
import { JaroWinklerKernel, KERNEL_MAX_LENGTH } from '../../src/matching/comparators/jaro-winkler-kernel';
import { CodePoolBuilder, type CodePool } from '../../src/matching/pool';
import { readCsvRecords } from '../lib/csv';
import { emit } from '../lib/output';
import { febrlConfig } from './configs';
import { prepareFebrl4 } from './datasets';

const COLUMNS = ['given_name', 'surname', 'address_1', 'suburb'];

/** A whole postal address (street number, address lines, suburb, postcode, state joined by spaces, 20–60 code
 *  units): the long values a "full address" or free-text field holds. */
const FULL_ADDRESS = 'full_address';
const ADDRESS_PARTS = ['street_number', 'address_1', 'address_2', 'suburb', 'postcode', 'state'];

function cell(record: Record<string, string> | undefined, column: string): string {
  if (column !== FULL_ADDRESS) return record?.[column] ?? '';
  return ADDRESS_PARTS.map((part) => record?.[part] ?? '')
    .filter((v) => v !== '')
    .join(' ');
}

function loadPairs(columns = COLUMNS): Array<[string, string]> {
  const a = [...readCsvRecords('/work/shared/datasets/febrl4/dataset4a.csv')];
  const b = [...readCsvRecords('/work/shared/datasets/febrl4/dataset4b.csv')];
  const pairs: Array<[string, string]> = [];
  for (const column of columns) {
    for (let i = 0; i < b.length; i++) {
      const x = cell(b[i], column);
      const y = cell(a[i], column);
      const z = cell(a[(i * 7919) % a.length], column);
      if (x && y) pairs.push([x, y]);
      if (x && z) pairs.push([x, z]);
    }
  }
  return pairs;
}

/**
 * Throughput of several implementations over the same pairs, measured fairly on a busy machine: the
 * implementations take turns in short slots (each slot = whole passes over the pairs for ≥ slotMs), for
 * `rounds` rounds, and each keeps its best slot. Other load then hits all of them alike instead of whichever
 * happened to run during a burst.
 */
function interleaved(
  pairs: number,
  fns: Record<string, () => number>,
  rounds = 8,
  slotMs = 150,
): Record<string, { perSecond: number; checksum: number }> {
  const best: Record<string, { perSecond: number; checksum: number }> = {};
  for (const [name, fn] of Object.entries(fns)) best[name] = { perSecond: 0, checksum: fn() }; // warm-up (JIT)
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of Object.entries(fns)) {
      let passes = 0;
      const start = performance.now();
      let elapsed = 0;
      do {
        fn();
        passes++;
        elapsed = performance.now() - start;
      } while (elapsed < slotMs);
      const perSecond = (pairs * passes) / (elapsed / 1000);
      const entry = best[name] as { perSecond: number; checksum: number };
      if (perSecond > entry.perSecond) entry.perSecond = perSecond;
    }
  }
  return best;
}

/** The pairs as pools: `l`, `r` ordinary arrays (the JavaScript kernel), and `both` in one kernel memory (left value
 *  i = value i, right value i = value n + i), where the engine keeps reference texts, with a kernel on it. */
interface EncodedPairs {
  l: CodePool;
  r: CodePool;
  both: CodePool;
  kernel: JaroWinklerKernel;
}

function encodePairs(pairs: Array<[string, string]>): EncodedPairs {
  const left = new CodePoolBuilder();
  const right = new CodePoolBuilder();
  const both = new CodePoolBuilder();
  for (const [x, y] of pairs) {
    left.push(x);
    right.push(y);
    both.push(x);
  }
  for (const [, y] of pairs) both.push(y);
  const inMemory = both.finishInKernelMemory(false);
  return {
    l: left.finish(false),
    r: right.finish(false),
    both: inMemory,
    kernel: new JaroWinklerKernel(inMemory.memory as WebAssembly.Memory),
  };
}

/** Pair i (of n) by the WebAssembly kernel (the JavaScript one beyond 256 code units, as the engine does). */
function wasmPairScore({ both, kernel }: EncodedPairs, n: number, i: number): number {
  const { codes, offsets } = both;
  const a = offsets[i] as number;
  const aLen = (offsets[i + 1] as number) - a;
  const b = offsets[n + i] as number;
  const bLen = (offsets[n + i + 1] as number) - b;
  return aLen <= KERNEL_MAX_LENGTH && bLen <= KERNEL_MAX_LENGTH
    ? kernel.score(2 * a, aLen, 2 * b, bLen, 1)
    : jaroWinklerCodes(codes, a, aLen, codes, b, bLen);
}

function wasmPass(encoded: EncodedPairs, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += wasmPairScore(encoded, n, i);
  return s;
}

/** Untimed check before any timing: the engine's kernels and string form give exactly talisman's score on every
 *  pair (not only on the checksum), so the throughput lines compare implementations of the same function. */
function verifyJaroWinkler(pairs: Array<[string, string]>, encoded: EncodedPairs): void {
  const { l, r } = encoded;
  for (let i = 0; i < pairs.length; i++) {
    const [x, y] = pairs[i] as [string, string];
    const expected = talismanJaroWinkler(x, y);
    const a = l.offsets[i] as number;
    const b = r.offsets[i] as number;
    const kernel = jaroWinklerCodes(l.codes, a, (l.offsets[i + 1] as number) - a, r.codes, b, (r.offsets[i + 1] as number) - b);
    const wasm = wasmPairScore(encoded, pairs.length, i);
    if (kernel !== expected || wasm !== expected || jaroWinkler(x, y) !== expected)
      throw new Error(`jaro_winkler: engine ${kernel} / ${wasm} ≠ talisman ${expected} on ${JSON.stringify([x, y])}`);
  }
}

function kernelPass(l: CodePool, r: CodePool, n: number): number {
  let s = 0;
  const lo = l.offsets;
  const ro = r.offsets;
  for (let i = 0; i < n; i++) {
    const a = lo[i] as number;
    const b = ro[i] as number;
    s += jaroWinklerCodes(l.codes, a, (lo[i + 1] as number) - a, r.codes, b, (ro[i + 1] as number) - b);
  }
  return s;
}

/** Per column: the speed-up depends on length (talisman's matching loop is O(n·window), the bit-parallel
 *  kernel O(n)), so short given names show the smallest ratio and addresses the largest. */
function jaroWinklerByColumn(): void {
  for (const column of [...COLUMNS, FULL_ADDRESS]) {
    const pairs = loadPairs([column]);
    const encoded = encodePairs(pairs);
    const n = pairs.length;
    const meanLength = pairs.reduce((s, [x, y]) => s + x.length + y.length, 0) / (2 * n);
    verifyJaroWinkler(pairs, encoded);
    const m = interleaved(
      n,
      {
        talisman: () => {
          let s = 0;
          for (const [x, y] of pairs) s += talismanJaroWinkler(x, y);
          return s;
        },
        engineKernel: () => wasmPass(encoded, n),
      },
      5,
    );
    if (m['talisman']?.checksum !== m['engineKernel']?.checksum)
      throw new Error(`jaro_winkler (${column}): engine and talisman scores differ`);
    const t = (m['talisman'] as { perSecond: number }).perSecond;
    const k = (m['engineKernel'] as { perSecond: number }).perSecond;
    const overKernel = pairs.filter(([x, y]) => x.length > KERNEL_MAX_LENGTH || y.length > KERNEL_MAX_LENGTH).length;
    emit({
      name: `jaro_winkler.engine_kernel.${column}`,
      value: k,
      unit: 'pairs/s',
      baseline: t,
      ratio: k / t,
      mean_length: Number(meanLength.toFixed(1)),
      share_over_kernel_length: Number((overKernel / n).toFixed(4)),
    });
  }
}

/** Candidate pairs of the engine's blocking on FEBRL4 for `columns`, grouped by source value: group g is source
 *  value src[g] against ref[groupStart[g] .. groupStart[g+1]) (normalised texts, both non-empty). */
interface GroupedPairs {
  src: string[];
  ref: string[];
  groupStart: number[];
}

export function groupedCandidatePairs(config: MatchConfig, columns = COLUMNS): GroupedPairs {
  const files = prepareFebrl4();
  const rows = (path: string): EngineRow[] => [...readCsvRecords(path)].map(({ id = '', truth: _t, ...values }) => ({ id, values }));
  const reference = rows(files.reference);
  const source = rows(files.source);
  const index = buildReferenceIndex(reference, config);
  const collector = index.candidateCollector();
  const candidates = source.map((row) => Array.from(collector.candidates.subarray(0, collector.collect(row.values))));
  const out: GroupedPairs = { src: [], ref: [], groupStart: [0] };
  for (const column of columns) {
    const refText = reference.map((r) => normaliseText(r.values[column]));
    source.forEach((row, s) => {
      const x = normaliseText(row.values[column]);
      if (x === '') return;
      const before = out.ref.length;
      for (const c of candidates[s] as number[]) if (refText[c] !== '') out.ref.push(refText[c] as string);
      if (out.ref.length === before) return;
      out.src.push(x);
      out.groupStart.push(out.ref.length);
    });
  }
  return out;
}

/** Talisman vs the engine on the engine's real calling pattern (see the header). */
function jaroWinklerPrepared(label: string, config: MatchConfig): void {
  const { src, ref, groupStart } = groupedCandidatePairs(config);
  const groups = src.length;
  const n = ref.length;
  const srcPool = new CodePoolBuilder();
  const refPool = new CodePoolBuilder();
  for (const x of src) srcPool.push(x);
  for (const y of ref) refPool.push(y);
  const sp = srcPool.finish(false);
  const rp = refPool.finishInKernelMemory(false); // where the engine keeps reference texts
  const kernel = new JaroWinklerKernel(rp.memory as WebAssembly.Memory);
  // As FieldScorer does: per source value, copy it into the kernel's next-source slot and replaceSource (one call:
  // clear the previous value's table, build this one's); then one call per candidate (the JavaScript kernel beyond
  // 256 code units).
  /** One pass; returns the sum of the scores and, with `scores`, stores each pair's (for the check). */
  const prepared = (scores: Float64Array | null): number => {
    const so = sp.offsets;
    const ro = rp.offsets;
    const next = kernel.nextSource;
    let sum = 0;
    for (let g = 0; g < groups; g++) {
      const a = so[g] as number;
      const aLen = (so[g + 1] as number) - a;
      const inKernel = aLen <= KERNEL_MAX_LENGTH;
      if (inKernel) {
        for (let i = 0; i < aLen; i++) next[i] = sp.codes[a + i] as number;
        kernel.replaceSource(aLen);
      }
      for (let k = groupStart[g] as number, end = groupStart[g + 1] as number; k < end; k++) {
        const b = ro[k] as number;
        const bLen = (ro[k + 1] as number) - b;
        const score =
          inKernel && bLen <= KERNEL_MAX_LENGTH
            ? kernel.score(kernel.sourceAddress, aLen, 2 * b, bLen, 0)
            : jaroWinklerCodes(sp.codes, a, aLen, rp.codes, b, bLen);
        sum += score;
        if (scores !== null) scores[k] = score;
      }
    }
    return sum;
  };
  const checked = new Float64Array(n);
  prepared(checked);
  for (let g = 0; g < groups; g++) {
    for (let k = groupStart[g] as number, end = groupStart[g + 1] as number; k < end; k++) {
      if (checked[k] !== talismanJaroWinkler(src[g] as string, ref[k] as string)) {
        throw new Error(`jaro_winkler (${label}): prepared engine score ≠ talisman on ${JSON.stringify([src[g], ref[k]])}`);
      }
    }
  }
  const m = interleaved(n, {
    talisman: () => {
      let s = 0;
      for (let g = 0; g < groups; g++) {
        const x = src[g] as string;
        for (let k = groupStart[g] as number, end = groupStart[g + 1] as number; k < end; k++)
          s += talismanJaroWinkler(x, ref[k] as string);
      }
      return s;
    },
    enginePrepared: () => prepared(null),
    engineKernel: () => {
      let s = 0;
      const so = sp.offsets;
      const ro = rp.offsets;
      for (let g = 0; g < groups; g++) {
        const a = so[g] as number;
        const aLen = (so[g + 1] as number) - a;
        for (let k = groupStart[g] as number, end = groupStart[g + 1] as number; k < end; k++) {
          const b = ro[k] as number;
          s += jaroWinklerCodes(sp.codes, a, aLen, rp.codes, b, (ro[k + 1] as number) - b);
        }
      }
      return s;
    },
  });
  const t = m['talisman'] as { perSecond: number; checksum: number };
  const preparedLine = m['enginePrepared'] as { perSecond: number; checksum: number };
  const jsLine = m['engineKernel'] as { perSecond: number; checksum: number };
  if (preparedLine.checksum !== t.checksum || jsLine.checksum !== t.checksum)
    throw new Error(`jaro_winkler (${label}): engine and talisman scores differ`);
  const meanLength = (src.reduce((s, x) => s + x.length, 0) + ref.reduce((s, y) => s + y.length, 0)) / (groups + n);
  const extra = {
    pairs: n,
    source_values: groups,
    mean_candidates: Number((n / groups).toFixed(2)),
    mean_length: Number(meanLength.toFixed(1)),
    columns: COLUMNS.join(','),
  };
  emit({
    name: `jaro_winkler.engine_prepared.${label}`,
    value: preparedLine.perSecond,
    unit: 'pairs/s',
    baseline: t.perSecond,
    ratio: preparedLine.perSecond / t.perSecond,
    note: 'JW scores computed per second (every pair scored, no pruning), one source value against its blocking candidates as matchSlice calls it: the WebAssembly kernel prepares each source value once (timed, as FieldScorer does) + one score call per pair; talisman on the same pairs',
    ...extra,
  });
  emit({
    name: `jaro_winkler.engine_kernel_js.${label}`,
    value: jsLine.perSecond,
    unit: 'pairs/s',
    baseline: t.perSecond,
    ratio: jsLine.perSecond / t.perSecond,
    note: 'same pairs, the JavaScript kernel jaroWinklerCodes per pair (masks built per pair)',
  });
}

export function runComparatorBench(): void {
  const pairs = loadPairs();
  const encoded = encodePairs(pairs);
  const { l, r } = encoded;
  const n = pairs.length;

  verifyJaroWinkler(pairs, encoded);
  const jw = interleaved(n, {
    talisman: () => {
      let s = 0;
      for (const [x, y] of pairs) s += talismanJaroWinkler(x, y);
      return s;
    },
    engineString: () => {
      let s = 0;
      for (const [x, y] of pairs) s += jaroWinkler(x, y);
      return s;
    },
    engineKernel: () => wasmPass(encoded, n),
    engineKernelJs: () => kernelPass(l, r, n),
  });
  const talismanJw = jw['talisman'] as { perSecond: number; checksum: number };
  const engineJwString = jw['engineString'] as { perSecond: number; checksum: number };
  const engineJwKernel = jw['engineKernel'] as { perSecond: number; checksum: number };
  const engineJwKernelJs = jw['engineKernelJs'] as { perSecond: number; checksum: number };
  if ([engineJwKernel, engineJwKernelJs, engineJwString].some((e) => e.checksum !== talismanJw.checksum))
    throw new Error('jaro_winkler: engine and talisman scores differ');
  const agree = Math.abs(talismanJw.checksum - engineJwKernel.checksum) / n;
  emit({ name: 'jaro_winkler.talisman', value: talismanJw.perSecond, unit: 'pairs/s', pairs: n });
  emit({
    name: 'jaro_winkler.engine_string',
    value: engineJwString.perSecond,
    unit: 'pairs/s',
    baseline: talismanJw.perSecond,
    ratio: engineJwString.perSecond / talismanJw.perSecond,
  });
  emit({
    name: 'jaro_winkler.engine_kernel',
    value: engineJwKernel.perSecond,
    unit: 'pairs/s',
    baseline: talismanJw.perSecond,
    ratio: engineJwKernel.perSecond / talismanJw.perSecond,
    mean_abs_diff_vs_talisman: agree,
    note: 'WebAssembly kernel on pools in a kernel memory (JavaScript kernel beyond 256 code units)',
  });
  emit({
    name: 'jaro_winkler.engine_kernel_js',
    value: engineJwKernelJs.perSecond,
    unit: 'pairs/s',
    baseline: talismanJw.perSecond,
    ratio: engineJwKernelJs.perSecond / talismanJw.perSecond,
    note: 'the JavaScript kernel alone (fallback and reference implementation)',
  });
  jaroWinklerByColumn();
  jaroWinklerPrepared('febrl4_candidates', febrlConfig);
  jaroWinklerPrepared('febrl4_default_key_candidates', { ...febrlConfig, blocking: undefined });

  const lev = interleaved(n, {
    talisman: () => {
      let s = 0;
      for (const [x, y] of pairs) s += talismanLevenshtein(x, y);
      return s;
    },
    fastest: () => {
      let s = 0;
      for (const [x, y] of pairs) s += fastestLevenshtein(x, y);
      return s;
    },
    engineString: () => {
      let s = 0;
      for (const [x, y] of pairs) s += levenshteinDistance(x, y);
      return s;
    },
    engineKernel: () => {
      let s = 0;
      const lo = l.offsets;
      const ro = r.offsets;
      for (let i = 0; i < n; i++) {
        const a = lo[i] as number;
        const b = ro[i] as number;
        s += levenshteinDistanceCodes(l.codes, a, (lo[i + 1] as number) - a, r.codes, b, (ro[i + 1] as number) - b);
      }
      return s;
    },
  });
  const talismanLev = lev['talisman'] as { perSecond: number; checksum: number };
  const fastest = lev['fastest'] as { perSecond: number; checksum: number };
  const engineLevString = lev['engineString'] as { perSecond: number; checksum: number };
  const engineLevKernel = lev['engineKernel'] as { perSecond: number; checksum: number };
  if (fastest.checksum !== engineLevKernel.checksum || talismanLev.checksum !== engineLevKernel.checksum) {
    throw new Error('levenshtein implementations disagree');
  }
  emit({ name: 'levenshtein.talisman', value: talismanLev.perSecond, unit: 'pairs/s' });
  emit({
    name: 'levenshtein.fastest_levenshtein',
    value: fastest.perSecond,
    unit: 'pairs/s',
    baseline: talismanLev.perSecond,
    ratio: fastest.perSecond / talismanLev.perSecond,
  });
  emit({
    name: 'levenshtein.engine_string',
    value: engineLevString.perSecond,
    unit: 'pairs/s',
    baseline: fastest.perSecond,
    ratio: engineLevString.perSecond / fastest.perSecond,
  });
  emit({
    name: 'levenshtein.engine_kernel',
    value: engineLevKernel.perSecond,
    unit: 'pairs/s',
    baseline: fastest.perSecond,
    ratio: engineLevKernel.perSecond / fastest.perSecond,
  });
}
