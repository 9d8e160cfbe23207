import busboy from 'busboy';
import type { Readable } from 'node:stream';
import type { DatasetKind } from '../../db/schema';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../errors';
import {
  deleteDataset,
  exportDatasetCsv,
  getDataset,
  importDataset,
  importDatasetFromJson,
  listDatasets,
  listRows,
  type Dataset,
} from '../../modules/datasets/service';
import { rowBody, rowsWrittenBody, tableBody } from '../../modules/datasets/body';
import { deleteReferenceRow, patchReferenceRow, upsertReferenceRows, type RowsSource } from '../../modules/datasets/rows';
import { keysToCamel } from '../../modules/shared/key-case';
import { numberedPagination } from './pagination';
import type { RestHandler, RestRequest } from './router';

/** The file part's bytes, within the size limit; a truncated multipart body is the client's error (400). */
async function* limitBytes(stream: Readable, limit: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new PayloadTooLargeError(limit);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof PayloadTooLargeError) throw error;
    throw new ValidationError(`The multipart body ended early or is malformed: ${(error as Error).message}`);
  }
}

/** The clear answer to a file part sent before the fields that configure its import (curl -F file=@… -F name=x). */
const FIELDS_FIRST = 'send name and id_column before file';

/**
 * multipart/form-data: the fields (name, id_column, …) must come before the file part, which is streamed into the
 * import as it arrives. A field after the file part is a 400 ("send name and id_column before file"), never ignored:
 * the file's bytes end only once the whole multipart body has been parsed, so a late field fails the import.
 */
function importMultipart(request: RestRequest, kind: DatasetKind): Promise<Dataset> {
  const limit = request.context.settings.MAX_UPLOAD_BYTES;
  if (Number(request.raw.headers['content-length'] ?? 0) > limit + 64 * 1024) return Promise.reject(new PayloadTooLargeError(limit));
  return new Promise<Dataset>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.raw.headers, limits: { files: 1, fields: 50, fieldSize: 64 * 1024, fileSize: limit + 1 } });
    } catch (error) {
      reject(new ValidationError(`Invalid multipart request: ${(error as Error).message}`));
      return;
    }
    const fields: Record<string, string> = {};
    const lateFields: string[] = [];
    let started = false;
    const parsed = new Promise<void>((settle) => parser.once('close', settle).once('error', () => settle()));
    parser.on('field', (name, value) => {
      if (started) lateFields.push(name);
      else fields[name] = value;
    });
    parser.on('file', (fieldName, stream, info) => {
      // busboy also emits a truncated body's error on the part's stream; the import sees it through iteration, and
      // a part nobody reads any more must not turn it into an unhandled 'error' event.
      stream.on('error', () => {});
      if (fieldName !== 'file' || started) {
        stream.resume();
        return;
      }
      started = true;
      if (fields.name === undefined) {
        stream.resume();
        reject(
          new ValidationError(`No "name" field came before the file part: ${FIELDS_FIRST}.`, [
            { path: 'name', message: `required before the file part (${FIELDS_FIRST})` },
          ]),
        );
        return;
      }
      const trim = fields.trim ?? request.query.get('trim') ?? undefined;
      // Every field goes to the service's strict validation, so a misspelt one (id_colum) is a 400, not ignored;
      // trim other than true/false stays a string, which it refuses.
      const options = {
        ...(keysToCamel(fields) as Record<string, unknown>),
        trim: trim === 'true' ? true : trim === 'false' ? false : trim,
      };
      const body = fieldsFirst(limitBytes(stream, limit), parsed, lateFields);
      importDataset(request.context, kind, { body, filename: info.filename, contentType: info.mimeType }, options).then(
        resolve,
        (error) => {
          stream.resume();
          reject(error);
        },
      );
    });
    parser.on('close', () => {
      if (!started) reject(new ValidationError('The multipart body has no "file" part.', [{ path: 'file', message: 'required' }]));
    });
    parser.on('error', (error) => reject(new ValidationError(`Invalid multipart body: ${(error as Error).message}`)));
    request.raw.pipe(parser);
  });
}

/** The file's bytes, ending once the rest of the multipart body is parsed: a field found after the file is a 400. */
async function* fieldsFirst(file: AsyncIterable<Uint8Array>, parsed: Promise<void>, lateFields: string[]): AsyncGenerator<Uint8Array> {
  yield* file;
  await parsed;
  const late = [...new Set(lateFields)];
  if (late.length) {
    throw new ValidationError(
      `The field${late.length > 1 ? 's' : ''} ${late.map((name) => `"${name}"`).join(', ')} came after the file part: ${FIELDS_FIRST}.`,
      late.map((name) => ({ path: name, message: `sent after the file part (${FIELDS_FIRST})` })),
    );
  }
}

/** The handlers of one kind of table (reference or source data); the route table serves them under both paths. */
export function datasetHandlers(kind: DatasetKind) {
  const create: RestHandler = async (request) => {
    const type = request.raw.headers['content-type'] ?? '';
    const dataset = /^multipart\/form-data/i.test(type)
      ? await importMultipart(request, kind)
      : await importDatasetFromJson(request.context, kind, keysToCamelExceptData(await request.json()));
    return { status: 201, body: tableBody(dataset) };
  };
  const list: RestHandler = async (request) => {
    const page = await listDatasets(request.context, kind, {
      page: request.query.get('page') ?? undefined,
      limit: request.query.get('limit') ?? undefined,
    });
    return { status: 200, body: { data: page.data.map(tableBody), pagination: numberedPagination(page) } };
  };
  const get: RestHandler = async (request) => ({
    status: 200,
    body: tableBody(await getDataset(request.context, kind, request.params.id!)),
  });
  const remove: RestHandler = async (request) => {
    await deleteDataset(request.context, kind, request.params.id!);
    return { status: 200, body: { deleted: true } };
  };
  const rows: RestHandler = async (request) => {
    const page = await listRows(request.context, kind, request.params.id!, {
      page: request.query.get('page') ?? undefined,
      limit: request.query.get('limit') ?? undefined,
    });
    return { status: 200, body: { data: page.data.map((row) => rowBody(kind, row)), pagination: numberedPagination(page) } };
  };
  const exportCsv: RestHandler = async (request) => {
    const dataset = await getDataset(request.context, kind, request.params.id!);
    return {
      status: 200,
      contentType: 'text/csv; charset=utf-8',
      headers: { 'content-disposition': `attachment; filename="${dataset.id}.csv"` },
      stream: exportDatasetCsv(request.context, kind, dataset.id),
    };
  };
  return { create, list, get, remove, rows, exportCsv };
}

/** JSON (`application/json`, `…+json`, or no Content-Type) or NDJSON (`application/x-ndjson` and its aliases). */
export function rowsFormat(contentType: string | undefined): RowsSource['format'] {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!type || /^application\/(.+\+)?json$/.test(type)) return 'json';
  if (/^application\/(x-)?(ndjson|jsonl|jsonlines)$/.test(type) || type === 'application/x-jsonlines') return 'ndjson';
  throw new UnsupportedMediaTypeError(
    `Expected rows as JSON (Content-Type: application/json) or NDJSON (application/x-ndjson), got "${type}".`,
  );
}

/**
 * Row writes of live reference data (rows.ts): upsert by external id (a JSON array or NDJSON, as Content-Type says),
 * change one row, delete one row. The body is read whole within MAX_JSON_BYTES (10,000 rows a request at most).
 */
export const referenceRowHandlers = {
  upsert: (async (request) => {
    const format = rowsFormat(request.raw.headers['content-type']);
    const bytes = await request.bytes();
    const written = await upsertReferenceRows(request.context, request.params.id!, {
      body: (async function* () {
        yield bytes;
      })(),
      format,
    });
    return { status: 200, body: rowsWrittenBody(written) };
  }) as RestHandler,
  patch: (async (request) => {
    const written = await patchReferenceRow(request.context, request.params.id!, request.params.external_id!, await request.json());
    return { status: 200, body: { version: written.version, row: rowBody('reference', written.row) } };
  }) as RestHandler,
  remove: (async (request) => {
    const deleted = await deleteReferenceRow(request.context, request.params.id!, request.params.external_id!);
    return { status: 200, body: { deleted: true, version: deleted.version, id: deleted.id, external_id: deleted.externalId } };
  }) as RestHandler,
};

/** The rows under `data` keep their keys: they are the user's column names. */
function keysToCamelExceptData(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const { data, ...rest } = body as Record<string, unknown>;
  return { ...(keysToCamel(rest) as object), data };
}
