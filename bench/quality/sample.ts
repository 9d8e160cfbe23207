// The sample strategy generation sees, as the service takes it (src/modules/strategies/store.ts): every k-th row
// by position, k = ⌈rows / limit⌉, at most `limit` rows, with the table's row count for the prior.
import type { SampledTable } from '../../src/matching/smart/types';
import { SAMPLE_LIMITS } from '../../src/modules/strategies/store';

export { SAMPLE_LIMITS };

export function sampleTable(table: SampledTable, limit: number): SampledTable {
  if (table.rows.length <= limit) return table;
  const step = Math.ceil(table.rows.length / limit);
  const rows = table.rows.filter((_, i) => i % step === 0).slice(0, limit);
  return { columns: table.columns, rows, rowCount: table.rows.length };
}
