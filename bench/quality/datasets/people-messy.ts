// people_messy: a customer list (reference) against a CRM export with other column names and formats (source).
// People live in households (same surname, address and landline, different first names) and share common
// surnames and cities, so a config that leans on surname + place matches spouses and children; source rows
// carry nicknames, swapped name fields, typos, other date/phone/postcode formats, moves and missing values.
// Some source rows are people the reference does not hold — mostly relatives of people it does.
import type { MatchConfig } from '../../../src/matching/index';
import { maybeTypos, pad2, typo } from '../noise';
import { Random } from '../random';
import { assembleTables, chooseMatchedRecords, type Cells, type PlannedSourceRow } from '../table';
import type { GenerateOptions, QualityDataset } from '../types';

const NICKNAMES: Record<string, string[]> = {
  Robert: ['Bob', 'Rob', 'Bobby'],
  William: ['Bill', 'Will', 'Billy'],
  Richard: ['Rick', 'Dick', 'Rich'],
  James: ['Jim', 'Jimmy'],
  John: ['Jack', 'Johnny'],
  Michael: ['Mike', 'Mikey'],
  Elizabeth: ['Liz', 'Beth', 'Betsy'],
  Margaret: ['Maggie', 'Peggy', 'Meg'],
  Katherine: ['Kate', 'Kathy', 'Katie'],
  Thomas: ['Tom', 'Tommy'],
  Joseph: ['Joe', 'Joey'],
  Charles: ['Charlie', 'Chuck'],
  Christopher: ['Chris'],
  Daniel: ['Dan', 'Danny'],
  Matthew: ['Matt'],
  Anthony: ['Tony'],
  Edward: ['Ed', 'Ted', 'Eddie'],
  Jennifer: ['Jen', 'Jenny'],
  Patricia: ['Pat', 'Patty', 'Trish'],
  Susan: ['Sue', 'Suzy'],
  Deborah: ['Deb', 'Debbie'],
  Rebecca: ['Becky'],
  Alexander: ['Alex', 'Xander'],
  Benjamin: ['Ben'],
  Samuel: ['Sam'],
  Nicholas: ['Nick'],
  Jonathan: ['Jon'],
  Stephen: ['Steve'],
  Andrew: ['Andy', 'Drew'],
  Victoria: ['Vicky', 'Tori'],
  Jessica: ['Jess'],
  Samantha: ['Sam'],
  Gregory: ['Greg'],
  Timothy: ['Tim'],
  Kenneth: ['Ken'],
  Ronald: ['Ron'],
  Dorothy: ['Dot'],
  Lawrence: ['Larry'],
  Abigail: ['Abby'],
  Theodore: ['Ted', 'Theo'],
  Zachary: ['Zach'],
  Nathaniel: ['Nate'],
  Christina: ['Tina'],
};
const FIRST_NAMES = [
  ...Object.keys(NICKNAMES),
  'Mary',
  'Linda',
  'Barbara',
  'Sarah',
  'Karen',
  'Nancy',
  'Lisa',
  'Sandra',
  'Ashley',
  'Emily',
  'Donna',
  'Michelle',
  'Carol',
  'Amanda',
  'Melissa',
  'Laura',
  'Sharon',
  'Angela',
  'Anna',
  'Emma',
  'Nicole',
  'Helen',
  'Olivia',
  'Grace',
  'Paul',
  'Mark',
  'George',
  'Kevin',
  'Brian',
  'Jason',
  'Ryan',
  'Gary',
  'Eric',
  'Jacob',
  'Frank',
  'Scott',
  'Justin',
  'Raymond',
  'Henry',
  'Lucas',
  'Ethan',
  'Noah',
  'Liam',
  'Mason',
  'Owen',
  'Luke',
  'Dylan',
  'Maria',
  'Jose',
  'Juan',
  'Carlos',
  'Ana',
  'Priya',
  'Rahul',
  'Wei',
  'Mei',
  'Hiroshi',
  'Yuki',
  'Fatima',
  'Omar',
  'Aisha',
  'Ahmed',
];
const SURNAMES = [
  'Smith',
  'Johnson',
  'Williams',
  'Brown',
  'Jones',
  'Garcia',
  'Miller',
  'Davis',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Taylor',
  'Moore',
  'Jackson',
  'Martin',
  'Lee',
  'Perez',
  'Thompson',
  'White',
  'Harris',
  'Sanchez',
  'Clark',
  'Ramirez',
  'Lewis',
  'Robinson',
  'Walker',
  'Young',
  'Allen',
  'King',
  'Wright',
  'Scott',
  'Torres',
  'Nguyen',
  'Hill',
  'Flores',
  'Green',
  'Adams',
  'Nelson',
  'Baker',
  'Hall',
  'Rivera',
  'Campbell',
  'Mitchell',
  'Carter',
  'Roberts',
  'Gomez',
  'Phillips',
  'Evans',
  'Turner',
  'Diaz',
  'Parker',
  'Cruz',
  'Edwards',
  'Collins',
  'Reyes',
  'Stewart',
  'Morris',
  'Morales',
  'Murphy',
  'Cook',
  'Rogers',
  'Gutierrez',
  'Ortiz',
  'Morgan',
  'Cooper',
  'Peterson',
  'Bailey',
  'Reed',
  'Kelly',
  'Howard',
  'Ramos',
  'Kim',
  'Cox',
  'Ward',
  'Richardson',
  'Watson',
  'Brooks',
  'Chavez',
  'Wood',
  'James',
  'Bennett',
  'Gray',
  'Mendoza',
  'Ruiz',
  'Hughes',
  'Price',
  'Alvarez',
  'Castillo',
  'Sanders',
  'Patel',
  'Myers',
  'Long',
  'Ross',
  'Foster',
  'Jimenez',
  'Kowalski',
  'Novak',
  'Schmidt',
  'Mueller',
  'Rossi',
  'Dubois',
  'Sato',
  'Tanaka',
  'Singh',
  'Khan',
  "O'Brien",
];
const CITIES = [
  'Springfield',
  'Riverside',
  'Franklin',
  'Greenville',
  'Bristol',
  'Clinton',
  'Fairview',
  'Salem',
  'Madison',
  'Georgetown',
  'Arlington',
  'Ashland',
  'Burlington',
  'Manchester',
  'Oxford',
  'Jackson',
  'Milford',
  'Newport',
  'Auburn',
  'Dayton',
  'Lexington',
  'Saint Charles',
  'Saint Joseph',
  'Fort Collins',
  'Fort Wayne',
  'Mount Vernon',
  'North Haven',
  'East Orange',
  'West Chester',
  'Lakewood',
  'Centerville',
  'Kingston',
  'Dover',
  'Hudson',
  'Marion',
  'Winchester',
  'Chester',
  'Cleveland',
  'Columbia',
  'Plymouth',
];
const CITY_ABBREVIATIONS: Array<[RegExp, string]> = [
  [/^Saint /, 'St. '],
  [/^Fort /, 'Ft. '],
  [/^Mount /, 'Mt. '],
  [/^North /, 'N. '],
  [/^East /, 'E. '],
  [/^West /, 'W. '],
];
const MAIL_DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'aol.com', 'icloud.com', 'comcast.net', 'proton.me'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Place {
  city: string;
  zips: string[];
  areaCode: string;
}

interface Person {
  first: string;
  last: string;
  year: number;
  month: number;
  day: number;
  email: string;
  phone: string;
  place: Place;
  zip: string;
}

const REFERENCE_COLUMNS = ['first_name', 'last_name', 'dob', 'email', 'phone', 'city', 'zip'];
const SOURCE_COLUMNS = ['given', 'family', 'birth_date', 'mail', 'telephone', 'town', 'postcode'];
/** Share of source rows that copy a reference person; the rest are people the reference does not hold. */
const MATCHED_SHARE = 0.8;

class PeopleGenerator {
  readonly places: Place[];

  constructor(private readonly random: Random) {
    this.places = CITIES.map((city, i) => {
      const base = 10000 + ((i * 2131) % 89000);
      const zips = Array.from({ length: random.between(2, 6) }, (_, k) => String(base + k * 7).padStart(5, '0'));
      return { city, zips, areaCode: String(random.between(201, 989)) };
    });
  }

  phone(place: Place): string {
    return `${place.areaCode}${this.random.between(200, 999)}${String(this.random.int(10000)).padStart(4, '0')}`;
  }

  email(first: string, last: string, year: number): string {
    const f = first.toLowerCase();
    const l = last.toLowerCase().replace(/[^a-z]/g, '');
    const local = this.random.pick([`${f}.${l}`, `${f[0]}${l}`, `${f}${l}${year % 100}`, `${f}_${l}`, `${l}.${f}${this.random.int(100)}`]);
    return `${local}@${this.random.zipf(MAIL_DOMAINS, 2)}`;
  }

  person(first: string, last: string, year: number, place: Place, zip: string, phone: string): Person {
    return {
      first,
      last,
      year,
      month: this.random.between(1, 12),
      day: this.random.between(1, 28),
      email: this.email(first, last, year),
      phone,
      place,
      zip,
    };
  }

  /** One household: a few people sharing surname (mostly), address and often the landline. */
  household(): Person[] {
    const random = this.random;
    const place = random.zipf(this.places, 3);
    const zip = random.pick(place.zips);
    const last = random.zipf(SURNAMES, 8);
    const landline = this.phone(place);
    const size = random.chance(0.45) ? 1 : random.chance(0.55) ? 2 : random.between(3, 5);
    const parentYear = random.between(1940, 1995);
    const members: Person[] = [];
    const used = new Set<string>();
    for (let m = 0; m < size; m++) {
      let first = random.zipf(FIRST_NAMES, 10);
      while (used.has(first)) first = random.pick(FIRST_NAMES);
      used.add(first);
      const year = m < 2 ? parentYear + random.between(-4, 4) : Math.min(2010, parentYear + random.between(22, 38));
      const surname = m === 1 && random.chance(0.15) ? random.zipf(SURNAMES, 8) : last;
      const phone = random.chance(0.5) ? landline : this.phone(place);
      members.push(this.person(first, surname, year, place, zip, phone));
    }
    // Twins: same birthday, same surname, different first name — the hardest household trap.
    const twin = members[members.length - 1] as Person;
    if (size >= 3 && random.chance(0.25))
      members.push({
        ...this.person(random.pick(FIRST_NAMES), twin.last, twin.year, place, zip, twin.phone),
        month: twin.month,
        day: twin.day,
      });
    return members;
  }

  referenceCells(p: Person): Cells {
    return {
      first_name: p.first,
      last_name: p.last,
      dob: `${p.year}-${pad2(p.month)}-${pad2(p.day)}`,
      email: p.email,
      phone: `(${p.phone.slice(0, 3)}) ${p.phone.slice(3, 6)}-${p.phone.slice(6)}`,
      city: p.place.city,
      zip: p.zip,
    };
  }

  /** The same person as another system recorded them, some time later. */
  sourceCells(p: Person): Cells {
    const random = this.random;
    let given = p.first;
    let family = p.last;
    const nicknames = NICKNAMES[given];
    if (nicknames && random.chance(0.35)) given = random.pick(nicknames);
    else if (random.chance(0.04)) given = `${given[0]}.`;
    given = maybeTypos(random, given, 0.07);
    if (random.chance(0.04)) family = random.chance(0.5) ? `${family}-${random.zipf(SURNAMES, 8)}` : random.zipf(SURNAMES, 8); // married
    family = maybeTypos(random, family, 0.07);
    if (random.chance(0.05)) [given, family] = [family, given];
    if (random.chance(0.15)) [given, family] = [given.toUpperCase(), family.toUpperCase()];

    let { year, month, day } = p;
    if (random.chance(0.04)) [month, day] = day <= 12 ? [day, month] : [month, day]; // day/month confusion
    if (random.chance(0.04)) year += random.pick([-1, 1, -10, 10]);
    if (random.chance(0.03)) day = Math.min(28, Math.max(1, day + random.pick([-1, 1])));
    const birthDate = random.chance(0.7) ? `${pad2(day)}/${pad2(month)}/${year}` : `${MONTHS[month - 1]} ${day}, ${year}`;

    let mail = p.email;
    if (random.chance(0.1)) mail = this.email(given.replace(/[^A-Za-z]/g, '') || p.first, p.last, p.year); // a newer address
    if (random.chance(0.1)) mail = mail.toUpperCase();
    mail = maybeTypos(random, mail, 0.03);

    const moved = random.chance(0.06);
    const place = moved ? random.zipf(this.places, 3) : p.place;
    let digits = moved || random.chance(0.08) ? this.phone(place) : p.phone;
    if (random.chance(0.03)) digits = typo(random, digits);
    const telephone = random.pick([
      `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6)}`,
      `+1 ${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`,
      digits,
      `${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`,
    ]);
    let town = place.city;
    for (const [pattern, short] of CITY_ABBREVIATIONS) if (random.chance(0.5)) town = town.replace(pattern, short);
    town = maybeTypos(random, town, 0.05);
    let postcode = moved ? random.pick(place.zips) : p.zip;
    if (random.chance(0.15)) postcode = `${postcode}-${String(random.int(10000)).padStart(4, '0')}`;

    const cells: Cells = { given, family, birth_date: birthDate, mail, telephone, town, postcode };
    const missing: Record<string, number> = {
      given: 0.02,
      family: 0.02,
      birth_date: 0.06,
      mail: 0.25,
      telephone: 0.15,
      town: 0.05,
      postcode: 0.08,
    };
    for (const column of SOURCE_COLUMNS) if (random.chance(missing[column] ?? 0)) cells[column] = '';
    return cells;
  }
}

/** What a user would write by hand: Jaro–Winkler on names, phone and town, dates as dates, exact email and zip. */
export const peopleMessyHandConfig: MatchConfig = {
  threshold: 0.85,
  fieldMappings: [
    { source: 'given', target: 'first_name', strategy: 'fuzzy', weight: 0.2, options: { algorithm: 'jaro_winkler' } },
    { source: 'family', target: 'last_name', strategy: 'fuzzy', weight: 0.25, options: { algorithm: 'jaro_winkler' } },
    { source: 'birth_date', target: 'dob', strategy: 'date_range', weight: 0.2, options: { toleranceDays: 0 } },
    { source: 'mail', target: 'email', strategy: 'exact', weight: 0.1 },
    { source: 'telephone', target: 'phone', strategy: 'fuzzy', weight: 0.1, options: { algorithm: 'jaro_winkler' } },
    { source: 'town', target: 'city', strategy: 'fuzzy', weight: 0.1, options: { algorithm: 'jaro_winkler' } },
    { source: 'postcode', target: 'zip', strategy: 'exact', weight: 0.05 },
  ],
};

export function generate({ seed, referenceSize, sourceSize }: GenerateOptions): QualityDataset {
  const random = new Random(seed);
  const generator = new PeopleGenerator(random);
  const matchedCount = Math.round(sourceSize * MATCHED_SHARE);
  const outsiderCount = sourceSize - matchedCount;
  // Everyone who exists; the outsiders are drawn from the same households, so most of them are relatives of
  // reference people (the trap), not strangers.
  const people: Person[] = [];
  while (people.length < referenceSize + outsiderCount) people.push(...generator.household());
  people.length = referenceSize + outsiderCount;
  random.shuffle(people);
  const referencePeople = people.slice(0, referenceSize);
  const outsiders = people.slice(referenceSize);

  const rows: PlannedSourceRow[] = chooseMatchedRecords(random, referenceSize, matchedCount).map((i) => ({
    cells: generator.sourceCells(referencePeople[i] as Person),
    referenceIndex: i,
  }));
  for (const p of outsiders) rows.push({ cells: generator.sourceCells(p), referenceIndex: null });
  const tables = assembleTables(
    random,
    'pm',
    { columns: REFERENCE_COLUMNS, records: referencePeople.map((p) => generator.referenceCells(p)) },
    { columns: SOURCE_COLUMNS, rows },
  );
  return { name: 'people_messy', ...tables, handConfig: peopleMessyHandConfig };
}
