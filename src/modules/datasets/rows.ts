/**
 * Live reference data (issue 21): rows of a reference dataset upserted, changed and deleted by external id after the
 * upload. Each write request is one transaction that
 *   1. bumps `datasets.version` (its row lock also serialises the writes of one dataset: positions and versions
 *      never race),
 *   2. changes the rows (new rows are appended after the last position; an existing external id keeps its row id
 *      and position),
 *   3. records every row's change in `reference_row_changes` with the row as it was before (row-changes.ts reads
 *      them: changesSince for catch-up, loadReferenceSnapshot to rewind to a run's version),
 *   4. keeps `row_count` right, prunes old change records now and then, and NOTIFYs REFERENCE_ROWS_CHANNEL (delivered
 *      on commit).
 * Any problem (a bad row among 10,000, an unknown column) rolls everything back: all or nothing.
 *
 * The external id of a row is the value of the dataset's id column (`datasets.id_column`). A dataset uploaded
 * without one numbered its rows "1", "2", …; rows written to it carry their external id in the reserved field
 * `external_id` (not stored as a column), so every row still has one key to be found, changed and deleted by.
 * Only reference data takes row writes: source data is what a run reads as a whole, and changing it under its runs
 * has no meaning yet; a source dataset's id is a 409 conflict saying so.
 */
import { z } from 'zod';
import type postgres from 'postgres';
import type { Context } from '../../context';
import { ConflictError, NotFoundError, ValidationError, validationErrorFromIssues, type ErrorDetail } from '../../errors';
import { assertJsonDepth } from '../../json-depth';
import { requireScope } from '../workspaces/actor';
import { LONE_SURROGATE, MAX_EXTERNAL_ID_LENGTH, rowIdFactory } from './copy';
import { parseUpload, UploadParseError, type Upload } from './parse';
import { ColumnSet } from './parse/columns';
import { KEEP_VERSIONS, REFERENCE_ROWS_CHANNEL } from './row-changes';
import { getAnyDataset, rowValues, type Dataset, type DatasetRow } from './service';

/** Rows one upsert request may carry. */
export const MAX_ROWS_PER_WRITE = 10_000;

/** Where a row names its external id when the dataset has no id column. */
export const EXTERNAL_ID_FIELD = 'external_id';

/** Change records are pruned by the write whose version is a multiple of this (amortises the runs lookup). */
const PRUNE_EVERY_VERSIONS = 100;

/** At most this many problems are listed in one 400 (a batch of 10,000 bad rows would make a 10,000-line answer). */
const MAX_DETAILS = 50;

export interface RowsWritten {
  datasetId: string;
  version: number;
  inserted: number;
  updated: number;
  rowCount: number;
}

export interface RowWritten {
  version: number;
  row: DatasetRow;
}

export interface RowDeleted {
  version: number;
  id: string;
  externalId: string;
}

/** A row write's body: a JSON array of objects, or NDJSON (one object per line). */
export interface RowsSource {
  body: AsyncIterable<Uint8Array>;
  format: 'json' | 'ndjson';
}

/** The reference dataset a row write addresses: 404 when it is not the caller's, 409 when it is source data. */
async function writableReference(context: Context, datasetId: string): Promise<Dataset> {
  requireScope(context.actor, 'write');
  const dataset = await getAnyDataset(context, datasetId).catch((error: unknown) => {
    throw error instanceof NotFoundError ? new NotFoundError('reference data', datasetId) : error;
  });
  if (dataset.kind !== 'reference') {
    throw new ConflictError(
      'This dataset is source data: only reference data takes row writes (upsert, change, delete). Upload source data again instead.',
    );
  }
  return dataset;
}

/** The key of a row's external id: the id column, or `external_id` for datasets numbered by position. */
function idKey(dataset: Dataset): string {
  return dataset.idColumn ?? EXTERNAL_ID_FIELD;
}

function externalIdOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}

/** Problems of text PostgreSQL cannot store in jsonb (the upload checks the same). */
function unstorable(json: string): string | undefined {
  if (json.includes('\\u0000')) return 'contains a NUL character, which cannot be stored';
  if (LONE_SURROGATE.test(json)) return 'contains a lone UTF-16 surrogate, which cannot be stored';
  return undefined;
}

class Problems {
  readonly details: ErrorDetail[] = [];
  count = 0;
  add(path: string, message: string): void {
    this.count += 1;
    if (this.details.length < MAX_DETAILS) this.details.push({ path, message });
  }
  throwIfAny(what: string): void {
    if (!this.count) return;
    const more = this.count > this.details.length ? ` (the first ${this.details.length} are listed)` : '';
    throw new ValidationError(`${what}: ${this.count} problem${this.count > 1 ? 's' : ''}${more}; nothing was written.`, this.details);
  }
}

interface ParsedWrite {
  externalId: string;
  values: Record<string, unknown>;
}

/**
 * The rows of an upsert body, read with the upload parsers (JSON array or NDJSON; strings trimmed, empty strings
 * null, nested values as JSON text, as an upload stores them), checked against the dataset's columns: a column the
 * dataset does not have is a 400 naming it (the columns stay those of the upload: matching configs were validated
 * against them), a column left out is null (an upsert replaces the whole row; PATCH merges). Each row needs an
 * external id, once per request.
 */
async function parseRows(dataset: Dataset, source: RowsSource): Promise<ParsedWrite[]> {
  const columns = dataset.columns.map((column) => column.name);
  const known = new Set(columns);
  const key = idKey(dataset);
  let upload: Upload;
  try {
    upload = await parseUpload(source.body, { format: source.format, trim: true });
  } catch (error) {
    if (error instanceof UploadParseError) throw rowsParseError(error, source.format);
    throw error;
  }
  const problems = new Problems();
  const unknown = new Map<string, number>();
  const firstIndexOf = new Map<string, number>();
  const rows: ParsedWrite[] = [];
  let index = 0;
  try {
    for await (const row of upload.rows) {
      if (index >= MAX_ROWS_PER_WRITE) {
        throw new ValidationError(
          `A request may upsert at most ${MAX_ROWS_PER_WRITE.toLocaleString('en-US')} rows; this one has more. Send them in several requests.`,
          [{ path: `[${MAX_ROWS_PER_WRITE}]`, message: `more than ${MAX_ROWS_PER_WRITE} rows` }],
        );
      }
      const at = `[${index}]`;
      // A key joins the parser's columns in the first row that has it (later rows get it as null): that row names it.
      for (const name of Object.keys(row.values)) {
        if (!known.has(name) && name !== key && !unknown.has(name)) unknown.set(name, index);
      }
      const externalId = externalIdOf(row.values[key]);
      if (externalId === null) {
        problems.add(
          `${at}.${key}`,
          dataset.idColumn ? `required: the id column "${key}"` : `required: "${EXTERNAL_ID_FIELD}" (this reference data has no id column)`,
        );
      } else if (externalId.length > MAX_EXTERNAL_ID_LENGTH) {
        problems.add(`${at}.${key}`, `an id of ${externalId.length} characters; ids may have at most ${MAX_EXTERNAL_ID_LENGTH}`);
      } else if (firstIndexOf.has(externalId)) {
        problems.add(
          `${at}.${key}`,
          `repeats the id "${externalId.slice(0, 200)}" of row ${firstIndexOf.get(externalId)} (each row once per request)`,
        );
      } else {
        firstIndexOf.set(externalId, index);
      }
      // Every column of the dataset, in its order (fromEntries keeps a column named "__proto__" an own property).
      const values = Object.fromEntries(columns.map((name) => [name, row.values[name] ?? null]));
      const problem = unstorable(JSON.stringify(values));
      if (problem) problems.add(at, problem);
      if (externalId !== null) rows.push({ externalId, values });
      index += 1;
    }
  } catch (error) {
    if (error instanceof UploadParseError) throw rowsParseError(error, source.format);
    throw error;
  }
  for (const [name, at] of unknown) {
    problems.add(`[${at}].${name}`, `unknown column; the columns of this reference data are: ${columns.slice(0, 50).join(', ')}`);
  }
  if (index === 0)
    throw new ValidationError('The body has no rows: send a JSON array of row objects, or NDJSON.', [{ path: 'body', message: 'no rows' }]);
  if (unknown.size) {
    const names = [...unknown.keys()].map((name) => `"${name}"`).join(', ');
    throw new ValidationError(
      `Unknown column${unknown.size > 1 ? 's' : ''} ${names}: rows may only use the columns of this reference data; nothing was written.`,
      problems.details,
    );
  }
  problems.throwIfAny('Invalid rows');
  return rows;
}

function rowsParseError(error: UploadParseError, format: RowsSource['format']): ValidationError {
  // The parsers speak of "the file"; here it is the request body.
  const message = error.message.replace(/\bThe file\b/g, 'The body').replace(/\bthe file\b/g, 'the body');
  return new ValidationError(
    `Invalid ${format === 'ndjson' ? 'NDJSON' : 'JSON'} rows: ${message}`,
    error.line === undefined ? undefined : [{ path: `line ${error.line}`, message }],
  );
}

/** Bumps the version (taking the dataset row's lock: the writes of one dataset run one at a time). */
async function bumpVersion(tx: postgres.TransactionSql, dataset: Dataset): Promise<number> {
  const [bumped] = await tx<{ version: string }[]>`
    update datasets set version = version + 1 where id = ${dataset.id} and kind = 'reference' returning version`;
  if (!bumped) throw new NotFoundError('reference data', dataset.id);
  return Number(bumped.version);
}

async function notifyRowsChanged(tx: postgres.TransactionSql, datasetId: string, version: number): Promise<void> {
  await tx`select pg_notify(${REFERENCE_ROWS_CHANNEL}, ${JSON.stringify({ datasetId, version })})`;
}

interface ChangeRecord {
  op: 'upsert' | 'delete';
  row_id: string;
  external_id: string;
  values: Record<string, unknown> | null;
  previous_values: Record<string, unknown> | null;
  previous_position: number | null;
}

async function recordChanges(tx: postgres.TransactionSql, datasetId: string, version: number, changes: ChangeRecord[]): Promise<void> {
  for (let start = 0; start < changes.length; start += 5000) {
    const batch = JSON.stringify(changes.slice(start, start + 5000));
    await tx`
      insert into reference_row_changes (dataset_id, version, op, row_id, external_id, "values", previous_values, previous_position)
      select ${datasetId}, ${version}, x.op, x.row_id, x.external_id, x."values", x.previous_values, x.previous_position
      from jsonb_to_recordset(${batch}::text::jsonb) as x(op text, row_id uuid, external_id text, "values" jsonb,
        previous_values jsonb, previous_position int)`;
  }
}

/**
 * Deletes change records no consumer needs: those of versions older than the last KEEP_VERSIONS, except what an
 * unfinished run still rewinds through (runs read the reference as it was at their `reference_version`). A warm index
 * further behind than that rebuilds (changesSince answers `complete: false`).
 */
export async function pruneRowChanges(
  sql: postgres.Sql | postgres.TransactionSql,
  dataset: { id: string; workspaceId: string },
  version: number,
  keepVersions = KEEP_VERSIONS,
): Promise<number> {
  const deleted = await sql`
    delete from reference_row_changes
    where dataset_id = ${dataset.id}
      and version <= least(${version - keepVersions}::bigint, coalesce((
        select min(reference_version) from runs
        where workspace_id = ${dataset.workspaceId} and status in ('queued', 'running', 'ai_resolving')
          and snapshot->>'referenceDataId' = ${dataset.id}::text), ${version}::bigint))`;
  return deleted.count;
}

async function finishWrite(tx: postgres.TransactionSql, dataset: Dataset, version: number): Promise<void> {
  if (version % PRUNE_EVERY_VERSIONS === 0) await pruneRowChanges(tx, dataset, version);
  await notifyRowsChanged(tx, dataset.id, version);
}

/** POST /v1/reference-data/:id/rows: upserts 1 to 10,000 rows by external id, all or nothing. */
export async function upsertReferenceRows(context: Context, datasetId: string, source: RowsSource): Promise<RowsWritten> {
  const dataset = await writableReference(context, datasetId);
  const rows = await parseRows(dataset, source);
  return context.sql.begin(async (tx) => {
    const version = await bumpVersion(tx, dataset);
    const ids = JSON.stringify(rows.map((row) => row.externalId));
    const existing = await tx<{ id: string; external_id: string; position: number; values: Record<string, unknown> }[]>`
      select id, external_id, position, "values" from dataset_rows
      where dataset_id = ${dataset.id} and external_id = any(array(select jsonb_array_elements_text(${ids}::text::jsonb)))`;
    const byExternalId = new Map(existing.map((row) => [row.external_id, row]));
    const [last] = await tx<
      { position: number }[]
    >`select coalesce(max(position), 0)::int as position from dataset_rows where dataset_id = ${dataset.id}`;
    let position = last!.position;
    const newRowId = rowIdFactory();
    const written: Array<{ id: string; position: number; external_id: string; values: Record<string, unknown> }> = [];
    const changes: ChangeRecord[] = [];
    for (const row of rows) {
      const before = byExternalId.get(row.externalId);
      const id = before?.id ?? newRowId(++position);
      written.push({ id, position: before?.position ?? position, external_id: row.externalId, values: row.values });
      changes.push({
        op: 'upsert',
        row_id: id,
        external_id: row.externalId,
        values: row.values,
        previous_values: before?.values ?? null,
        previous_position: before?.position ?? null,
      });
    }
    for (let start = 0; start < written.length; start += 5000) {
      const batch = JSON.stringify(written.slice(start, start + 5000));
      await tx`
        insert into dataset_rows (id, dataset_id, position, external_id, "values")
        select x.id, ${dataset.id}, x.position, x.external_id, x."values"
        from jsonb_to_recordset(${batch}::text::jsonb) as x(id uuid, position int, external_id text, "values" jsonb)
        on conflict (dataset_id, external_id) do update set "values" = excluded."values"`;
    }
    await recordChanges(tx, dataset.id, version, changes);
    const inserted = rows.length - existing.length;
    const [counted] = await tx<{ row_count: number }[]>`
      update datasets set row_count = row_count + ${inserted} where id = ${dataset.id} returning row_count`;
    await finishWrite(tx, dataset, version);
    return { datasetId: dataset.id, version, inserted, updated: existing.length, rowCount: counted!.row_count };
  });
}

/** GraphQL's rows (a list of JSON values): the same pipeline as a REST JSON body. */
export async function upsertReferenceRowsFromJson(context: Context, datasetId: string, rows: unknown): Promise<RowsWritten> {
  requireScope(context.actor, 'write');
  const parsed = z
    .object({
      rows: z
        .array(rowValues, 'rows must be a list of objects')
        .min(1, 'rows must not be empty')
        .max(MAX_ROWS_PER_WRITE, `at most ${MAX_ROWS_PER_WRITE} rows per request`),
    })
    .safeParse({ rows });
  if (!parsed.success) throw validationErrorFromIssues('Invalid rows.', parsed.error.issues);
  // JSON.stringify below would overflow the stack on absurd nesting (REST bodies are checked as they are read).
  assertJsonDepth(parsed.data.rows, 'The rows');
  const bytes = new TextEncoder().encode(JSON.stringify(parsed.data.rows));
  return upsertReferenceRows(context, datasetId, {
    body: (async function* () {
      yield bytes;
    })(),
    format: 'json',
  });
}

/**
 * A PATCH body's columns, normalised as an upload's (trimmed strings, empty → null, nested values as JSON text).
 * Unknown columns are a 400; the id column may be sent only with the row's own id (an id does not change: delete the
 * row and upsert it under the new one).
 */
function parsePatch(dataset: Dataset, externalId: string, body: unknown): Record<string, unknown> {
  const parsed = rowValues.safeParse(body);
  if (!parsed.success)
    throw new ValidationError('The body must be an object of column values.', [
      { path: 'body', message: 'must be an object of column values' },
    ]);
  if (!Object.keys(parsed.data).length)
    throw new ValidationError('The body names no column to change.', [{ path: 'body', message: 'no columns' }]);
  let values: Record<string, unknown>;
  try {
    values = new ColumnSet(true).objectValues(parsed.data, 1);
  } catch (error) {
    if (error instanceof UploadParseError) throw new ValidationError(error.message.replace(/^Line 1: /, ''));
    throw error;
  }
  const known = new Set(dataset.columns.map((column) => column.name));
  const problems = new Problems();
  for (const name of Object.keys(values)) {
    if (!known.has(name))
      problems.add(name, `unknown column; the columns of this reference data are: ${[...known].slice(0, 50).join(', ')}`);
  }
  if (dataset.idColumn && Object.hasOwn(values, dataset.idColumn) && externalIdOf(values[dataset.idColumn]) !== externalId) {
    problems.add(dataset.idColumn, 'the id column cannot change (delete the row and upsert it under its new id)');
  }
  problems.throwIfAny('Invalid change');
  return values;
}

/** The row of an external id, locked for the write (404 when absent: the transaction then rolls back). */
async function lockedRow(tx: postgres.TransactionSql, dataset: Dataset, externalId: string): Promise<DatasetRow & { position: number }> {
  const [row] = await tx<
    { id: string; dataset_id: string; position: number; external_id: string; filename: string | null; values: Record<string, unknown> }[]
  >`
    select id, dataset_id, position, external_id, filename, "values" from dataset_rows
    where dataset_id = ${dataset.id} and external_id = ${externalId} for update`;
  if (!row)
    throw new NotFoundError(
      'reference row',
      externalId,
      `No row with the external id "${externalId.slice(0, 200)}" in this reference data.`,
    );
  return {
    id: row.id,
    datasetId: row.dataset_id,
    position: row.position,
    externalId: row.external_id,
    filename: row.filename,
    values: row.values,
  };
}

/** PATCH /v1/reference-data/:id/rows/:external_id: merges the given columns into the row. */
export async function patchReferenceRow(context: Context, datasetId: string, externalId: string, body: unknown): Promise<RowWritten> {
  const dataset = await writableReference(context, datasetId);
  const patch = parsePatch(dataset, externalId, body);
  return context.sql.begin(async (tx) => {
    const version = await bumpVersion(tx, dataset);
    const row = await lockedRow(tx, dataset, externalId);
    const values = { ...row.values, ...patch };
    const problem = unstorable(JSON.stringify(values));
    if (problem) throw new ValidationError(`The change ${problem}.`);
    await tx`update dataset_rows set "values" = ${JSON.stringify(values)}::text::jsonb where id = ${row.id}`;
    await recordChanges(tx, dataset.id, version, [
      { op: 'upsert', row_id: row.id, external_id: row.externalId, values, previous_values: row.values, previous_position: row.position },
    ]);
    await finishWrite(tx, dataset, version);
    return { version, row: { ...row, values } };
  });
}

/** DELETE /v1/reference-data/:id/rows/:external_id. */
export async function deleteReferenceRow(context: Context, datasetId: string, externalId: string): Promise<RowDeleted> {
  const dataset = await writableReference(context, datasetId);
  return context.sql.begin(async (tx) => {
    const version = await bumpVersion(tx, dataset);
    const row = await lockedRow(tx, dataset, externalId);
    await tx`delete from dataset_rows where id = ${row.id}`;
    await tx`update datasets set row_count = row_count - 1 where id = ${dataset.id}`;
    await recordChanges(tx, dataset.id, version, [
      {
        op: 'delete',
        row_id: row.id,
        external_id: row.externalId,
        values: null,
        previous_values: row.values,
        previous_position: row.position,
      },
    ]);
    await finishWrite(tx, dataset, version);
    return { version, id: row.id, externalId: row.externalId };
  });
}
