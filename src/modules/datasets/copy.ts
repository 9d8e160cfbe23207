import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { finished as streamFinished } from 'node:stream/promises';
import type postgres from 'postgres';
import { ValidationError } from '../../errors';
import type { CellValue, Upload } from './parse';

export interface CopyOptions {
  /** Column whose value is the row's external id; absent → the row's position ("1", "2", …). */
  idColumn?: string;
  /** Column whose value is the source row's document filename. */
  filenameColumn?: string;
}

/**
 * Row ids in file order: UUIDv7 (48-bit time of the import, version 7, random bits) whose last 32 bits are the row's
 * position. Ordered ids let the primary-key index grow at its right edge instead of taking a million random inserts.
 */
export function rowIdFactory(now = Date.now()): (position: number) => string {
  const time = now.toString(16).padStart(12, '0').slice(-12);
  const random = randomBytes(6).toString('hex');
  const variant = (0x8000 | (parseInt(random.slice(3, 7), 16) & 0x3fff)).toString(16);
  const prefix = `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(0, 3)}-${variant}-${random.slice(7, 11)}`;
  return (position) => prefix + position.toString(16).padStart(8, '0');
}

/** `\udXXX` escaped in JSON text (an even number of backslashes before it: not an escaped backslash). */
export const LONE_SURROGATE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;

/**
 * Ids are kept in a unique B-tree index, whose entries PostgreSQL caps near 2.7 kB; a longer id would make it reject
 * the row in the middle of COPY. 500 characters stay under the cap in any UTF-8 text.
 */
export const MAX_EXTERNAL_ID_LENGTH = 500;

/** COPY text format: backslash, newline, carriage return and tab are escaped; \N is NULL. */
function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\n\r\t]/g, (char) => (char === '\\' ? '\\\\' : char === '\n' ? '\\n' : char === '\r' ? '\\r' : '\\t'));
}

function requireColumn(upload: Upload, column: string | undefined, option: string): void {
  if (column !== undefined && !upload.columns().includes(column)) {
    throw new ValidationError(`${option} "${column}" is not a column of the file.`, [
      { path: option, message: `not a column; columns are: ${upload.columns().slice(0, 50).join(', ')}` },
    ]);
  }
}

/**
 * A refusal by PostgreSQL in the middle of COPY (a check the service does not make itself: a constraint, a trigger,
 * a limit such as jsonb's size). Any error PostgreSQL reports against a row ("COPY dataset_rows, line N", which counts
 * data rows as `position` does), and any data, constraint or program-limit error (SQLSTATE classes 22, 23, 54), is
 * the upload's fault: a 400 naming the file line. Errors of the connection, the server or a cancellation (classes
 * 08, 40, 53, 57, 58, XX) carry the line too but are not the row's fault: they are rethrown as they are (a 500).
 */
function refusal(error: unknown, lineOfPosition: (position: number) => number | undefined): unknown {
  const pg = error as { code?: unknown; where?: unknown; message?: unknown };
  if (typeof pg.code !== 'string' || /^(08|40|53|57|58|XX)/.test(pg.code)) return error;
  const copyLine = /COPY dataset_rows, line (\d+)/.exec(typeof pg.where === 'string' ? pg.where : '');
  if (!copyLine && !/^(22|23|54)/.test(pg.code)) return error;
  const line = copyLine ? lineOfPosition(Number(copyLine[1])) : undefined;
  const what = line === undefined ? 'A row of the file' : `Line ${line}`;
  return new ValidationError(`${what} could not be stored: ${String(pg.message)}.`, [
    { path: line === undefined ? 'file' : `line ${line}`, message: String(pg.message) },
  ]);
}

function cellText(value: CellValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  return String(value);
}

/**
 * Streams the parsed rows into dataset_rows with COPY, honouring backpressure. Returns the row count.
 * Throws ValidationError (naming the line) for a missing or repeated id; the caller's transaction then rolls back.
 */
export async function copyRowsIntoDataset(
  sql: postgres.TransactionSql,
  datasetId: string,
  upload: Upload,
  options: CopyOptions,
): Promise<number> {
  const firstLineByExternalId = new Map<string, number>();
  const checkColumnsOnce = () => {
    requireColumn(upload, options.idColumn, 'id_column');
    requireColumn(upload, options.filenameColumn, 'filename_column');
  };
  const rowId = rowIdFactory();
  const writable = await sql`copy dataset_rows (id, dataset_id, position, external_id, filename, values) from stdin`.writable();
  // Settles when the COPY ends, and rejects when the stream is destroyed before that, with or without an error: a wait
  // for 'drain' or 'finish' alone hung the import when PostgreSQL's refusal closed the stream.
  const finished = streamFinished(writable);
  finished.catch(() => {});
  let position = 0;
  let buffer = '';
  try {
    for await (const row of upload.rows) {
      if (position === 0 && upload.format === 'csv') checkColumnsOnce();
      position += 1;
      const externalId = options.idColumn ? cellText(row.values[options.idColumn]) : String(position);
      if (externalId === null) {
        throw new ValidationError(`Line ${row.line} has no value in the id column "${options.idColumn}".`, [
          { path: `line ${row.line}`, message: 'empty id' },
        ]);
      }
      if (externalId.length > MAX_EXTERNAL_ID_LENGTH) {
        throw new ValidationError(
          `Line ${row.line} has an id of ${externalId.length} characters; ids may have at most ${MAX_EXTERNAL_ID_LENGTH}.`,
          [{ path: `line ${row.line}`, message: 'id too long' }],
        );
      }
      const seenOn = firstLineByExternalId.get(externalId);
      if (seenOn !== undefined) {
        throw new ValidationError(`Line ${row.line} repeats the id "${externalId.slice(0, 200)}" of line ${seenOn}.`, [
          { path: `line ${row.line}`, message: `duplicate id (first on line ${seenOn})` },
        ]);
      }
      firstLineByExternalId.set(externalId, row.line);
      const json = JSON.stringify(row.values);
      if (json.includes('\\u0000')) {
        throw new ValidationError(`Line ${row.line} contains a NUL character, which cannot be stored.`, [
          { path: `line ${row.line}`, message: 'NUL character' },
        ]);
      }
      // JSON.stringify escapes a lone UTF-16 surrogate (from a JSON body's "\ud83d"); jsonb refuses it, and the COPY
      // then never finished (the request hung).
      if (LONE_SURROGATE.test(json)) {
        throw new ValidationError(`Line ${row.line} contains a lone UTF-16 surrogate, which cannot be stored.`, [
          { path: `line ${row.line}`, message: 'lone surrogate' },
        ]);
      }
      const filename = options.filenameColumn ? cellText(row.values[options.filenameColumn]) : null;
      buffer += `${rowId(position)}\t${datasetId}\t${position}\t${copyField(externalId)}\t${copyField(filename)}\t${copyField(json)}\n`;
      if (buffer.length >= 256 * 1024) {
        const chunk = buffer;
        buffer = '';
        // A refusal destroys the stream: writing on would wait for a 'drain' that never comes.
        if (writable.errored) throw writable.errored;
        if (!writable.write(chunk)) await Promise.race([once(writable, 'drain'), finished]);
      }
    }
    if (position === 0) throw new ValidationError('The file has no data rows.');
    // JSON inputs learn their columns while streaming: check the options against the final list.
    checkColumnsOnce();
    if (writable.errored) throw writable.errored;
    writable.end(buffer);
    await finished;
    return position;
  } catch (error) {
    // postgres.js settles the stream with PostgreSQL's error only with src/db/patches (porsager/postgres#1173);
    // unpatched, a refused row left this await, the request and its transaction hanging.
    writable.destroy(error as Error);
    // The n-th id inserted is the n-th row's (a Map keeps insertion order): its line, found only on this rare path.
    throw refusal(error, (position) => [...firstLineByExternalId.values()][position - 1]);
  }
}
