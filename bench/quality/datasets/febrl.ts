// FEBRL3 and FEBRL4 as linkage QualityDatasets (fixed files, so no seed or size). Both sides have the same columns,
// which is the case of an export matched against an older export of the same system.
import { fileURLToPath } from 'node:url';
import type { EngineRow } from '../../../src/matching/index';
import { febrlConfig } from '../../engine/configs';
import { FEBRL_COLUMNS, prepareFebrl4 } from '../../engine/datasets';
import { readCsvRecords } from '../../lib/csv';
import { sampledTable } from '../table';
import type { QualityDataset } from '../types';

const FEBRL3_FILE = fileURLToPath(new URL('../../../test/fixtures/febrl3/dataset3.csv', import.meta.url));

function rowOf(record: Record<string, string>, id: string): EngineRow {
  const values: Record<string, string> = {};
  for (const column of FEBRL_COLUMNS) values[column] = record[column] ?? '';
  return { id, values };
}

/** FEBRL4: dataset4b (one duplicate per person) is the source, dataset4a (the originals) the reference. */
export function febrl4(): QualityDataset {
  const files = prepareFebrl4();
  const reference = [...readCsvRecords(files.reference)].map((r) => rowOf(r, r['id'] ?? ''));
  const truth = new Map<string, string | null>();
  const source = [...readCsvRecords(files.source)].map((r) => {
    truth.set(r['id'] ?? '', r['truth'] || null);
    return rowOf(r, r['id'] ?? '');
  });
  return {
    name: 'febrl4',
    reference: sampledTable(FEBRL_COLUMNS, reference),
    source: sampledTable(FEBRL_COLUMNS, source),
    truth,
    handConfig: febrlConfig,
  };
}

/** FEBRL3 (a deduplication set) as linkage: originals `rec-N-org` are the reference, duplicates `rec-N-dup-K` the
 *  source, each duplicate's truth its original (several duplicates share one original, so no one-to-one). */
export function febrl3(): QualityDataset {
  const reference: EngineRow[] = [];
  const duplicates: EngineRow[] = [];
  for (const record of readCsvRecords(FEBRL3_FILE)) {
    const id = record['rec_id'] ?? '';
    (id.endsWith('-org') ? reference : duplicates).push(rowOf(record, id));
  }
  const originals = new Set(reference.map((r) => r.id));
  const truth = new Map<string, string | null>();
  for (const row of duplicates) {
    const original = row.id.replace(/^rec-(\d+)-dup-\d+$/, 'rec-$1-org');
    truth.set(row.id, originals.has(original) ? original : null);
  }
  return {
    name: 'febrl3',
    reference: sampledTable(FEBRL_COLUMNS, reference),
    source: sampledTable(FEBRL_COLUMNS, duplicates),
    truth,
    handConfig: febrlConfig,
  };
}
