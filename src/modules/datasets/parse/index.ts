/**
 * Streaming parsers for dataset uploads (CSV, JSON array, NDJSON).
 *
 * `parseUpload()` reads the first 64 KB (encoding and format sniffing), parses the header (CSV) and the first data
 * row, and resolves with an `Upload` whose `rows` streams the rest on demand: nothing is read ahead of what the
 * consumer pulls beyond one decoded input chunk (at most 256 KB), so memory is bounded by the largest record plus
 * small per-column accumulators, whatever the row count.
 *
 * Every problem is an `UploadParseError` with a user-facing message and, where there is one, the 1-based line.
 * Problems in the first 64 KB / first row reject `parseUpload()`; later ones are thrown by the `rows` iterator (after
 * the rows before them were yielded: an importer must treat the whole upload as failed, e.g. roll back).
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
  let head;
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
