import { builder } from '../../graphql/builder';
import { offsetConnection } from '../../graphql/connections';
import { databaseId } from '../../graphql/ids';
import type { ColumnType, DatasetColumn, DatasetKind } from '../../db/schema';
import type { EnumValues } from '../../graphql/enums';
import { PayloadTooLargeError } from '../../errors';
import { deleteDataset, getAnyDataset, importDataset, importDatasetFromJson, datasetsSlice, rowsSlice, type DatasetRow } from './service';
import {
  deleteReferenceRow,
  patchReferenceRow,
  upsertReferenceRowsFromJson,
  type RowDeleted,
  type RowsWritten,
  type RowWritten,
} from './rows';

const DatasetKindEnum = builder.enumType('DatasetKind', {
  description: 'Reference data is what rows are matched against; source data holds the rows ("documents") to match.',
  values: { REFERENCE: { value: 'reference' }, SOURCE: { value: 'source' } } satisfies EnumValues<DatasetKind>,
});

const ColumnTypeEnum = builder.enumType('ColumnType', {
  description: 'Inferred from every value of the column.',
  values: {
    string: { value: 'string' },
    number: { value: 'number' },
    date: { value: 'date' },
    boolean: { value: 'boolean' },
  } satisfies EnumValues<ColumnType, 'as is'>,
});

const DatasetColumnRef = builder.objectRef<DatasetColumn>('DatasetColumn').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    type: t.field({ type: ColumnTypeEnum, resolve: (column) => column.type }),
  }),
});

const DatasetRowRef = builder.objectRef<DatasetRow>('DatasetRow').implement({
  description: 'One row of a dataset.',
  fields: (t) => ({
    databaseId: t.exposeString('id', { description: "Concord's row id (UUID)." }),
    externalId: t.exposeString('externalId', { description: 'The value of the id column (for source rows: the document id).' }),
    filename: t.exposeString('filename', {
      nullable: true,
      description: 'Source rows: the document filename, if a filename column was given.',
    }),
    values: t.field({ type: 'JSON', description: 'Column name → value.', resolve: (row) => row.values }),
  }),
});

export const DatasetRef = builder.drizzleNode('datasets', {
  name: 'Dataset',
  description: 'An uploaded table: reference data or source data.',
  id: { column: (dataset) => dataset.id },
  fields: (t) => ({
    databaseId: t.exposeString('id', { description: 'The UUID the REST API uses.' }),
    name: t.exposeString('name'),
    kind: t.field({ type: DatasetKindEnum, resolve: (dataset) => dataset.kind }),
    sourceType: t.exposeString('sourceType', { description: 'csv, json or ndjson.' }),
    status: t.exposeString('status'),
    rowCount: t.exposeInt('rowCount'),
    columns: t.field({ type: [DatasetColumnRef], resolve: (dataset) => dataset.columns }),
    idColumn: t.exposeString('idColumn', { nullable: true }),
    version: t.exposeInt('version', {
      description:
        'Reference data: 1 after the upload, bumped once per row write (upsertReferenceRows, updateReferenceRow, deleteReferenceRow). Source data: always 1.',
    }),
    filenameColumn: t.exposeString('filenameColumn', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    rows: t.connection({
      type: DatasetRowRef,
      description: 'The rows in upload order (at most 500 a page).',
      resolve: (dataset, args, context) =>
        offsetConnection(args, { defaultSize: 100, maxSize: 500 }, ({ offset, limit }) => rowsSlice(context, dataset, offset, limit)),
    }),
  }),
});

builder.queryFields((t) => ({
  datasets: t.connection({
    type: DatasetRef,
    description: 'The datasets of your workspace, newest first.',
    args: { kind: t.arg({ type: DatasetKindEnum, required: true }) },
    resolve: (_root, args, context) =>
      offsetConnection(
        args,
        { defaultSize: 20, maxSize: 100 },
        async ({ offset, limit }) => (await datasetsSlice(context, args.kind, offset, limit)).data,
      ),
  }),
  dataset: t.field({
    type: DatasetRef,
    description: 'One dataset by id (global id or UUID).',
    args: { id: t.arg.id({ required: true }) },
    errors: {},
    resolve: (_root, args, context) => getAnyDataset(context, databaseId(String(args.id), 'Dataset')),
  }),
}));

const UploadDatasetInput = builder.inputType('UploadDatasetInput', {
  fields: (t) => ({
    kind: t.field({ type: DatasetKindEnum, required: true }),
    name: t.string({ required: true }),
    file: t.field({ type: 'File', required: true, description: 'CSV (comma, semicolon or tab), JSON array or NDJSON; UTF-8 or Latin-1.' }),
    idColumn: t.string({ description: "Column holding each row's id (for source data: the document id). Default: the row number." }),
    filenameColumn: t.string({ description: 'Source data: column holding the document filename.' }),
    trim: t.boolean({ description: 'Trim white space around names and values. Default true.' }),
  }),
});

const CreateDatasetInput = builder.inputType('CreateDatasetInput', {
  fields: (t) => ({
    kind: t.field({ type: DatasetKindEnum, required: true }),
    name: t.string({ required: true }),
    data: t.field({ type: ['JSON'], required: true, description: 'The rows: objects of column name → value.' }),
    idColumn: t.string(),
    filenameColumn: t.string(),
    trim: t.boolean(),
  }),
});

const DeletedRef = builder.objectRef<{ id: string }>('Deleted').implement({
  fields: (t) => ({ databaseId: t.exposeString('id', { description: 'The UUID of what was deleted.' }) }),
});

builder.mutationFields((t) => ({
  uploadDataset: t.field({
    type: DatasetRef,
    description: 'Create a dataset from an uploaded file (GraphQL multipart request). All or nothing.',
    args: { input: t.arg({ type: UploadDatasetInput, required: true }) },
    errors: {},
    resolve: async (_root, { input }, context) => {
      const limit = context.settings.MAX_UPLOAD_BYTES;
      if (input.file.size > limit) throw new PayloadTooLargeError(limit);
      return importDataset(
        context,
        input.kind,
        { body: input.file.stream() as unknown as AsyncIterable<Uint8Array>, filename: input.file.name, contentType: input.file.type },
        {
          name: input.name,
          idColumn: input.idColumn ?? undefined,
          filenameColumn: input.filenameColumn ?? undefined,
          trim: input.trim ?? undefined,
        },
      );
    },
  }),
  createDataset: t.field({
    type: DatasetRef,
    description: 'Create a dataset from rows given inline.',
    args: { input: t.arg({ type: CreateDatasetInput, required: true }) },
    errors: {},
    resolve: (_root, { input }, context) =>
      importDatasetFromJson(context, input.kind, {
        name: input.name,
        data: input.data,
        ...(input.idColumn ? { idColumn: input.idColumn } : {}),
        ...(input.filenameColumn ? { filenameColumn: input.filenameColumn } : {}),
        ...(input.trim !== null && input.trim !== undefined ? { trim: input.trim } : {}),
      }),
  }),
  deleteDataset: t.field({
    type: DeletedRef,
    description: 'Delete a dataset and its rows (409 while a matching config or an unfinished run uses it).',
    args: { id: t.arg.id({ required: true }) },
    errors: {},
    resolve: async (_root, args, context) => {
      const dataset = await getAnyDataset(context, databaseId(String(args.id), 'Dataset'));
      await deleteDataset(context, dataset.kind, dataset.id);
      return { id: dataset.id };
    },
  }),
}));

// ─── Live reference data: row writes by external id (rows.ts) ──────────────────────────────────────────────────────

const ReferenceRowsWrittenRef = builder.objectRef<RowsWritten>('ReferenceRowsWritten').implement({
  description: 'What an upsert changed: one new version for the whole request.',
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'The version this request made.' }),
    inserted: t.exposeInt('inserted', { description: 'Rows whose external id was new (appended after the last row).' }),
    updated: t.exposeInt('updated', { description: 'Rows whose external id existed (replaced whole; they keep their id and position).' }),
    rowCount: t.exposeInt('rowCount'),
  }),
});

const ReferenceRowWrittenRef = builder.objectRef<RowWritten>('ReferenceRowWritten').implement({
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'The version this change made.' }),
    row: t.field({ type: DatasetRowRef, resolve: (written) => written.row }),
  }),
});

const ReferenceRowDeletedRef = builder.objectRef<RowDeleted>('ReferenceRowDeleted').implement({
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'The version this deletion made.' }),
    databaseId: t.exposeString('id', { description: 'The UUID of the deleted row.' }),
    externalId: t.exposeString('externalId'),
  }),
});

builder.mutationFields((t) => ({
  upsertReferenceRows: t.field({
    type: ReferenceRowsWrittenRef,
    description:
      "Upsert 1 to 10,000 rows of reference data by external id (the id column; without one, each row's `external_id` field), all or nothing, as POST /v1/reference-data/:id/rows. " +
      'Unknown columns are a ValidationError naming them; source data is a ConflictError.',
    args: {
      datasetId: t.arg.id({ required: true }),
      rows: t.arg({
        type: ['JSON'],
        required: true,
        description: 'Objects of column name → value; a column left out is null (the row is replaced).',
      }),
    },
    errors: {},
    resolve: (_root, args, context) => upsertReferenceRowsFromJson(context, databaseId(String(args.datasetId), 'Dataset'), args.rows),
  }),
  updateReferenceRow: t.field({
    type: ReferenceRowWrittenRef,
    description:
      'Change some columns of one reference row (merged into it; the id column cannot change), as PATCH /v1/reference-data/:id/rows/:external_id.',
    args: {
      datasetId: t.arg.id({ required: true }),
      externalId: t.arg.string({ required: true }),
      values: t.arg({ type: 'JSON', required: true, description: 'Column name → new value.' }),
    },
    errors: {},
    resolve: (_root, args, context) =>
      patchReferenceRow(context, databaseId(String(args.datasetId), 'Dataset'), args.externalId, args.values),
  }),
  deleteReferenceRow: t.field({
    type: ReferenceRowDeletedRef,
    description: 'Delete one reference row by external id (NotFoundError when absent), as DELETE /v1/reference-data/:id/rows/:external_id.',
    args: {
      datasetId: t.arg.id({ required: true }),
      externalId: t.arg.string({ required: true }),
    },
    errors: {},
    resolve: (_root, args, context) => deleteReferenceRow(context, databaseId(String(args.datasetId), 'Dataset'), args.externalId),
  }),
}));
