// bibliographic: a curated publication list (DBLP-like reference: title, authors, venue, year) against a scraped
// one (Scholar-like source: paper_title, author_list, journal_or_conference, pub_year). Papers come in series
// (workshop overviews by year, "revisited"/"extended"/"demo" versions, part I/II) written by the same groups, so
// titles and authors alone are near-ties and precision matters. Source noise: venue abbreviations and long forms,
// author initials, reordered or dropped authors, "et al.", typos, case and punctuation changes, dropped
// subtitles, missing or off-by-one years. Some source papers are not in the reference — mostly other members of
// a series that is.
import type { MatchConfig } from '../../../src/matching/index';
import { maybeTypos, titleCase } from '../noise';
import { Random } from '../random';
import { assembleTables, chooseMatchedRecords, type Cells, type PlannedSourceRow } from '../table';
import type { GenerateOptions, QualityDataset } from '../types';

/** [reference form, other forms a scraper finds] */
const VENUES: Array<[string, string[]]> = [
  ['VLDB', ['Very Large Data Bases', 'Proc. VLDB Endow.', 'Proceedings of the VLDB Endowment', 'PVLDB']],
  ['SIGMOD Conference', ['ACM SIGMOD International Conference on Management of Data', 'Proc. ACM SIGMOD', 'SIGMOD']],
  ['ICDE', ['International Conference on Data Engineering', 'Proc. IEEE ICDE', 'Data Engineering']],
  ['KDD', ['Knowledge Discovery and Data Mining', 'Proc. ACM SIGKDD', 'SIGKDD']],
  ['CIKM', ['Conference on Information and Knowledge Management', 'Proc. CIKM']],
  ['EDBT', ['Extending Database Technology', 'Proc. EDBT']],
  ['PODS', ['Principles of Database Systems', 'Proc. ACM PODS']],
  ['ICDT', ['International Conference on Database Theory']],
  ['ACM Trans. Database Syst.', ['ACM Transactions on Database Systems', 'TODS', 'ACM TODS']],
  ['IEEE Trans. Knowl. Data Eng.', ['IEEE Transactions on Knowledge and Data Engineering', 'TKDE']],
  ['VLDB J.', ['The VLDB Journal', 'VLDB Journal']],
  ['SIGMOD Record', ['ACM SIGMOD Record', 'SIGMOD Rec.']],
  ['WWW', ['World Wide Web Conference', 'Proc. WWW', 'The Web Conference']],
  ['SIGIR', ['Research and Development in Information Retrieval', 'Proc. ACM SIGIR']],
  ['ICDM', ['IEEE International Conference on Data Mining']],
  ['NeurIPS', ['Neural Information Processing Systems', 'NIPS', 'Advances in Neural Information Processing Systems']],
  ['ICML', ['International Conference on Machine Learning', 'Proc. ICML']],
  ['AAAI', ['AAAI Conference on Artificial Intelligence', 'Proc. AAAI']],
  ['ACL', ['Annual Meeting of the Association for Computational Linguistics', 'Proc. ACL']],
  ['Inf. Syst.', ['Information Systems']],
];
const ADJECTIVES = [
  'Efficient',
  'Scalable',
  'Adaptive',
  'Incremental',
  'Distributed',
  'Approximate',
  'Robust',
  'Optimal',
  'Parallel',
  'Secure',
  'Probabilistic',
  'Interactive',
  'Declarative',
  'Online',
  'Fast',
];
const TOPICS = [
  'Query Processing',
  'Join Algorithms',
  'Entity Resolution',
  'Record Linkage',
  'Schema Matching',
  'Index Structures',
  'Query Optimization',
  'Stream Processing',
  'Data Cleaning',
  'Top-k Queries',
  'Similarity Search',
  'Skyline Queries',
  'Frequent Itemset Mining',
  'Graph Pattern Matching',
  'Transaction Management',
  'Data Integration',
  'View Maintenance',
  'Keyword Search',
  'Clustering',
  'Outlier Detection',
  'Cardinality Estimation',
  'Provenance Tracking',
  'Spatial Joins',
  'Time Series Classification',
  'Knowledge Graph Embedding',
  'Federated Learning',
];
const SETTINGS = [
  'Uncertain Data',
  'Data Streams',
  'Large Graphs',
  'Relational Databases',
  'the Web',
  'XML Documents',
  'Sensor Networks',
  'Column Stores',
  'Main-Memory Databases',
  'Cloud Environments',
  'Peer-to-Peer Systems',
  'Spatial Databases',
  'Heterogeneous Sources',
  'Multi-Core Processors',
  'Dirty Data',
  'Road Networks',
  'Key-Value Stores',
];
const SUBTITLES = [
  'A Survey',
  'An Experimental Evaluation',
  'Theory and Practice',
  'A Unified Approach',
  'Algorithms and Complexity',
  'A Cost-Based Approach',
  'Lessons Learned',
  'The Next Generation',
];
const SYSTEM_SYLLABLES = [
  'Ar',
  'Bo',
  'Ce',
  'Da',
  'Flo',
  'Gra',
  'Hy',
  'Ka',
  'Lu',
  'Mo',
  'Ne',
  'Or',
  'Pe',
  'Qu',
  'Ri',
  'Sa',
  'Ti',
  'Ve',
  'Xe',
  'Zo',
];
const TRACKS = ['Robust', 'Web', 'Question Answering', 'Entity', 'Genomics', 'Novelty', 'Terabyte', 'Blog', 'Legal', 'Microblog'];
const FIRST_NAMES = [
  'Jennifer',
  'Hector',
  'Michael',
  'David',
  'Surajit',
  'Rakesh',
  'Christos',
  'Jiawei',
  'Divesh',
  'Gerhard',
  'Alon',
  'Joseph',
  'Samuel',
  'Donald',
  'Philip',
  'Laura',
  'Magdalena',
  'Renee',
  'Tova',
  'Wenfei',
  'Xin',
  'Beng Chin',
  'Kian-Lee',
  'Nick',
  'Felix',
  'Erhard',
  'Anastasia',
  'Daniela',
  'Peter',
  'Stefano',
  'Lei',
  'Yufei',
  'Jian',
  'Ihab',
  'Ashwin',
  'Raghu',
  'Guy',
  'Andreas',
  'Thomas',
  'Volker',
  'Sihem',
  'Juliana',
  'Susan',
  'Martin',
  'Jens',
];
const LAST_NAMES = [
  'Widom',
  'Garcia-Molina',
  'Stonebraker',
  'DeWitt',
  'Chaudhuri',
  'Agrawal',
  'Faloutsos',
  'Han',
  'Srivastava',
  'Weikum',
  'Halevy',
  'Hellerstein',
  'Madden',
  'Kossmann',
  'Bernstein',
  'Haas',
  'Balazinska',
  'Miller',
  'Milo',
  'Fan',
  'Dong',
  'Ooi',
  'Tan',
  'Koudas',
  'Naumann',
  'Rahm',
  'Ailamaki',
  'Florescu',
  'Boncz',
  'Ceri',
  'Chen',
  'Tao',
  'Pei',
  'Ilyas',
  'Machanavajjhala',
  'Ramakrishnan',
  'Lohman',
  'Neumann',
  'Markl',
  'Amer-Yahia',
  'Freire',
  'Davidson',
  'Grohe',
  'Dittrich',
  'Wang',
  'Li',
  'Zhang',
  'Liu',
  'Yang',
  'Kumar',
  'Gupta',
  'Mueller',
  'Schmidt',
  'Papadias',
  'Kriegel',
];

interface Author {
  first: string;
  last: string;
}

interface Paper {
  title: string;
  authors: Author[];
  venue: number;
  year: number;
}

const REFERENCE_COLUMNS = ['title', 'authors', 'venue', 'year'];
const SOURCE_COLUMNS = ['paper_title', 'author_list', 'journal_or_conference', 'pub_year'];
const MATCHED_SHARE = 0.8;

class PaperGenerator {
  private readonly authors: Author[];

  constructor(private readonly random: Random) {
    // A few hundred researchers, some prolific (Zipf), so author lists overlap across papers as in real venues.
    const seen = new Set<string>();
    this.authors = [];
    while (this.authors.length < 400) {
      const author = { first: random.pick(FIRST_NAMES), last: random.pick(LAST_NAMES) };
      const key = `${author.first} ${author.last}`;
      if (!seen.has(key)) {
        seen.add(key);
        this.authors.push(author);
      }
    }
  }

  private group(): Author[] {
    const size = this.random.between(1, 5);
    const group: Author[] = [];
    while (group.length < size) {
      const author = this.random.zipf(this.authors, 20);
      if (!group.includes(author)) group.push(author);
    }
    return group;
  }

  /** The same group shuffles its author order a little and gains or loses a student between papers. */
  private vary(group: Author[]): Author[] {
    const authors = [...group];
    if (authors.length > 1 && this.random.chance(0.3)) authors.pop();
    if (this.random.chance(0.4)) authors.push(this.random.zipf(this.authors, 20));
    return [...new Set(authors)];
  }

  private baseTitle(): string {
    const random = this.random;
    const topic = random.pick(TOPICS);
    const setting = random.pick(SETTINGS);
    switch (random.int(5)) {
      case 0:
        return `${random.pick(ADJECTIVES)} ${topic} over ${setting}`;
      case 1:
        return `${random.pick(ADJECTIVES)} and ${random.pick(ADJECTIVES)} ${topic} in ${setting}`;
      case 2:
        return `${random.pick(SYSTEM_SYLLABLES)}${random.pick(SYSTEM_SYLLABLES).toLowerCase()}: ${random.pick(ADJECTIVES)} ${topic} for ${setting}`;
      case 3:
        return `On the Complexity of ${topic} in ${setting}`;
      default:
        return `${topic} for ${setting}: ${random.pick(SUBTITLES)}`;
    }
  }

  /** A series of papers from one group: near-duplicate titles, neighbouring years, often the same venue. */
  series(): Paper[] {
    const random = this.random;
    const group = this.group();
    const venue = random.zipf(
      VENUES.map((_, i) => i),
      4,
    );
    const year = random.between(1994, 2022);
    if (random.chance(0.5)) return [{ title: this.baseTitle(), authors: group, venue, year }];
    if (random.chance(0.2)) {
      // Yearly overviews: identical titles but for the year, same venue, same organisers.
      const track = random.pick(TRACKS);
      const count = random.between(3, 6);
      return Array.from({ length: count }, (_, k) => ({
        title: `Overview of the TREC ${year + k} ${track} Track`,
        authors: this.vary(group),
        venue,
        year: year + k,
      }));
    }
    const base = this.baseTitle();
    // Variants build on the title without a generic subtitle ("…: A Survey"); a system name before the colon stays.
    const short = base.replace(new RegExp(`: (${SUBTITLES.join('|')})$`), '');
    const variants = [
      base,
      `${short} Revisited`,
      `Towards ${short}`,
      `${short}: An Extended Version`,
      `${short} (Demo)`,
      `${short}, Part II`,
      `Improved ${short}`,
      `${short}: ${random.pick(SUBTITLES)}`,
    ];
    const count = random.between(2, 4);
    return [base, ...random.shuffle(variants.slice(1))].slice(0, count).map((title, k) => ({
      title,
      authors: k === 0 ? group : this.vary(group),
      venue: random.chance(0.6)
        ? venue
        : random.zipf(
            VENUES.map((_, i) => i),
            4,
          ),
      year: year + random.between(0, 3) * (k === 0 ? 0 : 1),
    }));
  }

  referenceCells(p: Paper): Cells {
    return {
      title: p.title,
      authors: p.authors.map((a) => `${a.first} ${a.last}`).join(', '),
      venue: (VENUES[p.venue] as [string, string[]])[0],
      year: String(p.year),
    };
  }

  sourceCells(p: Paper): Cells {
    const random = this.random;
    let title = p.title;
    if (title.includes(':') && random.chance(0.3)) title = title.replace(/:.*$/, ''); // subtitle dropped
    if (random.chance(0.15)) title = title.replace(/:/g, random.pick([' -', '.', '']));
    if (random.chance(0.35)) title = title.toLowerCase();
    else if (random.chance(0.15)) title = titleCase(title.toLowerCase());
    title = maybeTypos(random, title, 0.15);
    if (random.chance(0.04)) title = `${title.split(' ').slice(0, random.between(4, 6)).join(' ')} ...`; // truncated

    let authors = [...p.authors];
    if (authors.length > 1 && random.chance(0.1)) random.shuffle(authors);
    let etAl = false;
    if (authors.length > 2 && random.chance(0.2)) {
      authors = authors.slice(0, random.between(1, 2));
      etAl = true;
    }
    const style = random.int(4); // scrapers are consistent per page, not per author
    const names = authors.map((a) => {
      const initials = a.first
        .split(/[\s-]+/)
        .map((part) => part[0])
        .join('');
      const name =
        style === 0
          ? `${a.first} ${a.last}`
          : style === 1
            ? `${initials} ${a.last}`
            : style === 2
              ? `${a.last}, ${initials}.`
              : `${initials.split('').join('. ')}. ${a.last}`;
      return maybeTypos(random, name, 0.05);
    });
    let authorList = names.join(style === 2 ? '; ' : ', ') + (etAl ? ' et al.' : '');
    if (random.chance(0.1)) authorList = authorList.toLowerCase();

    const [canonical, others] = VENUES[p.venue] as [string, string[]];
    let venue = random.chance(0.75) ? random.pick(others) : canonical;
    if (random.chance(0.3)) venue = `${random.chance(0.5) ? 'In ' : ''}${venue}${random.chance(0.5) ? ` ${p.year}` : ''}`;
    venue = maybeTypos(random, venue, 0.05);

    let year = String(p.year + (random.chance(0.1) ? random.pick([-1, 1]) : 0)); // preprint vs proceedings year
    const cells: Cells = { paper_title: title, author_list: authorList, journal_or_conference: venue, pub_year: year };
    if (random.chance(0.2)) cells['pub_year'] = year = '';
    if (random.chance(0.2)) cells['journal_or_conference'] = '';
    if (random.chance(0.04)) cells['author_list'] = '';
    return cells;
  }
}

/** What a user would write by hand: mostly the title, then authors, year and venue, Jaro–Winkler throughout.
 *  Blocking as a user writes it once the default (phonetic codes of every title/author token, 2.4M pairs on
 *  5,000 × 3,000) proves slow: same title start, or a shared author token in the same year. */
export const bibliographicHandConfig: MatchConfig = {
  threshold: 0.85,
  blocking: {
    keys: [
      { parts: [{ source: 'paper_title', target: 'title', transform: 'prefix', length: 6 }] },
      {
        parts: [
          { source: 'author_list', target: 'authors', transform: 'tokens' },
          { source: 'pub_year', target: 'year', transform: 'exact' },
        ],
      },
    ],
  },
  fieldMappings: [
    { source: 'paper_title', target: 'title', strategy: 'fuzzy', weight: 0.5, options: { algorithm: 'jaro_winkler' } },
    { source: 'author_list', target: 'authors', strategy: 'fuzzy', weight: 0.25, options: { algorithm: 'jaro_winkler' } },
    { source: 'journal_or_conference', target: 'venue', strategy: 'fuzzy', weight: 0.1, options: { algorithm: 'jaro_winkler' } },
    { source: 'pub_year', target: 'year', strategy: 'numeric_range', weight: 0.15, options: { tolerance: 1 } },
  ],
};

export function generate({ seed, referenceSize, sourceSize }: GenerateOptions): QualityDataset {
  const random = new Random(seed);
  const generator = new PaperGenerator(random);
  const matchedCount = Math.round(sourceSize * MATCHED_SHARE);
  const outsiderCount = sourceSize - matchedCount;
  // Series are kept whole while generating, then split at random between reference and outsiders, so most
  // outsiders have siblings in the reference.
  // Titles are unique (one TREC overview per track and year): near-duplicates, not exact ones, make it hard.
  const papers: Paper[] = [];
  const titles = new Set<string>();
  while (papers.length < referenceSize + outsiderCount) {
    for (const paper of generator.series()) {
      const key = paper.title.toLowerCase();
      if (titles.has(key)) continue;
      titles.add(key);
      papers.push(paper);
    }
  }
  papers.length = referenceSize + outsiderCount;
  random.shuffle(papers);
  const referencePapers = papers.slice(0, referenceSize);
  const rows: PlannedSourceRow[] = chooseMatchedRecords(random, referenceSize, matchedCount).map((i) => ({
    cells: generator.sourceCells(referencePapers[i] as Paper),
    referenceIndex: i,
  }));
  for (const p of papers.slice(referenceSize)) rows.push({ cells: generator.sourceCells(p), referenceIndex: null });
  const tables = assembleTables(
    random,
    'bib',
    { columns: REFERENCE_COLUMNS, records: referencePapers.map((p) => generator.referenceCells(p)) },
    { columns: SOURCE_COLUMNS, rows },
  );
  return { name: 'bibliographic', ...tables, handConfig: bibliographicHandConfig };
}
