/**
 * Bytes → text. Reads a bounded head of the upload (HEAD_BYTES) to decide the encoding and to sniff the format, then
 * decodes the rest chunk by chunk.
 *
 * Encoding: a UTF-8 BOM means UTF-8 (BOM stripped). Otherwise the head is checked: valid UTF-8 → 'utf-8', else
 * 'latin1' (decoded as windows-1252, i.e. ISO-8859-1 plus the printable characters € ‚ ƒ „ … ’ etc. at 0x80-0x9F).
 * If the head was valid UTF-8 but an invalid byte sequence appears later (for example a Latin-1 "ü" in row 40,000),
 * the text up to that byte is passed on and then an 'invalid-utf8' marker: the parsers turn it into an
 * UploadParseError naming the line. We never silently substitute U+FFFD.
 * A NUL character anywhere produces a 'nul' marker the same way (NUL bytes usually mean UTF-16 or a binary file).
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { UploadParseError } from './errors';

export const HEAD_BYTES = 64 * 1024;
/** Input chunks larger than this are decoded in slices, so one giant chunk does not become one giant string. */
const SLICE_BYTES = 64 * 1024;

export type Encoding = 'utf-8' | 'latin1';
export interface TextProblem {
  problem: 'invalid-utf8' | 'nul';
}
export type TextPiece = string | TextProblem;

export interface Head {
  /** Head bytes, BOM removed. */
  bytes: Buffer;
  /** True when the head is the whole file. */
  complete: boolean;
  /** Bytes of the last chunk read that did not fit into the head (decoded like later chunks). */
  rest: Buffer | undefined;
  encoding: Encoding;
  /** First non-white-space byte of the head, or undefined if the head is all white space. */
  firstByte: number | undefined;
}

function toBuffer(chunk: Uint8Array | string): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  // A Readable with setEncoding() yields strings: accept them as UTF-8.
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Reads the head of the upload from `it` (which stays open for the rest). */
export async function readHead(it: AsyncIterator<Uint8Array>): Promise<Head> {
  const parts: Buffer[] = [];
  let total = 0;
  let complete = false;
  let rest: Buffer | undefined;
  while (total < HEAD_BYTES) {
    const r = await it.next();
    if (r.done) {
      complete = true;
      break;
    }
    let b = toBuffer(r.value);
    if (b.byteLength === 0) continue;
    if (total + b.byteLength > HEAD_BYTES) {
      // keep the head bounded even if the source yields one huge chunk
      rest = b.subarray(HEAD_BYTES - total);
      b = b.subarray(0, HEAD_BYTES - total);
    }
    parts.push(b);
    total += b.byteLength;
  }
  let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
  let bom = false;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    bytes = bytes.subarray(3);
    bom = true;
  } else if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    throw new UploadParseError(
      'The file is encoded as UTF-16, which is not supported. Save it as UTF-8 (for example "CSV UTF-8") and upload it again.',
      1,
    );
  }
  let encoding: Encoding = 'utf-8';
  if (!bom) {
    const end = complete ? bytes.length : completeUtf8Length(bytes);
    if (!isUtf8(bytes.subarray(0, end))) encoding = 'latin1';
  }
  let firstByte: number | undefined;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
      firstByte = c;
      break;
    }
  }
  return { bytes, complete, rest, encoding, firstByte };
}

/**
 * Length of the longest prefix of `b` that does not end inside a multi-byte UTF-8 sequence (looks back at most 3
 * bytes; does not validate).
 */
export function completeUtf8Length(b: Uint8Array): number {
  const n = b.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const c = b[n - k]!;
    if ((c & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    if (c < 0x80) return n;
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    return k >= need ? n : n - k;
  }
  return n;
}

/** Index of the first byte that starts an invalid (or truncated) UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) need = 2;
    else if (c >= 0xf0 && c <= 0xf4) need = 3;
    else return i;
    if (i + need >= n) return i;
    const c1 = b[i + 1]!;
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) {
      return i;
    }
    for (let k = 1; k <= need; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1_RE = /[\u0080-\u009f]/g;

/** windows-1252 decoding (Node's TextDecoder maps 'windows-1252' to plain ISO-8859-1, so we patch 0x80-0x9F). */
export function decodeWindows1252(b: Buffer): string {
  const s = b.toString('latin1');
  C1_RE.lastIndex = 0;
  if (!C1_RE.test(s)) return s;
  return s.replace(C1_RE, (ch) => CP1252_HIGH[ch.charCodeAt(0) - 0x80]!);
}

/**
 * Decodes head + the rest of `it` into text pieces. Stops (after yielding a TextProblem) at the first invalid UTF-8
 * sequence or NUL character; the consumer is expected to throw then.
 */
export async function* decodeText(head: Head, it: AsyncIterator<Uint8Array>): AsyncGenerator<TextPiece, void, undefined> {
  let carry: Buffer | undefined;
  const utf8 = head.encoding === 'utf-8';

  // Returns the pieces for one slice of bytes; `final` = no more bytes follow.
  function* decodeSlice(bytes: Buffer, final: boolean): Generator<TextPiece> {
    let text: string;
    let bad = false;
    if (utf8) {
      let b = carry ? Buffer.concat([carry, bytes]) : bytes;
      carry = undefined;
      const end = final ? b.length : completeUtf8Length(b);
      if (end < b.length) {
        carry = Buffer.from(b.subarray(end)); // copy: the caller may reuse its chunk
        b = b.subarray(0, end);
      }
      if (isUtf8(b)) {
        text = b.toString('utf8');
      } else {
        const at = firstInvalidUtf8(b);
        text = b.subarray(0, at < 0 ? b.length : at).toString('utf8');
        bad = true;
      }
    } else {
      text = decodeWindows1252(bytes);
    }
    const nul = text.indexOf('\u0000');
    if (nul >= 0) {
      if (nul > 0) yield text.slice(0, nul);
      yield { problem: 'nul' };
      return;
    }
    if (text.length > 0) yield text;
    if (bad) yield { problem: 'invalid-utf8' };
  }

  function* decodeChunk(chunk: Buffer, final: boolean): Generator<TextPiece> {
    if (chunk.length <= SLICE_BYTES) {
      yield* decodeSlice(chunk, final);
      return;
    }
    for (let off = 0; off < chunk.length; off += SLICE_BYTES) {
      const end = Math.min(off + SLICE_BYTES, chunk.length);
      yield* decodeSlice(chunk.subarray(off, end), final && end === chunk.length);
    }
  }

  try {
    // The head is decoded as one piece, so format/delimiter sniffing sees all of it.
    for (const p of decodeSlice(head.bytes, head.complete)) {
      yield p;
      if (typeof p !== 'string') return;
    }
    if (head.complete) return;
    if (head.rest) {
      for (const p of decodeChunk(head.rest, false)) {
        yield p;
        if (typeof p !== 'string') return;
      }
    }
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      const chunk = toBuffer(r.value);
      if (chunk.byteLength === 0) continue;
      for (const p of decodeChunk(chunk, false)) {
        yield p;
        if (typeof p !== 'string') return;
      }
    }
    if (carry) {
      // The file ends inside a multi-byte sequence.
      const rest = carry;
      carry = undefined;
      for (const p of decodeSlice(rest, true)) {
        yield p;
        if (typeof p !== 'string') return;
      }
    }
  } finally {
    await it.return?.();
  }
}

export function problemError(p: TextProblem, line: number): UploadParseError {
  if (p.problem === 'nul') {
    return new UploadParseError(
      `Line ${line} contains a NUL byte. The file looks binary or UTF-16 encoded; upload a UTF-8 (or Latin-1) text file.`,
      line,
    );
  }
  return new UploadParseError(
    `Line ${line} contains bytes that are not valid UTF-8, although the start of the file is UTF-8. ` +
      'Save the whole file as UTF-8 and upload it again.',
    line,
  );
}
