/**
 * Streaming parsers for dataset uploads (CSV, JSON array, NDJSON).
 *
 * `parseUpload()` reads the first 64 KB (encoding and format sniffing) and parses the header (CSV) and the first
 * batch of rows (the rows of the first 64 KB), then resolves with an `Upload` whose `rows` streams the rest on
 * demand. Nothing is read ahead of what the consumer pulls beyond one decoded slice of input (at most 64 KB, big
 * input chunks are sliced), so memory is bounded by that slice, the largest single record and small per-column
 * accumulators, whatever the row count.
 *
 * Notes for the importer:
 * - Every problem is an `UploadParseError` with a user-facing message and, where there is one, the 1-based `line`.
 *   Problems within the first 64 KB reject `parseUpload()`; later ones are thrown by the `rows` iterator after the
 *   rows before them were yielded, so the whole import must be treated as failed (roll back the COPY transaction).
 * - Iterate `rows` once. Breaking out of `for await` closes the input; if you never iterate, call
 *   `upload.rows[Symbol.asyncIterator]().return?.()` to release it.
 * - CSV values are strings or null (empty after trimming). JSON/NDJSON values keep JSON numbers/booleans (numbers are
 *   JS doubles: integers above 2^53 lose precision) and nested objects/arrays become JSON text.
 * - JSON/NDJSON columns can appear late: a row's `values` has every column known when it was parsed; columns first
 *   seen later are absent from earlier rows (treat as null). `columns()` is final only after `rows` is exhausted, so
 *   a COPY with a fixed column list needs either a first pass, a jsonb staging column, or a CSV upload.
 * - Column names are unique and non-empty after trimming, at most 10,000 of them; `__proto__` is an ordinary name.
 * - `columnTypes()` is advisory: it never changed any value ("0123" stays "0123" in a 'number' column), so casting a
 *   'number' column would drop leading zeros (postcodes, ids): keep such columns text unless you really want numbers.
 * - A Latin-1 file is detected only from its first 64 KB: a file whose first 64 KB are valid UTF-8 (e.g. all ASCII)
 *   and that has a Latin-1 byte later fails with "Line N contains bytes that are not valid UTF-8 ...".
 */
import { delimiterName, csvRows } from './csv';
import { ColumnSet } from './columns';
import { decodeText, readHead, type Encoding } from './decode';
import { UploadParseError } from './errors';
import type { ColumnType } from './infer';
import { jsonArrayRows, ndjsonRows } from './json';
import type { ParsedRow, UploadFormat } from './types';

export { UploadParseError } from './errors';
export type { CellValue, ParsedRow, UploadFormat } from './types';
export type { ColumnType } from './infer';

export interface ParseOptions {
  /**
   * Explicit format; otherwise detected from filename extension (.csv/.tsv/.txt/.json/.ndjson/.jsonl), then content
   * type (text/csv, application/json, application/x-ndjson), then content sniffing (first non-space byte '[' → json,
   * '{' → ndjson, else csv). One correction: a detected (not explicit) 'json' whose content starts with '{' is read
   * as NDJSON (".json" files holding JSON Lines are common).
   */
  format?: UploadFormat;
  filename?: string;
  contentType?: string;
  /** Trim surrounding white space of column names and string values. Default true. */
  trim?: boolean;
}

export interface Upload {
  format: UploadFormat;
  encoding: Encoding;
  /** CSV only (undefined otherwise): the detected delimiter. */
  delimiter?: 'comma' | 'semicolon' | 'tab';
  /**
   * Known after the header for CSV; for JSON/NDJSON grows as new keys appear (order of first appearance). Final after
   * rows is exhausted.
   */
  columns(): string[];
  /** Single use. Each row's `values` has every column known when the row was parsed (later-discovered ones absent). */
  rows: AsyncIterable<ParsedRow>;
  /** After rows is exhausted: inferred type per column (see infer.ts). Before that: the inference so far. */
  columnTypes(): Array<{ name: string; type: ColumnType }>;
}

const EXTENSIONS: Record<string, UploadFormat> = {
  csv: 'csv',
  tsv: 'csv',
  txt: 'csv',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
};

const CONTENT_TYPES: Record<string, UploadFormat> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'application/vnd.ms-excel': 'csv',
  'application/json': 'json',
  'text/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/x-jsonlines': 'ndjson',
  'application/jsonlines': 'ndjson',
};

function formatFromHints(options: ParseOptions): UploadFormat | undefined {
  const m = options.filename ? /\.([A-Za-z0-9]+)$/.exec(options.filename.trim()) : null;
  const byExt = m ? EXTENSIONS[m[1]!.toLowerCase()] : undefined;
  if (byExt) return byExt;
  const ct = options.contentType?.split(';')[0]?.trim().toLowerCase();
  return ct ? CONTENT_TYPES[ct] : undefined;
}

const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;

export async function parseUpload(input: AsyncIterable<Uint8Array>, options: ParseOptions = {}): Promise<Upload> {
  const it = input[Symbol.asyncIterator]();
  let head: Awaited<ReturnType<typeof readHead>>;
  try {
    head = await readHead(it);
  } catch (err) {
    await it.return?.();
    throw err;
  }
  if (head.firstByte === undefined && head.complete) {
    await it.return?.();
    throw new UploadParseError('The file is empty.', 1);
  }

  let format = options.format;
  if (!format) {
    format = formatFromHints(options);
    if (format === 'json' && head.firstByte === OPEN_BRACE) format = 'ndjson';
    if (!format) format = head.firstByte === OPEN_BRACKET ? 'json' : head.firstByte === OPEN_BRACE ? 'ndjson' : 'csv';
  }

  const columns = new ColumnSet(options.trim ?? true);
  const text = decodeText(head, it);
  let delimiter: Upload['delimiter'];
  const gen: AsyncGenerator<ParsedRow[], void, undefined> =
    format === 'csv'
      ? csvRows(text, columns, (d) => {
          delimiter = delimiterName(d) as Upload['delimiter'];
        })
      : format === 'json'
        ? jsonArrayRows(text, columns)
        : ndjsonRows(text, columns);

  // Parse the header and the first batch of rows now, so that empty / header-only / wrong-format files reject here.
  let batch: ParsedRow[];
  try {
    const first = await gen.next();
    batch = first.done ? [] : first.value;
  } catch (err) {
    await text.return(undefined);
    throw err;
  }

  // The parsers yield one batch of rows per decoded text piece (<= 256 KB); this iterator hands them out one by one
  // without an async-generator hop per row.
  let used = false;
  let pos = 0;
  let finished = false;
  const rowsIterator: AsyncIterator<ParsedRow, undefined> = {
    async next(): Promise<IteratorResult<ParsedRow, undefined>> {
      while (pos >= batch.length) {
        if (finished) return { done: true, value: undefined };
        try {
          const r = await gen.next();
          if (r.done) {
            finished = true;
            batch = [];
          } else {
            batch = r.value;
          }
        } catch (err) {
          finished = true;
          batch = [];
          throw err;
        }
        pos = 0;
      }
      const value = batch[pos]!;
      batch[pos++] = undefined as unknown as ParsedRow; // let the row be collected once consumed
      return { done: false, value };
    },
    async return(): Promise<IteratorResult<ParsedRow, undefined>> {
      if (!finished) {
        finished = true;
        batch = [];
        await gen.return(undefined);
      }
      return { done: true, value: undefined };
    },
  };

  return {
    format,
    encoding: head.encoding,
    ...(delimiter ? { delimiter } : {}),
    columns: () => columns.names.slice(),
    rows: {
      [Symbol.asyncIterator]() {
        if (used) throw new Error('Upload.rows can only be iterated once.');
        used = true;
        return rowsIterator;
      },
    },
    columnTypes: () => columns.columnTypes(),
  };
}

/** Convenience for callers holding a Buffer/Uint8Array (tests, small uploads). */
export async function* chunksOf(data: Uint8Array, chunkSize = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += chunkSize) yield data.subarray(i, Math.min(i + chunkSize, data.length));
}
