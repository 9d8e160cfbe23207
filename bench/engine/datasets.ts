// Bench inputs in one simple CSV shape: `id,truth,<columns…>` (truth = id of the true reference row, or empty).
// Files live in bench/.cache (git-ignored) and are reused when present.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsvRecords } from '../lib/csv';
import { writeSyntheticDataset } from './synthetic';

export const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '.cache');
const FEBRL4 = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'febrl4');
export const FEBRL_COLUMNS = [
  'given_name',
  'surname',
  'street_number',
  'address_1',
  'address_2',
  'suburb',
  'postcode',
  'state',
  'date_of_birth',
  'soc_sec_id',
];

export interface DatasetFiles {
  reference: string;
  source: string;
}

/** FEBRL4: dataset4b (duplicates) is the source, dataset4a (originals) the reference; rec-N-dup-0 ↔ rec-N-org. */
export function prepareFebrl4(): DatasetFiles {
  const dir = join(CACHE_DIR, 'febrl4');
  mkdirSync(dir, { recursive: true });
  const reference = join(dir, 'reference.csv');
  const source = join(dir, 'source.csv');
  const convert = (from: string, to: string, truth: (id: string) => string) => {
    const lines = [['id', 'truth', ...FEBRL_COLUMNS].join(',')];
    for (const r of readCsvRecords(from)) {
      const id = r['rec_id'] ?? '';
      lines.push([id, truth(id), ...FEBRL_COLUMNS.map((c) => r[c] ?? '')].join(','));
    }
    writeFileSync(to, lines.join('\n') + '\n');
  };
  convert(join(FEBRL4, 'dataset4a.csv'), reference, () => '');
  convert(join(FEBRL4, 'dataset4b.csv'), source, (id) => id.replace(/^rec-(\d+)-dup-\d+$/, 'rec-$1-org'));
  return { reference, source };
}

export async function prepareSynthetic(referenceRows: number, sourceRows: number, seed: number): Promise<DatasetFiles> {
  const dir = join(CACHE_DIR, `synthetic-${referenceRows}x${sourceRows}-s${seed}`);
  const files = { reference: join(dir, 'reference.csv'), source: join(dir, 'source.csv') };
  if (existsSync(join(dir, 'done'))) return files;
  mkdirSync(dir, { recursive: true });
  await writeSyntheticDataset(dir, referenceRows, sourceRows, seed);
  writeFileSync(join(dir, 'done'), '');
  return files;
}
