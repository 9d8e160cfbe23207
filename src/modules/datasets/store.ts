/**
 * The SQL of the datasets module: what drizzle does not do, an import's COPY (copy.ts) inside the transaction that
 * creates the dataset, and an export read through a cursor. Everything else is in service.ts, on drizzle's typed rows.
 */
import type postgres from 'postgres';
import type { DatasetKind } from '../../db/schema';
import { copyRowsIntoDataset, type CopyOptions } from './copy';
import type { Upload } from './parse';

export interface NewDataset extends CopyOptions {
  workspaceId: string;
  kind: DatasetKind;
  name: string;
}

/**
 * Creates the dataset and COPYs its rows in one transaction; returns its id. Any problem (bad line, duplicate id,
 * size limit) rolls everything back.
 */
export async function insertDatasetWithRows(sql: postgres.Sql, dataset: NewDataset, upload: Upload): Promise<string> {
  return sql.begin(async (tx) => {
    const [created] = await tx<{ id: string }[]>`
      insert into datasets (workspace_id, kind, name, source_type, columns, id_column, filename_column)
      values (${dataset.workspaceId}, ${dataset.kind}, ${dataset.name}, ${upload.format}, '[]'::jsonb,
              ${dataset.idColumn ?? null}, ${dataset.filenameColumn ?? null})
      returning id`;
    const datasetId = created!.id;
    const rowCount = await copyRowsIntoDataset(tx, datasetId, upload, {
      idColumn: dataset.idColumn,
      filenameColumn: dataset.filenameColumn,
    });
    const columns = upload.columnTypes();
    await tx`update datasets set columns = ${tx.json(columns)}, row_count = ${rowCount} where id = ${datasetId}`;
    return datasetId;
  });
}

/** A dataset's rows' values in upload order, a batch at a time (a cursor: no huge result set). */
export async function* streamRowValues(sql: postgres.Sql, datasetId: string): AsyncGenerator<Array<Record<string, unknown>>> {
  const cursor = sql<{ values: Record<string, unknown> }[]>`
    select values from dataset_rows where dataset_id = ${datasetId} order by position`.cursor(2000);
  for await (const rows of cursor) yield rows.map((row) => row.values);
}
