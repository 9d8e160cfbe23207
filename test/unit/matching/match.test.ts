import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ReferenceIndex } from '../../../src/matching/index-build';
import type { ReferenceIndexData } from '../../../src/matching/index-data';
import {
  buildReferenceIndex,
  compareValues,
  matchParallel,
  matchSlice,
  mergeSliceResults,
  type EngineRow,
  type MatchConfig,
} from '../../../src/matching/index';
import { expandSliceResult, matchSliceCompact, roundConfidence } from '../../../src/matching/match';

const config: MatchConfig = {
  threshold: 0.8,
  fieldMappings: [
    { source: 'full_name', target: 'name', strategy: 'fuzzy', weight: 0.6 },
    { source: 'born', target: 'dob', strategy: 'date_range', weight: 0.4, options: { toleranceDays: 2 } },
  ],
  blocking: { keys: [{ parts: [{ source: 'full_name', target: 'name', transform: 'phonetic' }] }] },
};

/** `data` as a worker thread receives it (structured clone; shared memory stays shared). */
async function postedToAnotherThread(data: ReferenceIndexData): Promise<ReferenceIndexData> {
  const { port1, port2 } = new MessageChannel();
  const received = await new Promise<ReferenceIndexData>((resolve) => {
    port2.once('message', resolve);
    port1.postMessage(data);
  });
  port1.close();
  return received;
}

describe('matchSlice', () => {
  it('scores with Σ w·s / Σ w over the fields present on both sides and reports evidence', () => {
    const index = buildReferenceIndex([{ id: 'r1', values: { name: 'John Smith', dob: '1980-05-01' } }], config);
    const [full, missingDate] = matchSlice(index, [
      { id: 's1', values: { full_name: 'john smith', born: '01/05/1980' } },
      { id: 's2', values: { full_name: 'john smith', born: '' } },
    ]).rows;
    expect(full?.confidence).toBe(1);
    expect(full?.evidence).toEqual([
      { source: 'full_name', target: 'name', strategy: 'fuzzy', score: 1, sourceValue: 'john smith', referenceValue: 'John Smith' },
      { source: 'born', target: 'dob', strategy: 'date_range', score: 1, sourceValue: '01/05/1980', referenceValue: '1980-05-01' },
    ]);
    // the date is missing: it neither helps nor hurts, the name alone decides (0.6·1 / 0.6)
    expect(missingDate?.confidence).toBe(1);
    expect(missingDate?.evidence[1]?.score).toBeNull();
  });

  it('weights present fields: a wrong date lowers the confidence by its weight', () => {
    const index = buildReferenceIndex([{ id: 'r1', values: { name: 'John Smith', dob: '1980-05-01' } }], config);
    const row = matchSlice(index, [{ id: 's', values: { full_name: 'John Smith', born: '1990-01-01' } }]).rows[0];
    expect(row?.confidence).toBeCloseTo(0.6, 12);
    expect(row?.referenceRowId).toBeNull(); // below the threshold, but confidence and candidates are reported
    expect(row?.candidates).toEqual([{ referenceRowId: 'r1', confidence: row?.confidence }]);
  });

  it('rows without any comparable value get no candidate and confidence 0', () => {
    const index = buildReferenceIndex([{ id: 'r1', values: { name: 'John Smith', dob: '1980-05-01' } }], config);
    const result = matchSlice(index, [
      { id: 's', values: { full_name: '', born: null } },
      { id: 't', values: {} },
    ]);
    for (const row of result.rows)
      expect(row).toEqual({ sourceRowId: row.sourceRowId, referenceRowId: null, confidence: 0, evidence: [], candidates: [] });
    expect(result.stats).toEqual({ rowsProcessed: 2, rowsMatched: 0, confidenceSum: 0, pairsCompared: 0 });
  });

  it('breaks ties by reference id compared as strings, and keeps the top 5', () => {
    const reference = ['9', '10', 'b', 'a', '11', '2', 'c'].map((id) => ({ id, values: { name: 'Ann Lee', dob: '2000-01-01' } }));
    const row = matchSlice(buildReferenceIndex(reference, config), [{ id: 's', values: { full_name: 'ann lee', born: '2000-01-01' } }])
      .rows[0];
    expect(row?.candidates.map((c) => c.referenceRowId)).toEqual(['10', '11', '2', '9', 'a']);
    expect(row?.referenceRowId).toBe('10');
  });

  it('orders candidates by confidence', () => {
    const reference = [
      { id: 'a', values: { name: 'Jon Smith', dob: '1980-05-01' } },
      { id: 'b', values: { name: 'John Smith', dob: '1980-05-02' } },
      { id: 'c', values: { name: 'John Smith', dob: '1980-05-01' } },
    ];
    const row = matchSlice(buildReferenceIndex(reference, config), [{ id: 's', values: { full_name: 'John Smith', born: '1980-05-01' } }])
      .rows[0];
    // c: all equal (1); a: name JW 0.97, date equal (0.6·0.97 + 0.4 ≈ 0.98); b: name equal, date 1 day off of 2
    // (0.6 + 0.4·0.75 = 0.9)
    expect(row?.candidates.map((c) => c.referenceRowId)).toEqual(['c', 'a', 'b']);
    expect(row?.candidates[2]?.confidence).toBeCloseTo(0.9, 12);
    const scores = row?.candidates.map((c) => c.confidence) ?? [];
    expect([...scores].sort((x, y) => y - x)).toEqual(scores);
  });

  it('returns exactly the brute-force top 5 (pruning never changes the result)', () => {
    const names = [
      'john smith',
      'jon smith',
      'john smyth',
      'joan smith',
      'john smithe',
      'jo smith',
      'john s',
      'smith john',
      'johnny smith',
      'john smit',
    ];
    const reference: EngineRow[] = names.flatMap((name, i) => [
      { id: `a${i}`, values: { name, dob: '1980-05-01' } },
      { id: `b${i}`, values: { name, dob: '1980-05-03' } },
      { id: `c${i}`, values: { name, dob: '' } },
    ]);
    const source = { id: 's', values: { full_name: 'John Smith', born: '1980-05-02' } };
    const row = matchSlice(
      buildReferenceIndex(reference, {
        ...config,
        blocking: { keys: [{ parts: [{ source: 'full_name', target: 'name', transform: 'prefix', length: 1 }] }] },
      }),
      [source],
    ).rows[0];
    const brute = reference
      .map((ref) => {
        const scores = config.fieldMappings.map(
          (m) => [m.weight, compareValues(m, source.values[m.source as 'full_name'], ref.values[m.target])] as const,
        );
        const present = scores.filter(([, s]) => s !== null) as Array<readonly [number, number]>;
        const confidence = present.reduce((sum, [w, s]) => sum + w * s, 0) / present.reduce((sum, [w]) => sum + w, 0);
        return { referenceRowId: ref.id, confidence };
      })
      .sort((x, y) => y.confidence - x.confidence || (x.referenceRowId < y.referenceRowId ? -1 : 1))
      .slice(0, 5);
    expect(row?.candidates.map((c) => c.referenceRowId)).toEqual(brute.map((c) => c.referenceRowId));
    row?.candidates.forEach((c, i) => expect(c.confidence).toBe(roundConfidence(brute[i]?.confidence ?? -1)));
  });

  it('gives the same per-row results whatever the slicing (slice independence)', () => {
    const reference: EngineRow[] = [];
    const first = ['john', 'jane', 'joan', 'jon', 'mary', 'marie', 'mark', 'anne', 'ann', 'smith', 'smyth'];
    for (let i = 0; i < 200; i++) {
      reference.push({
        id: `r${i}`,
        values: {
          name: `${first[i % first.length]} ${first[(i * 7) % first.length]}`,
          dob: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
        },
      });
    }
    const source: EngineRow[] = reference.slice(0, 60).map((r, i) => ({
      id: `s${i}`,
      values: { full_name: String(r.values['name']).replace(/o/g, 'oo'), born: i % 5 === 0 ? null : r.values['dob'] },
    }));
    const index = buildReferenceIndex(reference, config);
    const whole = matchSlice(index, source);
    const parts = mergeSliceResults([
      matchSlice(index, source.slice(0, 17)),
      matchSlice(index, source.slice(17, 40)),
      matchSlice(index, source.slice(40)),
    ]);
    expect(parts.rows).toEqual(whole.rows);
    expect(parts.stats.pairsCompared).toBe(whole.stats.pairsCompared);
    expect(parts.stats.rowsMatched).toBe(whole.stats.rowsMatched);
    expect(parts.stats.confidenceSum).toBeCloseTo(whole.stats.confidenceSum, 9);
    // a separately built index of the same rows gives the same answers too
    expect(matchSlice(buildReferenceIndex(reference, config), source.slice(17, 40)).rows).toEqual(whole.rows.slice(17, 40));
  });

  it('does not crash on odd values and reports an index size', () => {
    const reference: EngineRow[] = [
      { id: 'r1', values: { name: 12345, dob: 20200101 } },
      { id: 'r2', values: { name: null, dob: { not: 'a date' } } },
      { id: 'r3', values: { name: ['a', 'list'], dob: true } },
      { id: 'r4', values: {} },
    ];
    const index = buildReferenceIndex(reference, config);
    expect(index.size).toBe(4);
    expect(index.estimatedBytes).toBeGreaterThan(0);
    const result = matchSlice(index, [
      { id: 's1', values: { full_name: '12345', born: '2020-01-01' } },
      { id: 's2', values: { full_name: { x: 1 }, born: Number.NaN } },
      { id: 's3', values: { full_name: 'a list' } },
    ]);
    expect(result.rows.map((r) => r.referenceRowId)).toEqual(['r1', null, 'r3']);
  });

  it('gives the same results on worker threads as inline', async () => {
    const reference: EngineRow[] = Array.from({ length: 300 }, (_, i) => ({
      id: `r${i}`,
      values: { name: `name${i % 37} surname${i % 11}`, dob: `2000-01-${String(1 + (i % 28)).padStart(2, '0')}` },
    }));
    const source: EngineRow[] = reference
      .slice(0, 80)
      .map((r, i) => ({ id: `s${i}`, values: { full_name: r.values['name'], born: r.values['dob'] } }));
    const index = buildReferenceIndex(reference, config, { shared: true });
    const parallel = await matchParallel(index, source, { threads: 2, minRowsPerThread: 1, sliceSize: 25 });
    expect(parallel.rows).toEqual(matchSlice(index, source).rows);
  }, 60_000);

  it('scores rows in WebAssembly on worker threads too, with the same results as the JavaScript loop inline', async () => {
    const jaroWinklerOnly: MatchConfig = {
      threshold: 0.8,
      fieldMappings: [
        { source: 'full_name', target: 'name', strategy: 'fuzzy', weight: 0.7 },
        { source: 'born', target: 'dob', strategy: 'exact', weight: 0.3 },
      ],
      blocking: { keys: [{ parts: [{ source: 'full_name', target: 'name', transform: 'phonetic' }] }] },
    };
    const reference: EngineRow[] = Array.from({ length: 300 }, (_, i) => ({
      id: `r${i}`,
      values: { name: `name${i % 37} surname${i % 11}`, dob: `2000-01-${String(1 + (i % 28)).padStart(2, '0')}` },
    }));
    const source: EngineRow[] = reference
      .slice(0, 80)
      .map((r, i) => ({ id: `s${i}`, values: { full_name: `${r.values['name']}x`, born: r.values['dob'] } }));
    const index = buildReferenceIndex(reference, jaroWinklerOnly, { shared: true });
    // What a worker receives can score rows: the pool's offsets travel in the kernel memory.
    const received = await postedToAnotherThread(index.data);
    expect(received.texts.offsetsInMemory).toBe(true);
    expect(ReferenceIndex.fromData(received).rowScorer()).not.toBeNull();
    const parallel = await matchParallel(index, source, { threads: 2, minRowsPerThread: 1, sliceSize: 25 });
    const inline = matchSliceCompact(index, source, { rowScorer: false });
    expect(parallel.rows).toEqual(expandSliceResult(index, source, inline).rows);
  }, 60_000);

  it('a posted index keeps its texts in the kernel memory, so Jaro–Winkler runs in WebAssembly on every thread', async () => {
    const reference: EngineRow[] = [
      { id: 'r1', values: { name: 'martha jones' } },
      { id: 'r2', values: { name: 'a much longer name than sixty-four code units, which the JavaScript kernel scores' } },
    ];
    const index = buildReferenceIndex(reference, config, { shared: true });
    const received = await postedToAnotherThread(index.data);
    expect(received.texts.memory).toBeInstanceOf(WebAssembly.Memory);
    const copy = ReferenceIndex.fromData(received);
    const [name] = copy.fields;
    const prepared = name!.prepare('marhta jones');
    expect(prepared?.inKernel).toBe(true);
    expect(name!.score(prepared!, 0)).toBe(compareValues(config.fieldMappings[0]!, 'marhta jones', 'martha jones'));
    expect(name!.score(prepared!, 1)).toBe(
      compareValues(
        config.fieldMappings[0]!,
        'marhta jones',
        'a much longer name than sixty-four code units, which the JavaScript kernel scores',
      ),
    );
  });
});
