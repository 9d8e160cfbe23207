// Walmart-Amazon (test/fixtures/walmart-amazon, real product data): Walmart products are the source, Amazon's the
// reference. Rows keep the upload's own `id` column among their values, as an upload with `id_column: id` does, so
// generation sees what it would see in the service.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { EngineRow, MatchConfig } from '../../../src/matching/index';
import { sampledTable } from '../table';
import type { QualityDataset } from '../types';

const DIR = new URL('../../../test/fixtures/walmart-amazon/', import.meta.url);
const COLUMNS = ['id', 'title', 'category', 'brand', 'modelno', 'price'];

function read(file: string): Record<string, string>[] {
  return parse(readFileSync(fileURLToPath(new URL(file, DIR)), 'utf8'), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
}

/** Rows with ids that sort in file order, as the service's row ids do (UUIDv7 ending in the row's position,
 *  src/modules/datasets/copy.ts): the engine breaks ties between equal candidates by id, so the bench and a run of
 *  the same files pick the same row. Also: the file's own `id` → the row id. */
function rows(file: string, prefix: string): { rows: EngineRow[]; idOf: Map<string, string> } {
  const idOf = new Map<string, string>();
  const table = read(file).map((record, position) => {
    const id = `${prefix}${String(position).padStart(8, '0')}`;
    idOf.set(record['id'] as string, id);
    return { id, values: Object.fromEntries(COLUMNS.map((c) => [c, record[c] ?? ''])) };
  });
  return { rows: table, idOf };
}

/** What a user would write by hand: the title carries most of it, model number and brand confirm. */
const handConfig: MatchConfig = {
  fieldMappings: [
    { source: 'title', target: 'title', strategy: 'fuzzy', weight: 0.6, options: { algorithm: 'token_set' } },
    { source: 'modelno', target: 'modelno', strategy: 'fuzzy', weight: 0.25, options: { algorithm: 'levenshtein' } },
    { source: 'brand', target: 'brand', strategy: 'fuzzy', weight: 0.15, options: { algorithm: 'jaro_winkler' } },
  ],
  threshold: 0.8,
  // The default keys (phonetic codes of whole titles) compare nearly every pair: 455 s here. Rare title words
  // and the model number are what a user would block on after seeing that.
  blocking: {
    keys: [
      { parts: [{ source: 'title', target: 'title', transform: 'tokens' }] },
      { parts: [{ source: 'modelno', target: 'modelno', transform: 'exact' }] },
    ],
    maxPostings: 200,
  },
};

export function walmartAmazon(): QualityDataset {
  const { rows: source, idOf: sourceId } = rows('walmart.csv', 'w');
  const { rows: reference, idOf: referenceId } = rows('amazon.csv', 'a');
  const truePairs = new Map<string, Set<string>>(source.map((r) => [r.id, new Set<string>()]));
  for (const pair of read('true_pairs.csv')) {
    const target = referenceId.get(pair['amazon_id'] as string);
    if (target !== undefined) truePairs.get(sourceId.get(pair['walmart_id'] as string) ?? '')?.add(target);
  }
  return {
    name: 'walmart_amazon',
    reference: sampledTable(COLUMNS, reference),
    source: sampledTable(COLUMNS, source),
    truth: firstTruePair(truePairs),
    truePairs,
    handConfig,
  };
}

/** The same files the other way round: Amazon's 22,074 products as the source, Walmart's 2,554 as the reference, so
 *  95 % of source rows have no match and the reference is the small table (what a catalogue matched against a short
 *  list looks like). Several Amazon listings share one Walmart product, as the truth says. */
export function amazonWalmart(): QualityDataset {
  const forward = walmartAmazon();
  const truePairs = new Map<string, Set<string>>(forward.reference.rows.map((r) => [r.id, new Set<string>()]));
  for (const [walmart, amazons] of forward.truePairs ?? []) for (const amazon of amazons) truePairs.get(amazon)?.add(walmart);
  return {
    name: 'amazon_walmart',
    reference: forward.source,
    source: forward.reference,
    truth: firstTruePair(truePairs),
    truePairs,
    // No hand config: the forward one took 190 s over 22,074 source rows (F1 0.45), for a line that says nothing new.
  };
}

/** The same files with the title alone (and the upload's id): a product list without brand, category or model
 *  number columns, the shape of Amazon-Google's and Abt-Buy's listings, where the codes are inside the titles and
 *  nothing else tells siblings apart. */
export function walmartAmazonTitles(): QualityDataset {
  // The forward truth as it is; no hand config (the forward one reads columns this table has not).
  const { handConfig: _, ...forward } = walmartAmazon();
  const columns = ['id', 'title'];
  const titlesOnly = (rows: EngineRow[]) => rows.map((r) => ({ id: r.id, values: { id: r.values.id, title: r.values.title } }));
  return {
    ...forward,
    name: 'walmart_amazon_titles',
    reference: sampledTable(columns, titlesOnly(forward.reference.rows)),
    source: sampledTable(columns, titlesOnly(forward.source.rows)),
  };
}

/** QualityDataset.truth from every true pair: a source row's first true reference row, or null. */
function firstTruePair(truePairs: Map<string, Set<string>>): Map<string, string | null> {
  return new Map([...truePairs].map(([source, references]) => [source, references.values().next().value ?? null]));
}
