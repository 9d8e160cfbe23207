// The deterministic sample strategy generation sees, as the service would pass it: at most `limit` rows, chosen by
// a seeded shuffle and kept in table order (so the sample of a table is the same on every run).
import type { SampledTable } from '../../src/matching/smart/types';
import { Random } from './random';

export const SAMPLE_LIMIT = 5000;

export function sampleTable(table: SampledTable, limit: number, seed: number): SampledTable {
  if (table.rows.length <= limit) return table;
  const picked = new Random(seed).shuffle(table.rows.map((_, i) => i)).slice(0, limit).sort((a, b) => a - b);
  return { columns: table.columns, rows: picked.map((i) => table.rows[i]!) };
}
