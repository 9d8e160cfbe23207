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

function rows(file: string, prefix: string): EngineRow[] {
  return read(file).map((record) => ({
    id: `${prefix}${record['id']}`,
    values: Object.fromEntries(COLUMNS.map((c) => [c, record[c] ?? ''])),
  }));
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
  const source = rows('walmart.csv', 'w');
  const reference = rows('amazon.csv', 'a');
  const truePairs = new Map<string, Set<string>>(source.map((r) => [r.id, new Set<string>()]));
  for (const pair of read('true_pairs.csv')) truePairs.get(`w${pair['walmart_id']}`)?.add(`a${pair['amazon_id']}`);
  const truth = new Map<string, string | null>([...truePairs].map(([s, refs]) => [s, refs.values().next().value ?? null]));
  return {
    name: 'walmart_amazon',
    reference: sampledTable(COLUMNS, reference),
    source: sampledTable(COLUMNS, source),
    truth,
    truePairs,
    handConfig,
  };
}
