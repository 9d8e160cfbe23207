/**
 * The one error type of the upload parsers. `message` is user-facing (shown as is); `line` is the 1-based line of
 * the uploaded file the problem was found on, when there is one.
 */
export class UploadParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'UploadParseError';
  }
}

/** Limits shared by all formats. */
export const MAX_COLUMNS = 10_000;
/**
 * Longest single CSV field / JSON element / NDJSON line we buffer, in UTF-16 code units. Far above the "a 1 MB cell
 * is fine" requirement; it exists so that an unterminated quote cannot make us buffer the rest of a 200 MB file.
 */
export const MAX_PENDING_CHARS = 32 * 1024 * 1024;

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
