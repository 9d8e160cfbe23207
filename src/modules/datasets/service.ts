import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Context } from '../../context';
import { datasetRows, datasets, matchingConfigs, runs, type DatasetKind } from '../../db/schema';
import { ConflictError, NotFoundError, ValidationError, validationErrorFromIssues } from '../../errors';
import { parsePage, type Page } from '../shared/pagination';
import { isUuid } from '../shared/ids';
import { requireScope } from '../workspaces/actor';
import { assertJsonDepth } from '../../json-depth';
import { parseUpload, UploadParseError, type UploadFormat } from './parse';
import { insertDatasetWithRows, streamRowValues } from './store';
import { toCsvLine } from '../shared/csv';

export type Dataset = typeof datasets.$inferSelect;
export type DatasetRow = typeof datasetRows.$inferSelect;

export const importOptions = z
  .object({
    name: z.string().trim().min(1, 'name is required').max(200),
    idColumn: z.string().trim().min(1).max(500).optional(),
    filenameColumn: z.string().trim().min(1).max(500).optional(),
    trim: z.boolean().default(true),
    format: z.enum(['csv', 'json', 'ndjson']).optional(),
  })
  .strict();

export type ImportOptions = z.input<typeof importOptions>;

export interface UploadSource {
  /** The file's bytes, streamed. */
  body: AsyncIterable<Uint8Array>;
  filename?: string;
  contentType?: string;
}

function parseOptions(kind: DatasetKind, options: unknown) {
  const parsed = importOptions.safeParse(options);
  if (!parsed.success) throw validationErrorFromIssues('Invalid upload.', parsed.error.issues);
  if (kind === 'reference' && parsed.data.filenameColumn) {
    throw new ValidationError('filename_column applies to source data only.', [
      { path: 'filenameColumn', message: 'only source data has document filenames' },
    ]);
  }
  return parsed.data;
}

/**
 * Creates a dataset from a streamed file in one transaction: the rows go to Postgres with COPY as they are parsed,
 * so memory stays flat; any problem (bad line, duplicate id, size limit) rolls everything back.
 */
export async function importDataset(context: Context, kind: DatasetKind, source: UploadSource, rawOptions: unknown): Promise<Dataset> {
  const actor = requireScope(context.actor, 'write');
  const options = parseOptions(kind, rawOptions);
  try {
    const upload = await parseUpload(source.body, {
      format: options.format as UploadFormat | undefined,
      filename: source.filename,
      contentType: source.contentType,
      trim: options.trim,
    });
    const datasetId = await insertDatasetWithRows(
      context.sql,
      { workspaceId: actor.workspaceId, kind, name: options.name, idColumn: options.idColumn, filenameColumn: options.filenameColumn },
      upload,
    );
    return await getDataset(context, kind, datasetId);
  } catch (error) {
    if (error instanceof UploadParseError) {
      throw new ValidationError(
        error.message,
        error.line === undefined ? undefined : [{ path: `line ${error.line}`, message: error.message }],
      );
    }
    throw error;
  }
}

/** A row's values (column → value), kept as sent: z.record would rebuild the object by assignment, which drops a
 *  column named "__proto__" (uploaded CSV and JSON files keep it). */
export const rowValues = z.custom<Record<string, unknown>>(
  (value) => value !== null && typeof value === 'object' && !Array.isArray(value),
  'must be an object of column values',
);

/** JSON body `{name, id_column?, data: [...]}`: the same pipeline as a file, fed from the array. */
export async function importDatasetFromJson(context: Context, kind: DatasetKind, body: unknown): Promise<Dataset> {
  requireScope(context.actor, 'write');
  // REST bodies are checked as they are read; GraphQL's `data` is not (JSON.stringify below would overflow the stack).
  assertJsonDepth(body, 'The dataset');
  const parsed = z
    .object({ data: z.array(rowValues, 'data must be an array of objects').min(1, 'data must not be empty') })
    .passthrough()
    .safeParse(body);
  if (!parsed.success) throw validationErrorFromIssues('Invalid dataset.', parsed.error.issues);
  const { data, ...options } = parsed.data;
  const bytes = new TextEncoder().encode(JSON.stringify(data));
  const stream = (async function* () {
    yield bytes;
  })();
  return importDataset(context, kind, { body: stream, contentType: 'application/json' }, { ...options, format: 'json' });
}

export async function getDataset(context: Context, kind: DatasetKind, id: string): Promise<Dataset> {
  const actor = requireScope(context.actor, 'read');
  const dataset = isUuid(id)
    ? await context.db.query.datasets.findFirst({ where: { id, workspaceId: actor.workspaceId, kind } })
    : undefined;
  if (!dataset) throw new NotFoundError(kind === 'reference' ? 'reference data' : 'source data', id);
  return dataset;
}

/**
 * A dataset named inside a request body (a config's or a strategy's): the workspace's dataset of that kind, or the
 * message of the validation issue to report on the id's field (missing, or the other kind).
 */
export async function datasetForField(
  context: Context,
  workspaceId: string,
  id: string,
  kind: DatasetKind,
): Promise<{ dataset: Dataset } | { problem: string }> {
  const dataset = isUuid(id) ? await context.db.query.datasets.findFirst({ where: { id, workspaceId } }) : undefined;
  if (!dataset) return { problem: `no ${kind} data with this id in your workspace` };
  if (dataset.kind !== kind) return { problem: `this dataset is ${dataset.kind} data, not ${kind} data` };
  return { dataset };
}

/** For GraphQL, whose dataset ids do not say the kind. */
export async function getAnyDataset(context: Context, id: string): Promise<Dataset> {
  const actor = requireScope(context.actor, 'read');
  const dataset = isUuid(id) ? await context.db.query.datasets.findFirst({ where: { id, workspaceId: actor.workspaceId } }) : undefined;
  if (!dataset) throw new NotFoundError('dataset', id);
  return dataset;
}

export async function listDatasets(
  context: Context,
  kind: DatasetKind,
  paging: { page?: unknown; limit?: unknown },
): Promise<Page<Dataset>> {
  const { page, limit } = parsePage(paging);
  const { data, total } = await datasetsSlice(context, kind, (page - 1) * limit, limit);
  return { data, total, page, limit };
}

/** Newest first; offset/limit come from a validated page or a GraphQL connection. */
export async function datasetsSlice(context: Context, kind: DatasetKind, offset: number, limit: number) {
  const actor = requireScope(context.actor, 'read');
  const where = and(eq(datasets.workspaceId, actor.workspaceId), eq(datasets.kind, kind));
  const [data, [totals]] = await Promise.all([
    context.db.select().from(datasets).where(where).orderBy(desc(datasets.createdAt), desc(datasets.id)).limit(limit).offset(offset),
    context.db.select({ total: count() }).from(datasets).where(where),
  ]);
  return { data, total: totals?.total ?? 0 };
}

export async function deleteDataset(context: Context, kind: DatasetKind, id: string): Promise<void> {
  requireScope(context.actor, 'write');
  const dataset = await getDataset(context, kind, id);
  const column = kind === 'reference' ? matchingConfigs.referenceDataId : matchingConfigs.sourceDataId;
  const [used] = await context.db.select({ id: matchingConfigs.id }).from(matchingConfigs).where(eq(column, dataset.id)).limit(1);
  if (used) throw new ConflictError(`This ${kind} data is used by matching config ${used.id}; delete or change that config first.`);
  // A run reads its datasets until it ends, also one given its own source or whose config was since changed or
  // deleted: deleting one under it left the run "completed" with no rows processed. A run queued after this check
  // fails at planning, saying why.
  const [active] = await context.db
    .select({ id: runs.id, status: runs.status })
    .from(runs)
    .where(
      and(
        eq(runs.workspaceId, dataset.workspaceId),
        inArray(runs.status, ['queued', 'running', 'ai_resolving']),
        sql`${dataset.id} in (${runs.snapshot}->>'referenceDataId', ${runs.snapshot}->>'sourceDataId')`,
      ),
    )
    .limit(1);
  if (active)
    throw new ConflictError(
      `This ${kind} data is used by run ${active.id} (${active.status}); cancel the run or wait for it to end first.`,
    );
  await context.db.delete(datasets).where(eq(datasets.id, dataset.id));
}

export async function listRows(
  context: Context,
  kind: DatasetKind,
  id: string,
  paging: { page?: unknown; limit?: unknown },
): Promise<Page<DatasetRow>> {
  const dataset = await getDataset(context, kind, id);
  const { page, limit } = parsePage(paging, 500, 100);
  return { data: await rowsSlice(context, dataset, (page - 1) * limit, limit), total: dataset.rowCount, page, limit };
}

/** Rows in upload order, of a dataset the caller already got through getDataset (which checked access). */
export async function rowsSlice(context: Context, dataset: Dataset, offset: number, limit: number): Promise<DatasetRow[]> {
  return context.db
    .select()
    .from(datasetRows)
    .where(eq(datasetRows.datasetId, dataset.id))
    .orderBy(asc(datasetRows.position))
    .limit(limit)
    .offset(offset);
}

/** The rows as CSV, streamed with a cursor: header from the dataset's columns, one line per row in upload order. */
export async function* exportDatasetCsv(context: Context, kind: DatasetKind, id: string): AsyncGenerator<string> {
  const dataset = await getDataset(context, kind, id);
  const names = dataset.columns.map((column) => column.name);
  yield toCsvLine(names);
  for await (const rows of streamRowValues(context.sql, dataset.id)) {
    yield rows.map((values) => toCsvLine(names.map((name) => values[name]))).join('');
  }
}
