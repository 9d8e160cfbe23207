import { describe, expect, it } from 'vitest';
import { chooseComparator } from '../../../src/matching/smart/comparator-choice';
import { detectKind } from '../../../src/matching/smart/kinds';
import { identifierLike } from '../../../src/matching/smart/mappings';
import { profileColumn } from '../../../src/matching/smart/profile';

function kindOf(name: string, values: string[]): string {
  const rows = values.map((v, i) => ({ id: String(i), values: { [name]: v } }));
  return detectKind(profileColumn({ name, type: 'string' }, rows).profile, name, name);
}

const many = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

describe('kind detection (value shapes, then names)', () => {
  it('recognises emails, phones, dates, years, prices and codes by their values', () => {
    expect(
      kindOf(
        'contact',
        many(200, (i) => `user${i}@example.org`),
      ),
    ).toBe('email');
    expect(
      kindOf(
        'c1',
        many(200, (i) => `(555) ${100 + (i % 900)}-${String(1000 + i * 7).slice(-4)}`),
      ),
    ).toBe('phone');
    expect(
      kindOf(
        'c2',
        many(200, (i) => `19${50 + (i % 40)}${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`),
      ),
    ).toBe('date');
    expect(
      kindOf(
        'year',
        many(200, (i) => String(1990 + (i % 30))),
      ),
    ).toBe('year');
    expect(
      kindOf(
        'c3',
        many(200, (i) => `$${(i * 13.37 + 5).toFixed(2)}`),
      ),
    ).toBe('price');
    expect(
      kindOf(
        'ref',
        many(200, (i) => String(4000000 + i * 7919)),
      ),
    ).toBe('identifier');
    expect(
      kindOf(
        'c4',
        many(200, (i) => String(30000 + (i % 150))),
      ),
    ).toBe('code');
    expect(
      kindOf(
        'c5',
        many(200, (i) => ['nsw', 'vic', 'qld', 'wa'][i % 4]!),
      ),
    ).toBe('category');
  });

  it('recognises names, titles, long text and author lists', () => {
    const names = ['smith', 'jones', 'taylor', 'brown', 'wilson', 'evans', 'thomas', 'roberts', 'johnson', 'walker'];
    expect(
      kindOf(
        'last_name',
        many(200, (i) => `${names[i % 10]}${i % 7 === 0 ? 'son' : ''}${i}`.replace(/\d+/, '')),
      ),
    ).toBe('person_name');
    const words = ['fast', 'join', 'query', 'index', 'graph', 'stream', 'data', 'learning', 'adaptive', 'scalable', 'robust', 'mining'];
    expect(
      kindOf(
        'title',
        many(200, (i) => `${words[i % 12]} ${words[(i * 5) % 12]} for ${words[(i * 7) % 12]} ${words[(i * 3) % 12]}`),
      ),
    ).toBe('title');
    expect(
      kindOf(
        'notes',
        many(200, (i) => Array.from({ length: 20 }, (_, k) => words[(i + k * 5) % 12]).join(' ')),
      ),
    ).toBe('free_text');
    expect(
      kindOf(
        'authors',
        many(200, (i) => `J ${names[i % 10]}, K ${names[(i + 3) % 10]}, L ${names[(i + 5) % 10]}`),
      ),
    ).toBe('authors');
  });

  it('row ids are identifier-like, amounts are not', () => {
    const profile = (values: string[]) =>
      profileColumn(
        { name: 'c', type: 'string' },
        values.map((v, i) => ({ id: String(i), values: { c: v } })),
      ).profile;
    expect(identifierLike(profile(many(200, (i) => `rec-${i}-org`)))).toBe(true);
    expect(identifierLike(profile(many(200, (i) => `${(i * 13.37 + 5).toFixed(2)}`)))).toBe(false);
    expect(identifierLike(profile(many(200, (i) => ['a', 'b'][i % 2]!)))).toBe(false);
  });
});

describe('comparator choice per kind', () => {
  it('picks the comparator and levels the kind calls for', () => {
    expect(chooseComparator('person_name')).toMatchObject({ strategy: 'fuzzy', options: { algorithm: 'jaro_winkler' } });
    expect(chooseComparator('person_name').blocking.map((b) => b.transform)).toContain('phonetic');
    expect(chooseComparator('free_text')).toMatchObject({ strategy: 'fuzzy', options: { algorithm: 'tfidf_cosine' } });
    expect(chooseComparator('title')).toMatchObject({ strategy: 'fuzzy', options: { algorithm: 'token_set' } });
    expect(chooseComparator('authors')).toMatchObject({ strategy: 'fuzzy', options: { algorithm: 'token_set' } });
    expect(chooseComparator('identifier')).toMatchObject({ strategy: 'fuzzy', options: { algorithm: 'levenshtein' } });
    expect(chooseComparator('category')).toMatchObject({ strategy: 'exact', levels: [1, 0] });
    expect(chooseComparator('date')).toMatchObject({ strategy: 'date_range', options: { toleranceDays: 30 } });
    expect(chooseComparator('date', { toleranceDays: 3 }).options?.toleranceDays).toBe(3);
    expect(chooseComparator('price')).toMatchObject({ strategy: 'numeric_range', options: { tolerancePct: 10 } });
    expect(chooseComparator('year')).toMatchObject({ strategy: 'numeric_range', options: { tolerance: 1 } });
    expect(chooseComparator('person_name', { exact: true }).strategy).toBe('exact');
    for (const kind of ['person_name', 'title', 'free_text', 'code', 'date', 'price', 'email', 'phone'] as const) {
      const levels = chooseComparator(kind).levels;
      expect([...levels].sort((a, b) => b - a)).toEqual(levels);
      expect(levels.at(-1)).toBe(0);
    }
  });

  it('offers dates a nearby blocking key as wide as the learnt window, never wider than a config may state', () => {
    const nearby = (window?: { min: number; max: number }) =>
      chooseComparator('date', window ? { window } : {}).blocking.filter((b) => b.transform === 'nearby');
    expect(nearby()).toEqual([{ transform: 'nearby' }]);
    expect(nearby({ min: 0, max: 5 })).toEqual([{ transform: 'nearby', length: 5 }]);
    expect(nearby({ min: -7.5, max: 2 })).toEqual([{ transform: 'nearby', length: 8 }]);
    expect(nearby({ min: 0, max: 100 })).toEqual([{ transform: 'nearby', length: 100 }]);
    // a window of a year: no key of that width (a config's length is at most 100)
    expect(nearby({ min: 0, max: 365 })).toEqual([]);
  });
});
