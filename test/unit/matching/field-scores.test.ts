import { describe, expect, it } from 'vitest';
import {
  buildReferenceIndex,
  compareValues,
  fieldScoresAgainst,
  LiveReferenceIndex,
  matchSlice,
  matchSliceCompact,
  roundConfidence,
  TOP_CANDIDATES,
  type EngineRow,
  type MatchConfig,
  type ReferenceIndex,
  type RowChange,
} from '../../../src/matching/index';

// Jaro–Winkler, exact, a date, a field over two columns, and a field of weight 0 (left out of scoring).
const config: MatchConfig = {
  threshold: 0.8,
  fieldMappings: [
    { source: 'name', target: 'name', strategy: 'fuzzy', weight: 0.5, options: { algorithm: 'jaro_winkler' } },
    { source: 'city', target: 'city', strategy: 'exact', weight: 0.2 },
    { source: 'born', target: 'born', strategy: 'date_range', weight: 0.2, options: { toleranceDays: 3 } },
    {
      source: 'address',
      target: 'address',
      strategy: 'fuzzy',
      weight: 0.1,
      options: { algorithm: 'token_set' },
      sourceColumns: ['street', 'town'],
      targetColumns: ['street', 'city'],
    },
    { source: 'note', target: 'note', strategy: 'exact', weight: 0 },
  ],
  blocking: { keys: [{ parts: [{ source: 'name', target: 'name', transform: 'prefix', length: 3 }] }] },
};

const FIRST = ['anna', 'anne', 'annie', 'bertrand', 'bertram', 'celine', 'celia', 'dominik'];
const LAST = ['martin', 'martins', 'bernard', 'dubois', 'thomas'];
const person = (i: number) => ({
  name: `${FIRST[i % FIRST.length]} ${LAST[i % LAST.length]}`,
  city: ['paris', 'lyon', 'lille'][i % 3]!,
  born: `19${50 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`,
  street: `${i % 50} rue ${LAST[(i + 1) % LAST.length]}`,
  note: 'same',
});
const ids = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const reference: EngineRow[] = Array.from({ length: 240 }, (_, i) => ({ id: ids(i), values: person(i) }));
const sources: EngineRow[] = Array.from({ length: 80 }, (_, i) => {
  const { street, city, ...rest } = person(i * 3 + 1);
  return {
    id: `s${i}`,
    values: { ...rest, city: i % 4 ? city : 'nice', town: city, street: i % 5 ? street : '', born: i % 6 ? rest.born : '' },
  };
});

/** Row numbers of an index by reference id (the test's lookup; the engine hands out row numbers itself). */
function rowNumbers(index: ReferenceIndex): Map<string, number> {
  return new Map(Array.from({ length: index.size }, (_, row) => [index.referenceId(row), row]));
}

/** Σ w·s / Σ w over the fields that counted, summed heaviest first as the engine does. */
function weightedConfidence(mappings: MatchConfig['fieldMappings'], scores: Array<number | null>): number {
  const order = mappings.map((_, f) => f).sort((a, b) => mappings[b]!.weight - mappings[a]!.weight || a - b);
  let weighted = 0;
  let present = 0;
  for (const f of order) {
    const score = scores[f];
    if (score === null || score === undefined || !(mappings[f]!.weight > 0)) continue;
    weighted += mappings[f]!.weight * score;
    present += mappings[f]!.weight;
  }
  return roundConfidence(weighted / present);
}

describe('fieldScoresAgainst: per-field scores of given pairs, as the engine scores them', () => {
  it("scores a pair field by field with the fields' comparators; null where a side is missing or the field weighs 0", () => {
    const index = buildReferenceIndex(
      [
        { id: 'r1', values: { name: 'Anna Smith', city: 'Paris', born: '1980-05-01', street: '3 rue Haute', note: 'x' } },
        { id: 'r2', values: { name: 'Anna Smyth', city: 'Lyon', born: '', street: '', note: 'x' } },
      ],
      config,
    );
    const source: EngineRow = { id: 's', values: { name: 'anna smith', city: 'lyon', born: '1980-05-03', town: 'Lyon', note: 'x' } };
    const [r1, r2] = fieldScoresAgainst(index, source, [0, 1]);
    const [name, , born, address] = config.fieldMappings;
    expect(r1).toEqual([
      1,
      0,
      compareValues(born!, '1980-05-03', '1980-05-01'),
      compareValues(address!, 'Lyon', '3 rue Haute Paris'),
      null,
    ]);
    // r2: no birth date on the reference side; its address is its city alone.
    expect(r2).toEqual([compareValues(name!, 'anna smith', 'Anna Smyth'), 1, null, 1, null]);
    expect(r2![0]).toBeGreaterThan(0.9);
    expect(r2![0]).toBeLessThan(1);
    // The row numbers' order is the answer's order.
    expect(fieldScoresAgainst(index, source, [1, 0])).toEqual([r2, r1]);
    expect(fieldScoresAgainst(index, source, [])).toEqual([]);
  });

  it("gives the best candidate matchSlice's evidence scores, in WebAssembly and in JavaScript alike", () => {
    const index = buildReferenceIndex(reference, config);
    let compared = 0;
    for (const options of [{}, { rowScorer: false, rowIngest: false }]) {
      const compact = matchSliceCompact(index, sources, options);
      const { rows } = matchSlice(index, sources, options);
      rows.forEach((row, r) => {
        if (row.candidates.length === 0) return;
        const [best] = fieldScoresAgainst(index, sources[r]!, [compact.topRows[r * TOP_CANDIDATES]!]);
        expect(best, row.sourceRowId).toEqual(row.evidence.map((item) => item.score));
        compared++;
      });
    }
    expect(compared).toBeGreaterThan(150);
  });

  it('gives a candidate that is not the best its own scores: those of matching it alone, averaging to its confidence', () => {
    const index = buildReferenceIndex(reference, config);
    const rowOf = rowNumbers(index);
    const { rows } = matchSlice(index, sources);
    let others = 0;
    rows.forEach((row, r) => {
      const candidates = row.candidates.slice(1);
      const scores = fieldScoresAgainst(
        index,
        sources[r]!,
        candidates.map((candidate) => rowOf.get(candidate.referenceRowId)!),
      );
      candidates.forEach((candidate, k) => {
        const alone = buildReferenceIndex([reference.find((item) => item.id === candidate.referenceRowId)!], config);
        const [match] = matchSlice(alone, [sources[r]!]).rows;
        expect(scores[k]).toEqual(match!.evidence.map((item) => item.score));
        expect(weightedConfidence(config.fieldMappings, scores[k]!)).toBe(candidate.confidence);
        others++;
      });
      // Not the best's scores (the candidates differ in some field, or they would tie and rank by id alone).
      if (candidates.length && candidates[0]!.confidence < row.confidence)
        expect(scores[0]).not.toEqual(row.evidence.map((item) => item.score));
    });
    expect(others).toBeGreaterThan(100);
  });

  it('with a Fellegi–Sunter model: the fields the model uses, as the evidence has them', () => {
    const withModel: MatchConfig = {
      ...config,
      threshold: 0.5,
      model: {
        kind: 'fellegi_sunter',
        prior: 0.01,
        // The address field has no usable entry: the model leaves it out, so it counts as missing.
        fields: [
          { levels: [1, 0.9, 0], logBayesFactors: [5, 2, -3] },
          { levels: [1, 0], logBayesFactors: [2, -1] },
          { levels: [1, 0.5, 0], logBayesFactors: [3, 1, -2] },
          { levels: [], logBayesFactors: [] },
        ],
      },
    };
    const index = buildReferenceIndex(reference, withModel);
    const compact = matchSliceCompact(index, sources);
    const { rows } = matchSlice(index, sources);
    let compared = 0;
    rows.forEach((row, r) => {
      const top = r * TOP_CANDIDATES;
      const scores = fieldScoresAgainst(index, sources[r]!, compact.topRows.subarray(top, top + row.candidates.length));
      if (row.candidates.length === 0) return;
      expect(scores[0]).toEqual(row.evidence.map((item) => item.score));
      for (const candidateScores of scores) expect(candidateScores.slice(3)).toEqual([null, null]);
      compared++;
    });
    expect(compared).toBeGreaterThan(60);
  });
});

describe('LiveReferenceIndex.match with candidateFieldScores', () => {
  it("gives every candidate, from the base or the overlay, the scores a rebuild's index gives it", () => {
    const changes: RowChange[] = [
      // Close to some sources: new rows, and a base row replaced by other values.
      { op: 'upsert', rowId: ids(1000), values: { ...person(4), name: `${person(4).name}e` } },
      { op: 'upsert', rowId: ids(1001), values: person(7) },
      { op: 'upsert', rowId: ids(13), values: { ...person(10), city: 'lille' } },
      { op: 'delete', rowId: ids(16) },
    ];
    const live = LiveReferenceIndex.of(buildReferenceIndex(reference, config)).apply(changes);
    const current = new Map(reference.map((row) => [row.id, row]));
    for (const change of changes) {
      if (change.op === 'delete') current.delete(change.rowId);
      else current.set(change.rowId, { id: change.rowId, values: change.values! });
    }
    const rebuilt = buildReferenceIndex(current.values(), config);
    const rowOf = rowNumbers(rebuilt);
    const { rows } = live.match(sources, { candidateFieldScores: true });
    const upserted = new Set(changes.map((change) => change.rowId));
    let fromOverlay = 0;
    rows.forEach((row, r) => {
      const expected = fieldScoresAgainst(
        rebuilt,
        sources[r]!,
        row.candidates.map((candidate) => rowOf.get(candidate.referenceRowId)!),
      );
      expect(row.candidates.map((candidate) => candidate.fieldScores)).toEqual(expected);
      if (row.candidates.length) expect(row.candidates[0]!.fieldScores).toEqual(row.evidence.map((item) => item.score));
      fromOverlay += row.candidates.filter((candidate) => upserted.has(candidate.referenceRowId)).length;
    });
    expect(fromOverlay).toBeGreaterThan(3);
    // Not asked for: candidates as a run stores them.
    for (const row of live.match(sources).rows) for (const candidate of row.candidates) expect(candidate).not.toHaveProperty('fieldScores');
  });
});
