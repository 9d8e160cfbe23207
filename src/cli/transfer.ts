/** `import <file>` (a streamed multipart upload) and `export dataset|results` (CSV to a file or stdout). */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { ApiError, download, UsageError, type Connection } from './api';

const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.json': 'application/json',
  '.ndjson': 'application/x-ndjson',
  '.jsonl': 'application/x-ndjson',
};

export interface ImportOptions {
  kind: 'reference' | 'source';
  name: string;
  idColumn?: string | undefined;
}

const quote = (value: string) => value.replace(/["\r\n]/g, (char) => encodeURIComponent(char));

/**
 * POSTs the file as multipart/form-data, fields first (the server needs them before the file, which it streams into
 * PostgreSQL as it arrives), reading the file as it goes: a large file never sits in memory. Content-Length is
 * known up front, so an upload over MAX_UPLOAD_BYTES is refused before it is sent.
 */
export async function importFile(conn: Connection, file: string, options: ImportOptions): Promise<Record<string, unknown>> {
  const size = await stat(file).then(
    (info) => info.size,
    () => {
      throw new UsageError(`cannot read ${file}`);
    },
  );
  const boundary = `concord-${randomBytes(12).toString('hex')}`;
  const fields: Array<[string, string]> = [['name', options.name]];
  if (options.idColumn) fields.push(['id_column', options.idColumn]);
  const preamble = Buffer.from(
    fields.map(([name, value]) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') +
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${quote(path.basename(file))}"\r\n` +
      `content-type: ${CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'}\r\n\r\n`,
  );
  const epilogue = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(`${conn.url}/v1/${options.kind === 'reference' ? 'reference-data' : 'source-data'}`);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${conn.key}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': preamble.length + size + epilogue.length,
      },
    });
    request.on('error', (error) =>
      reject(new Error(`upload to ${conn.url} failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`)),
    );
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON: reported below with the status
        }
        if (response.statusCode === 201) resolve(body);
        else
          reject(
            new ApiError(
              response.statusCode ?? 0,
              String(body.code ?? 'error'),
              String(body.message ?? `HTTP ${response.statusCode} ${text.slice(0, 200)}`),
            ),
          );
      });
    });
    request.write(preamble);
    const source = createReadStream(file);
    source.on('error', (error) => request.destroy(error));
    source.on('end', () => request.end(epilogue));
    // The server may answer (and close) early, e.g. 401 or 413: stop reading the file then.
    request.on('close', () => source.destroy());
    source.pipe(request, { end: false });
  });
}

/** A dataset's rows as CSV: tries the id as reference data, then as source data (the routes are per kind). */
export async function exportDataset(conn: Connection, id: string, kind: string | undefined, output: string | undefined): Promise<void> {
  const kinds = kind ? [kind] : ['reference', 'source'];
  for (const [index, each] of kinds.entries()) {
    if (each !== 'reference' && each !== 'source') throw new UsageError('--kind must be reference or source.');
    try {
      return await save(await download(conn, `/v1/${each}-data/${encodeURIComponent(id)}/export`), output);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      // Tried under both kinds: the last 404 alone ("No source data…") would hide that reference data was tried too.
      if (index === kinds.length - 1)
        throw kinds.length > 1
          ? new ApiError(404, error.code, 'No reference or source data with this ID exists for your workspace.')
          : error;
    }
  }
}

export async function exportResults(conn: Connection, runId: string, output: string | undefined): Promise<void> {
  await save(await download(conn, `/v1/matching/runs/${encodeURIComponent(runId)}/results?format=csv`), output);
}

async function save(stream: NodeJS.ReadableStream, output: string | undefined): Promise<void> {
  if (output && output !== '-') await pipeline(stream, createWriteStream(output));
  else await pipeline(stream, process.stdout, { end: false });
}
