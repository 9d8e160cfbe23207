// Seeded generator of person records for the scale benchmark: a reference set of distinct people and a source
// set of noisy copies (plus people who are not in the reference). Noise mimics data entry: keyboard typos,
// transpositions, dropped letters, nicknames, abbreviations ("street" → "st"), reordered tokens, swapped name
// fields, missing values. Values never contain commas (the bench's CSV has no quoting).
import { createWriteStream } from 'node:fs';
import { seededRandom } from '../../src/matching/smart/pairs';
import { Random } from '../quality/random';
import { KEYBOARD_NEIGHBOURS } from '../quality/noise';

/** Seeded PRNG (mulberry32, shared with the quality datasets and strategy generation). */
export const rng = seededRandom;

const NICKNAMES: Record<string, string[]> = {
  william: ['bill', 'will', 'billy'],
  robert: ['bob', 'rob', 'bobby'],
  richard: ['dick', 'rick', 'rich'],
  james: ['jim', 'jimmy'],
  john: ['jack', 'johnny'],
  michael: ['mike', 'mick'],
  elizabeth: ['liz', 'beth', 'lizzie'],
  margaret: ['maggie', 'peggy', 'meg'],
  katherine: ['kate', 'kathy', 'kat'],
  catherine: ['cathy', 'cate'],
  thomas: ['tom', 'tommy'],
  joseph: ['joe', 'joey'],
  charles: ['charlie', 'chuck'],
  christopher: ['chris'],
  daniel: ['dan', 'danny'],
  matthew: ['matt'],
  anthony: ['tony'],
  edward: ['ed', 'ted', 'eddie'],
  jennifer: ['jen', 'jenny'],
  patricia: ['pat', 'patty', 'trish'],
  susan: ['sue', 'susie'],
  deborah: ['deb', 'debbie'],
  rebecca: ['becky', 'becca'],
  alexander: ['alex', 'sandy'],
  benjamin: ['ben', 'benny'],
  samuel: ['sam'],
  nicholas: ['nick'],
  jonathan: ['jon'],
  stephen: ['steve'],
  steven: ['steve'],
  andrew: ['andy', 'drew'],
  victoria: ['vicky', 'tori'],
  jessica: ['jess'],
  samantha: ['sam'],
  alexandra: ['alex', 'lexi'],
  gregory: ['greg'],
  timothy: ['tim'],
  kenneth: ['ken', 'kenny'],
  ronald: ['ron', 'ronnie'],
  donald: ['don'],
  dorothy: ['dot', 'dottie'],
  frances: ['fran'],
  francis: ['frank'],
  lawrence: ['larry'],
  gerald: ['gerry'],
  abigail: ['abby'],
  jacqueline: ['jackie'],
  theodore: ['ted', 'theo'],
  zachary: ['zach'],
  nathaniel: ['nate'],
};
const GIVEN = [
  ...Object.keys(NICKNAMES),
  'mary',
  'linda',
  'barbara',
  'sarah',
  'karen',
  'nancy',
  'lisa',
  'betty',
  'sandra',
  'ashley',
  'emily',
  'donna',
  'michelle',
  'carol',
  'amanda',
  'melissa',
  'stephanie',
  'laura',
  'sharon',
  'cynthia',
  'kathleen',
  'amy',
  'angela',
  'shirley',
  'anna',
  'brenda',
  'pamela',
  'emma',
  'nicole',
  'helen',
  'olivia',
  'chloe',
  'isabella',
  'sophie',
  'grace',
  'ruby',
  'lily',
  'mia',
  'ava',
  'ella',
  'zoe',
  'hannah',
  'lucy',
  'harriet',
  'georgia',
  'eleanor',
  'florence',
  'paul',
  'mark',
  'george',
  'kevin',
  'brian',
  'jason',
  'ryan',
  'gary',
  'eric',
  'jacob',
  'larry',
  'frank',
  'scott',
  'justin',
  'brandon',
  'raymond',
  'jack',
  'oliver',
  'harry',
  'noah',
  'leo',
  'oscar',
  'archie',
  'henry',
  'lucas',
  'ethan',
  'isaac',
  'liam',
  'mason',
  'logan',
  'aiden',
  'caleb',
  'owen',
  'luke',
  'dylan',
  'connor',
  'hugo',
  'felix',
  'mohammed',
  'ahmed',
  'fatima',
  'aisha',
  'omar',
  'ali',
  'yusuf',
  'priya',
  'rahul',
  'arjun',
  'wei',
  'li',
  'chen',
  'hiroshi',
  'yuki',
  'sven',
  'ingrid',
  'lars',
  'pierre',
  'marie',
  'jean',
  'luca',
  'giulia',
  'marco',
  'sofia',
];
const SURNAMES = [
  'smith',
  'jones',
  'williams',
  'brown',
  'taylor',
  'davies',
  'wilson',
  'evans',
  'thomas',
  'johnson',
  'roberts',
  'walker',
  'wright',
  'robinson',
  'thompson',
  'white',
  'hughes',
  'edwards',
  'green',
  'hall',
  'wood',
  'harris',
  'lewis',
  'martin',
  'jackson',
  'clarke',
  'clark',
  'turner',
  'hill',
  'scott',
  'cooper',
  'morris',
  'ward',
  'moore',
  'king',
  'watson',
  'baker',
  'harrison',
  'morgan',
  'patel',
  'young',
  'allen',
  'mitchell',
  'james',
  'anderson',
  'phillips',
  'lee',
  'bell',
  'parker',
  'davis',
  'miller',
  'garcia',
  'rodriguez',
  'martinez',
  'hernandez',
  'lopez',
  'gonzalez',
  'perez',
  'sanchez',
  'ramirez',
  'nguyen',
  'tran',
  'kim',
  'park',
  'wang',
  'zhang',
  'liu',
  'singh',
  'kumar',
  'shah',
  'khan',
  'ali',
  'hussain',
  'murphy',
  'kelly',
  'obrien',
  'ryan',
  'byrne',
  'mueller',
  'schmidt',
  'schneider',
  'fischer',
  'weber',
  'meyer',
  'wagner',
  'becker',
  'schulz',
  'hoffmann',
  'rossi',
  'russo',
  'ferrari',
  'esposito',
  'bianchi',
  'romano',
  'colombo',
  'ricci',
  'dubois',
  'durand',
  'lefebvre',
  'moreau',
  'laurent',
  'nielsen',
  'jensen',
  'hansen',
  'andersen',
  'larsen',
  'johansson',
  'karlsson',
  'nilsson',
  'kowalski',
  'nowak',
  'novak',
  'horvat',
  'ivanov',
  'petrov',
  'sato',
  'suzuki',
  'takahashi',
  'tanaka',
  'watanabe',
  'yamamoto',
];
const SYLLABLES = [
  'ab',
  'al',
  'an',
  'ar',
  'ba',
  'be',
  'bo',
  'bur',
  'ca',
  'cal',
  'ch',
  'da',
  'del',
  'den',
  'do',
  'el',
  'en',
  'er',
  'fa',
  'fer',
  'fi',
  'ford',
  'ga',
  'gar',
  'ge',
  'gi',
  'ha',
  'ham',
  'har',
  'hen',
  'ing',
  'is',
  'ja',
  'ka',
  'ker',
  'la',
  'lan',
  'ley',
  'li',
  'lo',
  'ma',
  'man',
  'mar',
  'mer',
  'mi',
  'mo',
  'na',
  'ne',
  'ni',
  'no',
  'or',
  'pa',
  'per',
  'ra',
  're',
  'ri',
  'ro',
  'sa',
  'se',
  'son',
  'st',
  'ta',
  'ter',
  'ti',
  'ton',
  'tr',
  'va',
  've',
  'vi',
  'wa',
  'well',
  'win',
  'wor',
  'ya',
  'za',
  'zel',
];
const STREETS = [
  'high',
  'station',
  'main',
  'park',
  'church',
  'victoria',
  'green',
  'manor',
  'kings',
  'queens',
  'new',
  'mill',
  'school',
  'north',
  'south',
  'west',
  'east',
  'london',
  'york',
  'chester',
  'oak',
  'elm',
  'maple',
  'cedar',
  'pine',
  'willow',
  'ash',
  'birch',
  'lake',
  'river',
  'hill',
  'forest',
  'meadow',
  'spring',
  'sunset',
  'highland',
  'bridge',
  'castle',
  'abbey',
  'albert',
  'george',
  'alexandra',
  'windsor',
  'grange',
  'beech',
  'orchard',
  'farm',
  'market',
];
const STREET_TYPES: Array<[string, string]> = [
  ['street', 'st'],
  ['road', 'rd'],
  ['avenue', 'ave'],
  ['lane', 'ln'],
  ['drive', 'dr'],
  ['close', 'cl'],
  ['crescent', 'cres'],
  ['place', 'pl'],
  ['court', 'ct'],
  ['terrace', 'tce'],
  ['way', 'wy'],
  ['grove', 'gr'],
];

export interface Person {
  given_name: string;
  surname: string;
  dob: string;
  address: string;
  city: string;
  postcode: string;
}

export const COLUMNS: Array<keyof Person> = ['given_name', 'surname', 'dob', 'address', 'city', 'postcode'];

class PersonGenerator extends Random {
  private readonly cities: Array<{ name: string; postcodes: string[] }>;
  private readonly surnamePool: string[];

  constructor(seed: number) {
    super(seed);
    // Invented surnames and towns give the long tail of real data (a million people do not share 130 surnames).
    this.surnamePool = [...SURNAMES];
    for (let i = 0; i < 20000; i++) this.surnamePool.push(this.word(2 + this.int(2)));
    this.cities = [];
    for (let i = 0; i < 2000; i++) {
      const postcodes: string[] = [];
      const base = 1000 + this.int(8900);
      for (let k = 0; k < 1 + this.int(4); k++) postcodes.push(String(base + k));
      this.cities.push({
        name: this.word(2 + this.int(2)) + (this.next() < 0.2 ? ` ${this.pick(['north', 'east', 'heights', 'park', 'vale'])}` : ''),
        postcodes,
      });
    }
  }

  word(syllables: number): string {
    let w = '';
    for (let i = 0; i < syllables; i++) w += this.pick(SYLLABLES);
    return w;
  }

  person(): Person {
    const city = this.zipf(this.cities, 20);
    const [type] = this.pick(STREET_TYPES);
    const year = 1930 + this.int(76);
    const month = 1 + this.int(12);
    const day = 1 + this.int(28);
    return {
      given_name: this.zipf(GIVEN, 5),
      surname: this.next() < 0.5 ? this.zipf(SURNAMES, 10) : this.pick(this.surnamePool),
      dob: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      address: `${1 + this.int(300)} ${this.pick(STREETS)} ${type}`,
      city: city.name,
      postcode: this.pick(city.postcodes),
    };
  }

  typo(text: string): string {
    if (text.length < 2) return text;
    const i = this.int(text.length);
    const c = text[i] as string;
    switch (this.int(4)) {
      case 0: // keyboard substitution
        return text.slice(0, i) + this.pick([...(KEYBOARD_NEIGHBOURS[c] ?? 'e')]) + text.slice(i + 1);
      case 1: // dropped letter
        return text.slice(0, i) + text.slice(i + 1);
      case 2: // doubled letter
        return text.slice(0, i) + c + text.slice(i);
      default: {
        // adjacent transposition
        const j = Math.min(i, text.length - 2);
        return text.slice(0, j) + text[j + 1] + text[j] + text.slice(j + 2);
      }
    }
  }

  noisy(p: Person): Person {
    const q = { ...p };
    const nick = NICKNAMES[q.given_name];
    if (nick && this.chance(0.3)) q.given_name = this.pick(nick);
    else if (this.chance(0.1)) q.given_name = this.typo(q.given_name);
    if (this.chance(0.12)) q.surname = this.typo(q.surname);
    if (this.chance(0.03)) [q.given_name, q.surname] = [q.surname, q.given_name];
    if (this.chance(0.06)) q.dob = this.typo(q.dob.replace(/-/g, '')).replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3');
    const [, ...streetTokens] = q.address.split(' ');
    const abbreviation = STREET_TYPES.find(([full]) => full === streetTokens[streetTokens.length - 1]);
    if (abbreviation && this.chance(0.3)) q.address = q.address.replace(/ \w+$/, ` ${abbreviation[1]}`);
    if (this.chance(0.08)) q.address = this.typo(q.address);
    if (this.chance(0.05)) q.address = q.address.replace(/^(\d+) (.*)$/, '$2 $1'); // number after the street
    if (this.chance(0.06)) q.city = this.typo(q.city);
    if (this.chance(0.03)) q.postcode = this.typo(q.postcode);
    for (const column of COLUMNS) if (this.chance(column === 'given_name' || column === 'address' ? 0.06 : 0.03)) q[column] = '';
    return q;
  }
}

/**
 * Writes `reference.csv` (id,truth,…) with `referenceRows` people and `source.csv` with `sourceRows` rows:
 * `matchShare` of them noisy copies of random reference people (truth = that id), the rest new people
 * (truth empty). Reference ids are `r<n>`, source ids `s<n>`.
 */
export async function writeSyntheticDataset(
  dir: string,
  referenceRows: number,
  sourceRows: number,
  seed = 42,
  matchShare = 0.8,
): Promise<{ reference: string; source: string }> {
  const generator = new PersonGenerator(seed);
  const reference = `${dir}/reference.csv`;
  const source = `${dir}/source.csv`;
  const sourcePlan: Array<number> = [];
  const pickRandom = rng(seed + 1);
  for (let i = 0; i < sourceRows; i++) sourcePlan.push(pickRandom() < matchShare ? Math.floor(pickRandom() * referenceRows) : -1);
  const wanted = new Map<number, Person>();
  for (const r of sourcePlan) if (r >= 0) wanted.set(r, undefined as unknown as Person);

  await writeLines(reference, function* () {
    yield ['id', 'truth', ...COLUMNS].join(',');
    for (let r = 0; r < referenceRows; r++) {
      const p = generator.person();
      if (wanted.has(r)) wanted.set(r, p);
      yield [`r${r}`, '', ...COLUMNS.map((c) => p[c])].join(',');
    }
  });
  await writeLines(source, function* () {
    yield ['id', 'truth', ...COLUMNS].join(',');
    for (let s = 0; s < sourceRows; s++) {
      const r = sourcePlan[s] as number;
      const p = r >= 0 ? generator.noisy(wanted.get(r) as Person) : generator.noisy(generator.person());
      yield [`s${s}`, r >= 0 ? `r${r}` : '', ...COLUMNS.map((c) => p[c])].join(',');
    }
  });
  return { reference, source };
}

async function writeLines(path: string, lines: () => Generator<string>): Promise<void> {
  const out = createWriteStream(path);
  let batch: string[] = [];
  for (const line of lines()) {
    batch.push(line);
    if (batch.length === 10000) {
      if (!out.write(batch.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
      batch = [];
    }
  }
  out.end(batch.length ? batch.join('\n') + '\n' : '');
  await new Promise<void>((r) => out.on('finish', () => r()));
}
