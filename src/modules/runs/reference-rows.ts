import type postgres from 'postgres';
import type { EngineRow } from '../../matching';

/** Every row of a dataset as engine rows, in file order (read in batches, so no single huge result set). */
export async function loadEngineRows(sql: postgres.Sql, datasetId: string): Promise<EngineRow[]> {
  const rows: EngineRow[] = [];
  const cursor = sql<{ id: string; values: Record<string, unknown> }[]>`
    select id, values from dataset_rows where dataset_id = ${datasetId} order by position`.cursor(10_000);
  for await (const batch of cursor) for (const row of batch) rows.push({ id: row.id, values: row.values });
  return rows;
}
