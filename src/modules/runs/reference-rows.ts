import type postgres from 'postgres';
import type { EngineRow } from '../../matching';

/** Every row of a dataset as engine rows, in file order, read in batches (no single huge result set). */
export async function* streamEngineRows(sql: postgres.Sql, datasetId: string): AsyncGenerator<EngineRow> {
  const cursor = sql<{ id: string; values: Record<string, unknown> }[]>`
    select id, values from dataset_rows where dataset_id = ${datasetId} order by position`.cursor(10_000);
  for await (const batch of cursor) for (const row of batch) yield { id: row.id, values: row.values };
}

/** Every row of a dataset as engine rows, in file order. */
export async function loadEngineRows(sql: postgres.Sql, datasetId: string): Promise<EngineRow[]> {
  const rows: EngineRow[] = [];
  for await (const row of streamEngineRows(sql, datasetId)) rows.push(row);
  return rows;
}
