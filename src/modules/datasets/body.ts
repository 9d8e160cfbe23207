import type { DatasetKind } from '../../db/schema';
import type { RowsWritten } from './rows';
import type { Dataset, DatasetRow } from './service';

/** The REST paths of each kind of table: the first is the one links use, the second its older alias. */
export const DATASET_PATHS: Record<DatasetKind, readonly [string, string]> = {
  reference: ['/v1/reference-data', '/v1/matching/reference-data'],
  source: ['/v1/source-data', '/v1/matching/source-data'],
};

/** The REST table object (reference or source data). */
export function tableBody(dataset: Dataset) {
  const self = `${DATASET_PATHS[dataset.kind][0]}/${dataset.id}`;
  return {
    id: dataset.id,
    name: dataset.name,
    kind: dataset.kind,
    source_type: dataset.sourceType,
    status: dataset.status,
    row_count: dataset.rowCount,
    columns: dataset.columns,
    id_column: dataset.idColumn,
    version: dataset.version,
    ...(dataset.kind === 'source' ? { filename_column: dataset.filenameColumn } : {}),
    created_at: dataset.createdAt.toISOString(),
    links: { self, rows: `${self}/rows` },
  };
}

/** The answer to a row upsert. */
export function rowsWrittenBody(written: RowsWritten) {
  return {
    reference_data_id: written.datasetId,
    version: written.version,
    inserted: written.inserted,
    updated: written.updated,
    row_count: written.rowCount,
  };
}

/** A row: its values keep their keys (the table's column names). */
export function rowBody(kind: DatasetKind, row: DatasetRow) {
  return {
    id: row.id,
    external_id: row.externalId,
    ...(kind === 'source' ? { document_id: row.externalId, document_filename: row.filename } : {}),
    values: row.values,
  };
}
