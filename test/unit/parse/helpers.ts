import { parseUpload, type ParseOptions, type ParsedRow, type Upload, UploadParseError } from '../../../src/modules/datasets/parse/index';

export type Bytes = Buffer | string;

function toBuffer(data: Bytes, encoding: BufferEncoding = 'utf8'): Buffer {
  return typeof data === 'string' ? Buffer.from(data, encoding) : data;
}

/** Chunks of a fixed size. */
export async function* fixedChunks(data: Bytes, size: number): AsyncGenerator<Uint8Array> {
  const b = toBuffer(data);
  for (let i = 0; i < b.length; i += size) yield new Uint8Array(b.subarray(i, i + size));
}

/** Chunks cut at the given byte offsets. */
export async function* cutAt(data: Bytes, ...offsets: number[]): AsyncGenerator<Uint8Array> {
  const b = toBuffer(data);
  let prev = 0;
  for (const o of [...offsets, b.length]) {
    yield new Uint8Array(b.subarray(prev, o));
    prev = o;
  }
}

export async function collect(upload: Upload): Promise<ParsedRow[]> {
  const rows: ParsedRow[] = [];
  for await (const r of upload.rows) rows.push(r);
  return rows;
}

/** Parses with every chunk size in `sizes` and checks all give the same rows; returns the upload of the last. */
export async function parseAll(
  data: Bytes,
  options: ParseOptions = {},
  sizes: number[] = [1, 2, 3, 7, 64, 1 << 20],
): Promise<{ upload: Upload; rows: ParsedRow[] }> {
  let result: { upload: Upload; rows: ParsedRow[] } | undefined;
  for (const size of sizes) {
    const upload = await parseUpload(fixedChunks(data, size), options);
    const rows = await collect(upload);
    if (result) {
      if (JSON.stringify(rows) !== JSON.stringify(result.rows)) {
        throw new Error(`chunk size ${size} gives different rows: ${JSON.stringify(rows)} vs ${JSON.stringify(result.rows)}`);
      }
    }
    result = { upload, rows };
  }
  return result!;
}

/** Parses `data` fully and returns the UploadParseError it fails with (throws if it does not fail). */
export async function parseError(
  data: Bytes | AsyncIterable<Uint8Array>,
  options: ParseOptions = {},
  chunkSize = 5,
): Promise<UploadParseError> {
  try {
    const input = typeof data === 'string' || Buffer.isBuffer(data) ? fixedChunks(data, chunkSize) : data;
    const upload = await parseUpload(input, options);
    await collect(upload);
  } catch (err) {
    if (err instanceof UploadParseError) return err;
    throw err;
  }
  throw new Error('expected an UploadParseError');
}
