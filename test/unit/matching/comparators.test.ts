import { distance as fastestLevenshtein } from 'fastest-levenshtein';
import fc from 'fast-check';
import talismanJaroWinkler from 'talisman/metrics/jaro-winkler.js';
import { describe, expect, it } from 'vitest';
import {
  codeItems,
  codesIdf,
  codesScore,
  codeWeights,
  extractCodes,
  MIN_SHARED_SCORE,
  UNRELATED_SCORE,
} from '../../../src/matching/comparators/codes';
import { jaro, jaroCodes, jaroWinklerCodes } from '../../../src/matching/comparators/jaro-winkler';
import { levenshteinDistanceCodes, levenshteinDP } from '../../../src/matching/comparators/levenshtein';
import { tfidfText } from '../../../src/matching/comparators/tfidf-cosine';
import { JaroWinklerKernel, kernelMemory } from '../../../src/matching/comparators/jaro-winkler-kernel';
import { encode } from '../../../src/matching/pool';
import {
  compareValues,
  createTfidfCosine,
  damerauLevenshteinDistance,
  damerauLevenshteinSimilarity,
  buildReferenceIndex,
  dateRangeScore,
  dateWindowScore,
  jaroWinkler,
  matchSlice,
  levenshteinDistance,
  levenshteinSimilarity,
  numericRangeScore,
  numericWindowScore,
  phoneticSimilarity,
  tokenSetSimilarity,
  windowScore,
  type FieldMapping,
} from '../../../src/matching/index';

/** Deterministic pseudo-random strings over a small alphabet (so pairs share characters), some longer than 32. */
function corpus(count: number, seed = 7): string[] {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const alphabet = 'aeinorstlmé ';
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const length = Math.floor(next() * (i % 10 === 0 ? 45 : 14));
    let s = '';
    for (let k = 0; k < length; k++) s += alphabet[Math.floor(next() * alphabet.length)];
    out.push(s);
  }
  return out;
}

/** Exhaustive comparisons take a few seconds on a loaded machine (the default per-test timeout is 5 s). */
const HEAVY_TEST_TIMEOUT = 60_000;

/** Jaro–Winkler of two strings of 1–256 code units by the WebAssembly kernel (one pair: ownTable = 1). */
const wasmPair = (() => {
  const memory = kernelMemory(1024) as WebAssembly.Memory;
  const kernel = new JaroWinklerKernel(memory);
  const codes = new Uint16Array(memory.buffer, 0, 512);
  return (a: string, b: string): number => {
    codes.set(encode(a), 0);
    codes.set(encode(b), 256);
    return kernel.score(0, a.length, 512, b.length, 1);
  };
})();

const strings = corpus(300);
const pairs: Array<[string, string]> = strings.map((s, i) => [s, strings[(i * 37 + 11) % strings.length] as string]);

describe('jaro_winkler', () => {
  it('matches the published values', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('DWAYNE', 'DUANE')).toBeCloseTo(0.84, 4);
    expect(jaroWinkler('DIXON', 'DICKSONX')).toBeCloseTo(0.8133, 4);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('same', 'same')).toBe(1);
  });

  it('agrees with talisman on random pairs, including strings longer than 32 code units', () => {
    for (const [a, b] of pairs) expect(jaroWinkler(a, b)).toBeCloseTo(talismanJaroWinkler(a, b), 12);
    const long = 'abcdefghijklmnopqrstuvwxyz0123456789 the long one';
    expect(jaroWinkler(long, long.replace('xyz', 'xzy'))).toBeCloseTo(talismanJaroWinkler(long, long.replace('xyz', 'xzy')), 12);
  });

  it(
    'equals talisman to the bit on many short pairs over tiny alphabets (repeats, transpositions, window edges)',
    () => {
      let state = 12345;
      const next = (n: number) => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return Math.floor((state / 2 ** 32) * n);
      };
      for (let i = 0; i < 8000; i++) {
        const alphabet = i % 3 === 0 ? 'ab' : i % 3 === 1 ? 'abc' : 'abcdé';
        const word = (max: number) => Array.from({ length: next(max) }, () => alphabet[next(alphabet.length)]).join('');
        const a = word(i % 50 === 0 ? 40 : i % 11 === 0 ? 200 : 33);
        const b = word(i % 7 === 0 ? 40 : i % 13 === 0 ? 150 : 33);
        const expected = talismanJaroWinkler(a, b);
        expect(jaroWinkler(a, b)).toBe(expected);
        const x = encode(a);
        const y = encode(b);
        expect(jaroWinklerCodes(y, 0, y.length, x, 0, x.length)).toBe(expected);
        // The WebAssembly kernel (masks of the first string) gives the same bits, whichever string is longer.
        if (x.length > 0 && y.length > 0) expect(wasmPair(a, b)).toBe(expected);
      }
    },
    HEAVY_TEST_TIMEOUT,
  );

  it.each([true, false])(
    'a field scorer scores each prepared value exactly, across its reused kernel, prepared object and code buffer (texts in a kernel memory: %s)',
    async (inKernelMemory) => {
      const { FieldColumnBuilder, FieldScorer } = await import('../../../src/matching/fields');
      const { CodePoolBuilder } = await import('../../../src/matching/pool');
      const mapping: FieldMapping = { source: 'n', target: 'n', strategy: 'fuzzy', weight: 1 };
      const texts = new CodePoolBuilder();
      const builder = new FieldColumnBuilder('jaro_winkler', texts, 0);
      const references = ['martha', 'marhta', 'dwayne', 'müller', 'a'.repeat(40), 'ab'.repeat(60), 'd'.repeat(270)]; // 'müller' is compared as 'muller'
      for (const r of references) builder.add(r);
      const scorer = new FieldScorer(
        mapping,
        builder.finish(false),
        inKernelMemory ? texts.finishInKernelMemory(false) : texts.finish(false),
        1,
      );
      const values = ['martha', 'duane', 'muller', 'a'.repeat(39), 'ab'.repeat(32), `dwayne ${'b'.repeat(100)}`, 'c'.repeat(300), 'marhta']; // the kernel takes ≤ 256 units; two are longer than the buffer's 64
      const first = scorer.prepare(values[0]);
      for (let round = 0; round < 2; round++) {
        for (const v of values) {
          const prepared = scorer.prepare(v);
          expect(prepared).toBe(first); // one object per scorer, valid until the next prepare()
          references.forEach((r, row) => expect(scorer.score(prepared!, row)).toBe(talismanJaroWinkler(v, r.replace('ü', 'u'))));
          expect(prepared!.inKernel).toBe(inKernelMemory && v.length <= 256);
        }
        for (let k = 0; k < 2000; k++) scorer.prepare(`someone else ${k}`);
      }
    },
  );

  it('a field scorer whose text memory cannot take a kernel scores with the JavaScript kernel', async () => {
    const { FieldColumnBuilder, FieldScorer } = await import('../../../src/matching/fields');
    const { CodePoolBuilder } = await import('../../../src/matching/pool');
    const mapping: FieldMapping = { source: 'n', target: 'n', strategy: 'fuzzy', weight: 1 };
    const texts = new CodePoolBuilder();
    const builder = new FieldColumnBuilder('jaro_winkler', texts, 0);
    builder.add('martha');
    const plain = texts.finish(false);
    const full = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }); // no room for a scratch region
    const codes = new Uint16Array(full.buffer, 0, plain.codes.length);
    codes.set(plain.codes);
    const scorer = new FieldScorer(mapping, builder.finish(false), { codes, offsets: plain.offsets, memory: full }, 1);
    const prepared = scorer.prepare('marhta');
    expect(prepared?.inKernel).toBe(false);
    expect(scorer.score(prepared!, 0)).toBe(talismanJaroWinkler('marhta', 'martha'));
  });

  it('is symmetric and stays in [0, 1]', () => {
    for (const [a, b] of pairs) {
      const s = jaroWinkler(a, b);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      expect(jaroWinkler(b, a)).toBeCloseTo(s, 12);
    }
  });

  it('handles empty and non-ASCII input', () => {
    expect(jaroWinkler('', '')).toBe(1);
    expect(jaroWinkler('', 'a')).toBe(0);
    expect(jaroWinkler('a', '')).toBe(0);
    const s = jaroWinkler('müller', 'muller');
    expect(s).toBeGreaterThan(0.8);
    expect(s).toBeLessThan(1);
    expect(jaroWinkler('日本語', '日本語')).toBe(1);
  });
});

/** Textbook Jaro (the shorter string walked, a flag array on the longer one): the plain reference for the
 *  bit-parallel kernels. */
function plainJaro(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 1 : 0;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  const window = Math.max(Math.floor(long.length / 2) - 1, 0);
  const taken = new Array<boolean>(long.length).fill(false);
  const matched: string[] = [];
  for (let i = 0; i < short.length; i++) {
    for (let j = Math.max(0, i - window); j < Math.min(long.length, i + window + 1); j++) {
      if (!taken[j] && long[j] === short[i]) {
        taken[j] = true;
        matched.push(short[i] as string);
        break;
      }
    }
  }
  const m = matched.length;
  if (m === 0) return 0;
  let outOfOrder = 0;
  let k = 0;
  for (let j = 0; j < long.length; j++) if (taken[j] && long[j] !== matched[k++]) outOfOrder++;
  return (m / a.length + m / b.length + (m - Math.floor(outOfOrder / 2)) / m) / 3;
}

describe('jaro_winkler kernels (property tests)', () => {
  // Small alphabets so that strings share characters; lengths across the 32-unit bit path and the loop path
  // (> 32, > 64); units outside ASCII and outside the BMP (a surrogate pair is two code units).
  const unit = fc.constantFrom('a', 'b', 'c', 'd', ' ', 'é', '日', '😀');
  const text = fc.oneof(
    fc.string({ unit, maxLength: 12 }),
    fc.string({ unit, maxLength: 40 }),
    fc.string({ unit, minLength: 30, maxLength: 80 }),
  );
  const options = { numRuns: 3000, seed: 20261128 };
  /** Values the WebAssembly kernel takes (1–256 code units): short, up to one word, and multi-word. */
  const kernelValue = fc
    .oneof(
      fc.string({ unit, minLength: 1, maxLength: 12 }),
      fc.string({ unit, minLength: 1, maxLength: 64 }),
      fc.string({ unit, minLength: 60, maxLength: 256 }),
    )
    .filter((s) => s.length <= 256);
  /** A kernel on its own memory, a pool of 4096 code units at the memory's start, and the kernel's position table. */
  const kernelOnPool = () => {
    const memory = kernelMemory(8192) as WebAssembly.Memory;
    const kernel = new JaroWinklerKernel(memory);
    return { kernel, pool: new Uint16Array(memory.buffer, 0, 4096), table: new BigInt64Array(memory.buffer, kernel.scratch, 0x40000) };
  };

  it(
    'Jaro–Winkler equals talisman to the bit, both argument orders, string and code forms',
    () => {
      fc.assert(
        fc.property(text, text, (a, b) => {
          const expected = talismanJaroWinkler(a, b);
          const x = encode(a);
          const y = encode(b);
          return (
            jaroWinklerCodes(x, 0, x.length, y, 0, y.length) === expected &&
            jaroWinklerCodes(y, 0, y.length, x, 0, x.length) === expected &&
            jaroWinkler(a, b) === expected
          );
        }),
        options,
      );
    },
    HEAVY_TEST_TIMEOUT,
  );

  it(
    'Jaro equals the plain implementation to the bit',
    () => {
      fc.assert(
        fc.property(text, text, (a, b) => {
          const expected = plainJaro(a, b);
          const x = encode(a);
          const y = encode(b);
          return jaro(a, b) === expected && jaroCodes(y, 0, y.length, x, 0, x.length) === expected;
        }),
        options,
      );
    },
    HEAVY_TEST_TIMEOUT,
  );

  it(
    'the WebAssembly kernel: a prepared source value against ranges of a larger pool scores like the JavaScript kernel, and leaves its table zeroed',
    () => {
      const { kernel, pool, table } = kernelOnPool();
      fc.assert(
        fc.property(kernelValue, fc.array(kernelValue, { maxLength: 8 }), (a, others) => {
          kernel.source.set(encode(a));
          kernel.prepare(kernel.sourceAddress, a.length);
          let ok = true;
          let at = 3; // odd code-unit offsets too
          for (const b of others) {
            pool.set(encode(b), at);
            const expected = jaroWinklerCodes(encode(a), 0, a.length, pool, at, b.length);
            if (expected !== talismanJaroWinkler(a, b) || kernel.score(kernel.sourceAddress, a.length, 2 * at, b.length, 0) !== expected)
              ok = false;
            at += b.length + 1;
          }
          kernel.clear(kernel.sourceAddress, a.length);
          return ok && table.every((m) => m === 0n);
        }),
        { ...options, numRuns: 1500 },
      );
    },
    HEAVY_TEST_TIMEOUT,
  );

  it(
    'the WebAssembly kernel: replaceSource moves from one source value to the next in one call, as the field scorer uses it',
    () => {
      const { kernel, pool, table } = kernelOnPool();
      fc.assert(
        fc.property(fc.array(fc.tuple(kernelValue, fc.array(kernelValue, { maxLength: 4 })), { minLength: 1, maxLength: 6 }), (values) => {
          let previous = 0;
          let ok = true;
          for (const [a, others] of values) {
            kernel.nextSource.set(encode(a));
            kernel.replaceSource(a.length); // clears the table of the value before (its length is kept in the kernel)
            previous = a.length;
            let at = 1;
            for (const b of others) {
              pool.set(encode(b), at);
              if (kernel.score(kernel.sourceAddress, a.length, 2 * at, b.length, 0) !== talismanJaroWinkler(a, b)) ok = false;
              at += b.length;
            }
          }
          kernel.clear(kernel.sourceAddress, previous);
          return ok && table.every((m) => m === 0n);
        }),
        { ...options, numRuns: 500 },
      );
    },
    HEAVY_TEST_TIMEOUT,
  );

  it('kernels on one memory take separate scratch regions, and views taken before they grew it stay valid', () => {
    const memory = kernelMemory(8) as WebAssembly.Memory;
    const pool = new Uint16Array(memory.buffer, 0, 4);
    pool.set(encode('abcd'));
    const first = new JaroWinklerKernel(memory);
    const second = new JaroWinklerKernel(memory);
    expect(Math.abs(second.scratch - first.scratch)).toBeGreaterThanOrEqual(0x200620);
    first.source.set(encode('abdc'));
    first.prepare(first.sourceAddress, 4);
    second.source.set(encode('zzzz'));
    second.prepare(second.sourceAddress, 4);
    expect(first.score(first.sourceAddress, 4, 0, 4, 0)).toBe(talismanJaroWinkler('abdc', 'abcd'));
    expect(second.score(second.sourceAddress, 4, 0, 4, 0)).toBe(0);
    expect(Array.from(pool)).toEqual(Array.from(encode('abcd')));
  });

  it('known values and edges', () => {
    expect(jaroWinkler('MARTHA', 'MARHTA')).toBeCloseTo(0.961, 3);
    expect(jaro('MARTHA', 'MARHTA')).toBeCloseTo(0.944, 3);
    expect(jaroWinkler('CRATE', 'TRACE')).toBeCloseTo(0.7333, 4); // Jaro 0.733, no common prefix
    expect(jaroWinkler('a'.repeat(32), 'a'.repeat(32))).toBe(1);
    expect(jaroWinkler('a'.repeat(33), 'a'.repeat(32))).toBe(talismanJaroWinkler('a'.repeat(33), 'a'.repeat(32)));
    expect(jaroWinkler('ab'.repeat(16), 'ba'.repeat(16))).toBe(talismanJaroWinkler('ab'.repeat(16), 'ba'.repeat(16)));
    expect(jaroWinkler('😀', '😀x')).toBe(talismanJaroWinkler('😀', '😀x'));
    expect(jaroWinkler('', 'abc')).toBe(0);
    expect(jaro('', '')).toBe(1);
  });
});

describe('levenshtein and damerau_levenshtein', () => {
  it('computes known distances', () => {
    expect(levenshteinDistance('kitten', 'sitting')).toBe(3);
    expect(levenshteinDistance('', 'abc')).toBe(3);
    expect(levenshteinDistance('flaw', 'lawn')).toBe(2);
    expect(damerauLevenshteinDistance('abcd', 'acbd')).toBe(1);
    expect(levenshteinDistance('abcd', 'acbd')).toBe(2);
    // optimal string alignment: no substring is edited twice
    expect(damerauLevenshteinDistance('ca', 'abc')).toBe(3);
  });

  it('agrees with fastest-levenshtein (one-word and blocked bit-parallel paths)', () => {
    for (const [a, b] of pairs) expect(levenshteinDistance(a, b)).toBe(fastestLevenshtein(a, b));
  });

  it('blocked bit-parallel distance (over 32 code units) equals the dynamic programme, at any offset (property)', () => {
    const unit = fc.constantFrom('a', 'b', 'c', ' ', 'é', '日', '😀');
    const text = fc.oneof(fc.string({ unit, maxLength: 40 }), fc.string({ unit, minLength: 30, maxLength: 200 }));
    fc.assert(
      fc.property(text, text, fc.nat(5), fc.nat(5), (a, b, padA, padB) => {
        // Each value inside a larger buffer, as the engine's pools hold them.
        const inBuffer = (value: string, pad: number) => {
          const padded = `${'#'.repeat(pad)}${value}~`;
          return Uint16Array.from({ length: padded.length }, (_, i) => padded.charCodeAt(i));
        };
        const x = inBuffer(a, padA);
        const y = inBuffer(b, padB);
        const fast = levenshteinDistanceCodes(x, padA, a.length, y, padB, b.length);
        expect(fast).toBe(levenshteinDP(x, padA, a.length, y, padB, b.length));
        expect(fast).toBe(levenshteinDP(y, padB, b.length, x, padA, a.length));
      }),
      { numRuns: 3000, seed: 20261205 },
    );
  });

  it('similarities are symmetric, in [0, 1], 1 for equal strings', () => {
    for (const [a, b] of pairs) {
      for (const f of [levenshteinSimilarity, damerauLevenshteinSimilarity]) {
        const s = f(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(f(b, a)).toBe(s);
      }
    }
    expect(levenshteinSimilarity('', '')).toBe(1);
    expect(levenshteinSimilarity('abcd', 'abcf')).toBe(0.75);
  });
});

describe('token_set', () => {
  it('ignores order and duplicates, and scores subsets 1', () => {
    expect(tokenSetSimilarity('John Smith', 'smith, john')).toBe(1);
    expect(tokenSetSimilarity('Acme Corp Ltd', 'acme ltd')).toBe(1);
    expect(tokenSetSimilarity('acme acme corp', 'corp acme')).toBe(1);
  });

  it('grades partial overlaps between 0 and 1 and is symmetric', () => {
    const s = tokenSetSimilarity('acme widgets ltd', 'acme gadgets ltd');
    expect(s).toBeGreaterThan(0.5);
    expect(s).toBeLessThan(1);
    expect(tokenSetSimilarity('acme gadgets ltd', 'acme widgets ltd')).toBe(s);
    expect(tokenSetSimilarity('abc', 'xyz')).toBe(0);
    for (const [a, b] of pairs) {
      const t = tokenSetSimilarity(a, b);
      expect(t).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThanOrEqual(1);
      expect(tokenSetSimilarity(b, a)).toBeCloseTo(t, 12);
    }
  });
});

describe('tfidf_cosine', () => {
  const reference = ['acme holdings ltd', 'globex ltd', 'initech ltd', 'umbrella ltd', 'acme ltd', 'hooli inc'];
  const cosine = createTfidfCosine(reference);

  it('weighs rare shared words above common ones', () => {
    expect(cosine('acme trading ltd', 'acme holdings')).toBeGreaterThan(cosine('acme trading ltd', 'globex ltd'));
    expect(cosine('globex ltd', 'globex ltd')).toBeCloseTo(1, 12);
    expect(cosine('foo', 'bar')).toBe(0);
  });

  it('is symmetric and in [0, 1]', () => {
    for (const [a, b] of [
      ['acme ltd', 'ltd'],
      ['globex', 'globex ltd'],
      ['x y z', 'z'],
    ] as const) {
      const s = cosine(a, b);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      expect(cosine(b, a)).toBeCloseTo(s, 12);
    }
  });

  it('reads a code written with inner separators as one word, as the codes field does', () => {
    expect(tfidfText('Sony MDR-EX35LP/VB headphones')).toBe('sony mdrex35lpvb headphones');
    expect(tfidfText('EVGA 01G-P3-1373-AR')).toBe('evga 01gp31373ar');
    // Not codes: an amount with its unit, words without digits, digits alone (dates, phones, prices), spaced codes.
    expect(tfidfText('15.4-inch x-men sleeve')).toBe('15 4 inch x men sleeve');
    expect(tfidfText('born 1985-03-12, call 03-9876-5432, 149.99')).toBe('born 1985 03 12 call 03 9876 5432 149 99');
    expect(tfidfText('ktc d320 1g')).toBe('ktc d320 1g');
    expect(tfidfText(42)).toBe('42');

    const products = createTfidfCosine(['sony mdr-ex35lp headphones', 'sony mdr-ex36lp headphones', 'koss eq50 equalizer']);
    // Written solid on one side and hyphenated on the other, the model number is the rarest word they share.
    expect(products('sony mdrex35lp headphones', 'sony mdr-ex35lp headphones')).toBeCloseTo(1, 12);
    expect(products('sony mdrex35lp headphones', 'sony mdr-ex35lp headphones')).toBeGreaterThan(
      products('sony mdrex35lp headphones', 'sony mdr-ex36lp headphones'),
    );
    // The engine's field reads the same words.
    const title = { source: 'title', target: 'title', strategy: 'fuzzy', weight: 1, options: { algorithm: 'tfidf_cosine' } } as const;
    expect(compareValues(title, 'MDREX35LP', 'mdr-ex35lp')).toBeCloseTo(1, 6);
  });
});

describe('phonetic', () => {
  it('matches names that sound alike', () => {
    expect(phoneticSimilarity('Smith', 'Smyth')).toBe(1);
    expect(phoneticSimilarity('Catherine', 'Kathryn')).toBe(1);
    expect(phoneticSimilarity('Smith', 'Jones')).toBe(0);
    expect(phoneticSimilarity('John Smith', 'Jon Jones')).toBe(0.5);
  });

  it('compares digits by value and handles empty input', () => {
    expect(phoneticSimilarity('12', '12')).toBe(1);
    expect(phoneticSimilarity('12', '13')).toBe(0);
    expect(phoneticSimilarity('', '')).toBe(1);
    expect(phoneticSimilarity('smith', '')).toBe(0);
  });
});

describe('date_range and numeric_range', () => {
  it('scores 1 when equal, 0.5 at the tolerance, 0 beyond', () => {
    expect(dateRangeScore(100, 100, 3)).toBe(1);
    expect(dateRangeScore(100, 103, 3)).toBe(0.5);
    expect(dateRangeScore(100, 104, 3)).toBe(0);
    expect(dateRangeScore(100, 101)).toBe(0);
    expect(dateRangeScore(101, 100, 4)).toBe(dateRangeScore(100, 101, 4));
  });

  it('supports absolute and percentage tolerances', () => {
    expect(numericRangeScore(100, 105, 10)).toBe(0.75);
    expect(numericRangeScore(100, 111, 10)).toBe(0);
    // 10 % of the larger magnitude (110) allows 11
    expect(numericRangeScore(100, 110, 0, 10)).toBeCloseTo(1 - 5 / 11, 12);
    expect(numericRangeScore(100, 112, 0, 10)).toBe(0);
    expect(numericRangeScore(5, 5)).toBe(1);
    expect(numericRangeScore(5, 5.01)).toBe(0);
  });

  it('goes through normalisation in compareValues, and missing values give null', () => {
    const date: FieldMapping = { source: 'd', target: 'd', strategy: 'date_range', weight: 1, options: { toleranceDays: 2 } };
    expect(compareValues(date, '12 Mar 2020', '2020-03-12')).toBe(1);
    expect(compareValues(date, '13/03/2020', '20200312')).toBe(0.75);
    expect(compareValues(date, 'not a date', '2020-03-12')).toBeNull();
    const amount: FieldMapping = { source: 'a', target: 'a', strategy: 'numeric_range', weight: 1, options: { tolerance: 1 } };
    expect(compareValues(amount, '$1,234.00', 1234)).toBe(1);
    expect(compareValues(amount, null, 1234)).toBeNull();
    const exact: FieldMapping = { source: 'x', target: 'x', strategy: 'exact', weight: 1 };
    expect(compareValues(exact, 'ACME  Ltd.', 'acme ltd')).toBe(1);
    expect(compareValues(exact, 'acme', 'acme ltd')).toBe(0);
    expect(compareValues(exact, '', 'acme')).toBeNull();
    expect(compareValues(exact, 42, '42')).toBe(1);
  });
});

describe('date_range and numeric_range with a window of expected differences (source − reference)', () => {
  const NO_PCT = { minPct: Number.NaN, maxPct: Number.NaN };

  it('the window [−t, t] scores exactly like the symmetric tolerance t', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 20 }), (a, b, t) => {
        expect(dateWindowScore(a, b, -t, t)).toBe(dateRangeScore(a, b, t));
        expect(numericWindowScore(a, b, { min: -t, max: t, ...NO_PCT })).toBe(numericRangeScore(a, b, t));
      }),
    );
  });

  it('a posting delay window [0, 5]: later counts, earlier does not; 1 on the same day, 0.5 at 5 days, 0 beyond', () => {
    expect(dateWindowScore(100, 100, 0, 5)).toBe(1);
    expect(dateWindowScore(103, 100, 0, 5)).toBeCloseTo(0.7, 12);
    expect(dateWindowScore(105, 100, 0, 5)).toBe(0.5);
    expect(dateWindowScore(106, 100, 0, 5)).toBe(0);
    expect(dateWindowScore(99, 100, 0, 5)).toBe(0);
    // the symmetric tolerance that covers the same delays scores the day before as well as the day after
    expect(dateRangeScore(99, 100, 5)).toBe(dateRangeScore(101, 100, 5));
  });

  it('a window that does not hold 0 is best at its end nearest 0, and equal values fall outside it', () => {
    expect(windowScore(2, 2, 6)).toBe(1);
    expect(windowScore(4, 2, 6)).toBe(0.75);
    expect(windowScore(6, 2, 6)).toBe(0.5);
    expect(windowScore(0, 2, 6)).toBe(0);
    expect(windowScore(-3, -5, -3)).toBe(1);
    expect(windowScore(-5, -5, -3)).toBe(0.5);
    expect(windowScore(3, 3, 3)).toBe(1);
    expect(windowScore(3.5, 3, 3)).toBe(0);
  });

  it('numbers: a card fee window [0, 3] scores the larger statement amount, not the smaller, despite rounding', () => {
    const fee = { min: 0, max: 3, ...NO_PCT };
    expect(numericWindowScore(101.5, 100, fee)).toBe(0.75);
    expect(numericWindowScore(98.5, 100, fee)).toBe(0);
    expect(numericWindowScore(103, 100, fee)).toBe(0.5);
    // 100.01 − 100 = 0.010000000000005116 in binary floating point: still exactly the expected offset
    expect(numericWindowScore(100.01, 100, { min: 0.01, max: 0.01, ...NO_PCT })).toBe(1);
  });

  it('numbers: with an absolute and a percent window, the more permissive applies on each side', () => {
    const feeOrConversion = { min: 0, max: 3, minPct: -1, maxPct: 1 };
    // 1 % of 1000 is 10: a conversion difference of −8 is in the window through the percent part
    expect(numericWindowScore(992, 1000, feeOrConversion)).toBeCloseTo(1 - (0.5 * 8) / 10, 12);
    // on 50, 1 % is 0.5: a fee of 2.50 is in the window through the absolute part
    expect(numericWindowScore(52.5, 50, feeOrConversion)).toBeCloseTo(1 - (0.5 * 2.5) / 3, 12);
    expect(numericWindowScore(49, 50, feeOrConversion)).toBe(0);
  });

  it('the engine scores with the window and ranks the reference row in the expected direction first', () => {
    const posted: FieldMapping = {
      source: 'posted',
      target: 'entry_date',
      strategy: 'date_range',
      weight: 1,
      options: { minDifferenceDays: 0, maxDifferenceDays: 5 },
    };
    expect(compareValues(posted, '2025-03-12', '2025-03-10')).toBeCloseTo(0.8, 12);
    expect(compareValues(posted, '2025-03-10', '2025-03-12')).toBe(0);
    const debit: FieldMapping = {
      ...posted,
      source: 'debit',
      target: 'amount',
      strategy: 'numeric_range',
      options: { minDifference: 0, maxDifference: 3 },
    };
    expect(compareValues(debit, '$101.50', '100.00')).toBe(0.75);
    expect(compareValues(debit, '98.50', '100.00')).toBe(0);
    // Two ledger entries two days either side of the statement line: a symmetric tolerance cannot tell them apart,
    // the window prefers the entry the line was posted after.
    const reference = [
      { id: 'after', values: { account: 'A', entry_date: '2025-03-14' } },
      { id: 'before', values: { account: 'A', entry_date: '2025-03-10' } },
    ];
    const sameAccount = { keys: [{ parts: [{ source: 'account', target: 'account', transform: 'exact' as const }] }] };
    const row = (mapping: FieldMapping) =>
      matchSlice(buildReferenceIndex(reference, { fieldMappings: [mapping], threshold: 0.5, blocking: sameAccount }), [
        { id: 's', values: { account: 'A', posted: '2025-03-12' } },
      ]).rows[0];
    const symmetric = row({ ...posted, options: { toleranceDays: 5 } });
    expect(symmetric?.candidates.map((c) => c.confidence)).toEqual([0.8, 0.8]);
    const windowed = row(posted);
    expect(windowed?.referenceRowId).toBe('before');
    expect(windowed?.candidates.map((c) => [c.referenceRowId, c.confidence])).toEqual([
      ['before', 0.8],
      ['after', 0],
    ]);
  });
});

describe('codes', () => {
  /** Scores each source text against reference row `target` of `reference`, with the reference's code IDF. */
  function scorer(reference: string[]) {
    const rows = reference.map(codeItems);
    const offsets = Int32Array.from([0, ...rows.map((_, r) => rows.slice(0, r + 1).reduce((n, items) => n + items.length, 0))]);
    const items = new Int32Array(offsets[rows.length] as number);
    rows.forEach((row, r) => items.set(row, offsets[r] as number));
    const weights = codeWeights(items, codesIdf(items, offsets, rows.length, false));
    return (source: string, target: number) => {
      const a = codeItems(source);
      return codesScore(a, 0, a.length, items, weights, offsets[target] as number, offsets[target + 1] as number);
    };
  }
  const reference = [
    'hp 80 c4873a yellow ink cartridge 175 ml',
    'hp 80 c4875a cyan ink cartridge',
    'hp 80 c4872a black ink cartridge',
    'panasonic rp-hx40-a monitors blue',
    'transcend storejet ts500gsj25d2 black',
    'dewalt dcb309 battery',
    'netgear gs108 switch',
    'philips she2675bp/28 headset',
  ];
  const score = scorer(reference);

  it('reads a code whose parts a hyphen, slash or space holds together, and not a hyphenated code by its parts', () => {
    expect(extractCodes('kingston memory ktc d320 1g')).toContain('ktcd3201g');
    expect(extractCodes('KTC-D320/1G')).toContain('ktcd3201g');
    expect(extractCodes('panasonic rp-hx40-pk')).toEqual(['rphx40pk']);
    // Sizes and amounts with units are not codes (the quantities field compares them).
    for (const text of ['case 9.8 x 11.8 x 4.7', '24x36 board', '500gb drive', '12v socket', '100pk'])
      expect(extractCodes(text)).toEqual([]);
  });

  it('scores the same code, one it begins and one without a leading letter group as compatible, by rarity', () => {
    // A code in one of the eight rows: (ln(9 / 2) + 1) / (ln 9 + 1).
    const rare = (Math.log(9 / 2) + 1) / (Math.log(9) + 1);
    expect(score('philips pop color headset | she2675bp/28', 7)).toBeCloseTo(rare, 6);
    expect(score('transcend storejet 500gb white | ts500gsj25d2-w', 4)).toBeCloseTo(rare, 6);
    expect(score('dewalt battery dcb309black', 5)).toBeCloseTo(rare, 6);
    // "hp80" is in three reference rows: shared, but common.
    expect(score('hp 80 ink', 0)).toBeGreaterThanOrEqual(MIN_SHARED_SCORE);
    expect(score('hp 80 ink', 0)).toBeLessThan(score('philips she2675bp/28', 7));
  });

  it("scores a sibling's code 0, also when a more common code is shared, and other codes as unrelated", () => {
    expect(score('panasonic slimz rp-hx40-pk', 3)).toBe(0);
    expect(score('hp 80 c4874a magenta ink cartridge', 0)).toBe(0);
    // "gs108" does not begin "gs108pe100nas" as a variant's suffix would: another model, not a sibling's stem.
    expect(score('netgear switch | gs108pe100nas', 6)).toBe(UNRELATED_SCORE);
    expect(score('mionix naos | 000mio5000m', 3)).toBe(UNRELATED_SCORE);
    expect(score('a mouse', 3)).toBe(-1);
  });
});
