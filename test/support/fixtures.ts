import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

export function fixture(relative: string): Buffer {
  return readFileSync(path.join(fixtures, relative));
}

/** A multipart body with the fields first, then the file, as the upload routes expect. */
export function uploadForm(file: Buffer | string, filename: string, fields: Record<string, string> = {}, type = 'text/csv'): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([typeof file === 'string' ? file : new Uint8Array(file)], { type }), filename);
  return form;
}
