import { describe, expect, it } from 'vitest';
import {
  buildReferenceIndex,
  LiveReferenceIndex,
  matchSlice,
  type EngineRow,
  type MatchConfig,
  type RowChange,
} from '../../../src/matching/index';

const config: MatchConfig = {
  threshold: 0.75,
  fieldMappings: [
    { source: 'name', target: 'name', strategy: 'fuzzy', weight: 0.6, options: { algorithm: 'jaro_winkler' } },
    { source: 'city', target: 'city', strategy: 'exact', weight: 0.2 },
    { source: 'born', target: 'born', strategy: 'date_range', weight: 0.2, options: { toleranceDays: 3 } },
  ],
  blocking: {
    keys: [
      { parts: [{ source: 'name', target: 'name', transform: 'prefix', length: 3 }] },
      { parts: [{ source: 'born', target: 'born', transform: 'exact' }] },
    ],
  },
};

const FIRST = ['anna', 'bertrand', 'celine', 'dominik', 'elodie', 'fabien', 'gaston', 'helene'];
const person = (i: number, salt = '') => ({
  name: `${FIRST[i % FIRST.length]} ${['martin', 'bernard', 'dubois', 'thomas', 'robert'][i % 5]}${salt} ${i % 37}`,
  city: ['paris', 'lyon', 'lille'][i % 3]!,
  born: `19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
});

const ids = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const base: EngineRow[] = Array.from({ length: 300 }, (_, i) => ({ id: ids(i), values: person(i) }));
const sources: EngineRow[] = Array.from({ length: 120 }, (_, i) => ({
  id: `s${i}`,
  values: { ...person(i * 3 + 1, i % 4 === 0 ? 'x' : ''), city: i % 5 ? person(i * 3 + 1).city : 'nice' },
}));

/** The current rows after the changes, as a rebuild would index them (upserted new rows at the end). */
function applyToRows(rows: EngineRow[], changes: RowChange[]): EngineRow[] {
  const current = new Map(rows.map((row) => [row.id, row]));
  for (const change of changes) {
    if (change.op === 'delete') current.delete(change.rowId);
    else current.set(change.rowId, { id: change.rowId, values: change.values! });
  }
  return [...current.values()];
}

describe('LiveReferenceIndex: tombstones and an overlay over an immutable base', () => {
  it('matches as a rebuild over the changed rows does, batch after batch', () => {
    let rows = base;
    let live = LiveReferenceIndex.of(buildReferenceIndex(base, config));
    const batches: RowChange[][] = [
      // new rows close to some sources, a changed row, a deleted row
      [
        { op: 'upsert', rowId: ids(1000), values: person(4) },
        { op: 'upsert', rowId: ids(1001), values: person(7, 'x') },
        { op: 'upsert', rowId: ids(10), values: person(61) },
        { op: 'delete', rowId: ids(4) },
      ],
      // a row of the overlay changed again and one deleted; base rows deleted in numbers
      [
        { op: 'upsert', rowId: ids(1000), values: person(13) },
        { op: 'delete', rowId: ids(1001) },
        ...Array.from({ length: 40 }, (_, i) => ({ op: 'delete' as const, rowId: ids(100 + i) })),
      ],
      // a deleted base row comes back with other values
      [{ op: 'upsert', rowId: ids(4), values: person(25, 'x') }],
    ];
    for (const changes of batches) {
      live = live.apply(changes);
      rows = applyToRows(rows, changes);
      const rebuilt = matchSlice(buildReferenceIndex(rows, config), sources).rows;
      expect(live.match(sources).rows).toEqual(rebuilt);
    }
    expect(live.overlaySize).toBe(3); // ids 1000, 10 and 4
  });

  it('is immutable: applying changes leaves the earlier index as it was', () => {
    const first = LiveReferenceIndex.of(buildReferenceIndex(base, config));
    const before = first.match(sources).rows;
    const second = first.apply([
      { op: 'delete', rowId: ids(1) },
      { op: 'upsert', rowId: ids(2000), values: person(1) },
    ]);
    expect(first.match(sources).rows).toEqual(before);
    expect(second.match(sources).rows).not.toEqual(before);
  });

  it('does not follow changes of a config with a corpus-dependent comparator (tfidf_cosine): those rebuild', () => {
    const tfidf: MatchConfig = {
      threshold: 0.5,
      fieldMappings: [{ source: 'name', target: 'name', strategy: 'fuzzy', weight: 1, options: { algorithm: 'tfidf_cosine' } }],
    };
    expect(LiveReferenceIndex.followsChanges(buildReferenceIndex(base, tfidf))).toBe(false);
    expect(LiveReferenceIndex.followsChanges(buildReferenceIndex(base, config))).toBe(true);
  });
});
