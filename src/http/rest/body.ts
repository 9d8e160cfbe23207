import type { IncomingMessage } from 'node:http';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../errors';
import { assertJsonDepth } from '../../json-depth';

/**
 * The request body's bytes, within `limitBytes`: a larger Content-Length is refused before anything is read, and a
 * body without one (chunked) as soon as it grows past the limit (413 either way).
 */
export async function readBody(raw: IncomingMessage, limitBytes: number): Promise<Buffer> {
  if (Number(raw.headers['content-length'] ?? 0) > limitBytes) throw new PayloadTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new PayloadTooLargeError(limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * A body's bytes as JSON: an empty body is `{}` (whatever its Content-Type); a Content-Type other than JSON is a 415,
 * text that is not JSON or nests too deep a 400.
 */
export function parseJsonBody(bytes: Buffer, contentType: string | undefined): unknown {
  const text = bytes.toString('utf8');
  if (!text.trim()) return {};
  const type = contentType ?? '';
  if (type && !/^application\/(.+\+)?json\b/i.test(type)) {
    throw new UnsupportedMediaTypeError(`Expected a JSON body (Content-Type: application/json), got "${type}".`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`The body is not valid JSON: ${(error as Error).message}`);
  }
  assertJsonDepth(parsed);
  return parsed;
}

/** The JSON body of a request, within `limitBytes`. */
export async function readJsonBody(raw: IncomingMessage, limitBytes: number): Promise<unknown> {
  return parseJsonBody(await readBody(raw, limitBytes), raw.headers['content-type']);
}
