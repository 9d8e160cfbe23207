// Minimal streaming CSV reader for the bench's own files and FEBRL: comma-separated, no quoting, every field
// trimmed unless told otherwise (FEBRL puts a space after each comma; the bench's own files have none), all
// values read as strings. Reads in 1 MiB blocks so a million-row reference file never exists as one string.
import { closeSync, openSync, readSync } from 'node:fs';

/** `trim` (default true): trim every field (the bench's own files need not). */
export function* readCsvLines(path: string, { trim = true }: { trim?: boolean } = {}): Generator<string[]> {
  const fd = openSync(path, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let carry = '';
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      const text = carry + buffer.toString('utf8', 0, n);
      const lines = text.split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') yield split(line, trim);
    }
    if (carry.trim() !== '') yield split(carry, trim);
  } finally {
    closeSync(fd);
  }
}

function split(line: string, trim: boolean): string[] {
  const fields = (line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line).split(',');
  if (trim) for (let i = 0; i < fields.length; i++) fields[i] = (fields[i] as string).trim();
  return fields;
}

/** Rows as objects keyed by the header. */
export function* readCsvRecords(path: string): Generator<Record<string, string>> {
  let header: string[] | undefined;
  for (const fields of readCsvLines(path)) {
    if (header === undefined) {
      header = fields;
      continue;
    }
    const record: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) record[header[i] as string] = fields[i] ?? '';
    yield record;
  }
}
