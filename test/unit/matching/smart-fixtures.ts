// Small seeded datasets for the smart-strategy tests: people with renamed columns, typos and strangers.
import type { EngineRow } from '../../../src/matching/index';
import type { SampledTable } from '../../../src/matching/smart/index';
import { seededRandom } from '../../../src/matching/smart/pairs';
import { scorePredictions } from '../../../bench/engine/quality';

/** The generator's own seeded PRNG (mulberry32), so fixtures and generation draw alike. */
export const mulberry32 = seededRandom;

const GIVEN = [
  'james',
  'mary',
  'robert',
  'patricia',
  'john',
  'jennifer',
  'michael',
  'linda',
  'david',
  'elizabeth',
  'william',
  'barbara',
  'richard',
  'susan',
  'joseph',
  'jessica',
  'thomas',
  'sarah',
  'charles',
  'karen',
  'oliver',
  'amelia',
  'harry',
  'isla',
  'jack',
  'ava',
  'noah',
  'emily',
  'leo',
  'grace',
];
const SURNAMES = [
  'smith',
  'johnson',
  'williams',
  'brown',
  'jones',
  'garcia',
  'miller',
  'davis',
  'rodriguez',
  'martinez',
  'hernandez',
  'lopez',
  'gonzalez',
  'wilson',
  'anderson',
  'thomas',
  'taylor',
  'moore',
  'jackson',
  'martin',
  'lee',
  'perez',
  'thompson',
  'white',
  'harris',
  'sanchez',
  'clark',
  'ramirez',
  'lewis',
  'robinson',
  'walker',
  'young',
  'allen',
  'king',
  'wright',
  'scott',
  'torres',
  'nguyen',
  'hill',
  'flores',
];
const CITIES = [
  'springfield',
  'riverside',
  'franklin',
  'greenville',
  'bristol',
  'clinton',
  'fairview',
  'salem',
  'madison',
  'georgetown',
  'arlington',
  'ashland',
];

export function typo(word: string, random: () => number): string {
  if (word.length < 3) return word;
  const i = 1 + Math.floor(random() * (word.length - 2));
  const kind = Math.floor(random() * 3);
  if (kind === 0) return word.slice(0, i) + word.slice(i + 1); // drop
  if (kind === 1) return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2); // swap
  return word.slice(0, i) + 'x' + word.slice(i + 1); // substitute
}

const pick = <T>(list: T[], random: () => number): T => list[Math.floor(random() * list.length)] as T;
const pad = (n: number) => String(n).padStart(2, '0');

export interface PeopleFixture {
  reference: SampledTable;
  source: SampledTable;
  /** source id → reference id ('' = no counterpart) */
  truth: Map<string, string>;
}

/**
 * Reference: rec_id, given_name, surname, date_of_birth (YYYY-MM-DD), email, city, zip.
 * Source (renamed): src_id, first_name, last_name, dob (DD/MM/YYYY), mail, column_x (the city, under a name
 * that says nothing), postcode. 80 % of source rows are noisy copies, the rest strangers.
 */
export function peopleFixture(size: number, seed: number): PeopleFixture {
  const random = mulberry32(seed);
  const refRows: EngineRow[] = [];
  for (let i = 0; i < size; i++) {
    const given = pick(GIVEN, random);
    const surname = pick(SURNAMES, random);
    const year = 1940 + Math.floor(random() * 60);
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    const city = pick(CITIES, random);
    refRows.push({
      id: `r${i}`,
      values: {
        rec_id: `rec-${1000 + i}-org`,
        given_name: given,
        surname,
        date_of_birth: `${year}-${pad(month)}-${pad(day)}`,
        email: `${given}.${surname}${i}@example.com`,
        city,
        zip: String(10000 + CITIES.indexOf(city) * 37 + Math.floor(random() * 3)),
      },
    });
  }
  const sourceRows: EngineRow[] = [];
  const truth = new Map<string, string>();
  const sourceSize = Math.floor(size * 0.6);
  const order = refRows.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % size) - ((b * 7919 + seed) % size));
  for (let k = 0; k < sourceSize; k++) {
    const id = `s${k}`;
    if (random() < 0.2) {
      // a stranger
      sourceRows.push({
        id,
        values: {
          src_id: `x-${k}`,
          first_name: pick(GIVEN, random),
          last_name: pick(SURNAMES, random),
          dob: `${pad(1 + Math.floor(random() * 28))}/${pad(1 + Math.floor(random() * 12))}/${1940 + Math.floor(random() * 60)}`,
          mail: '',
          column_x: pick(CITIES, random),
          postcode: String(10000 + Math.floor(random() * 400)),
        },
      });
      truth.set(id, '');
      continue;
    }
    const r = refRows[order[k] as number] as EngineRow;
    const v = r.values as Record<string, string>;
    const [y, m, d] = (v.date_of_birth as string).split('-');
    const noisy = (w: string) => (random() < 0.2 ? typo(w, random) : w);
    sourceRows.push({
      id,
      values: {
        src_id: `rec-${1000 + (order[k] as number)}-dup-0`,
        first_name: random() < 0.05 ? '' : noisy(v.given_name as string).toUpperCase(),
        last_name: noisy(v.surname as string),
        dob: random() < 0.1 ? `${pad(Number(d) === 28 ? 27 : Number(d) + 1)}/${m}/${y}` : `${d}/${m}/${y}`,
        mail: random() < 0.3 ? '' : (v.email as string),
        column_x: noisy(v.city as string),
        postcode: v.zip as string,
      },
    });
    truth.set(id, r.id);
  }
  const columns = (names: string[]) => names.map((name) => ({ name, type: 'string' as const }));
  return {
    reference: { columns: columns(['rec_id', 'given_name', 'surname', 'date_of_birth', 'email', 'city', 'zip']), rows: refRows },
    source: { columns: columns(['src_id', 'first_name', 'last_name', 'dob', 'mail', 'column_x', 'postcode']), rows: sourceRows },
    truth,
  };
}

/** F1 of predicted links against the truth ('' = no match), scored as the quality bench scores it. */
export function f1(predictions: Array<[string, string | null]>, truth: Map<string, string>): number {
  return scorePredictions(predictions, truth).f1;
}
