/**
 * Streaming JSON array and NDJSON.
 *
 * JSON array: an incremental splitter tracks strings, escapes and bracket depth, cuts out each top-level element and
 * JSON.parse's only that element, so memory is bounded by the largest element. Structure outside elements ('[', ',',
 * ']', trailing content) is checked by the splitter; everything inside an element by JSON.parse.
 * NDJSON: one JSON object per line; blank lines are skipped; CRLF is fine.
 */
import type { ColumnSet } from './columns';
import { problemError, type TextPiece } from './decode';
import { MAX_PENDING_CHARS, UploadParseError } from './errors';
import { MAX_JSON_DEPTH } from '../../../json-depth';
import type { ParsedRow } from './types';

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const LBRACKET = 91;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

function isWs(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}

/** A short reason from a JSON.parse error, plus the 0-based offset if the engine reported one. */
function jsonReason(err: unknown): { reason: string; position?: number } {
  const msg = err instanceof Error ? err.message : String(err);
  const pos = /at position (\d+)/.exec(msg);
  // V8 may quote the whole input ("... is not valid JSON"): never echo that back.
  let reason = msg.replace(/,? ?".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  if (reason.length > 120) reason = `${reason.slice(0, 117)}...`;
  return pos ? { reason, position: Number(pos[1]) } : { reason };
}

const END_OF_INPUT_RE = /Unexpected end of JSON input/;

/**
 * Offset of the syntax error in `src` when the engine did not report one: the shortest prefix that fails with an
 * error other than "unexpected end" contains the error at its last character (binary search; error path only).
 */
function errorOffset(src: string): number | undefined {
  const failsInside = (len: number): boolean => {
    try {
      JSON.parse(src.slice(0, len));
      return false;
    } catch (err) {
      const msg = err instanceof Error ? err.message : '';
      if (END_OF_INPUT_RE.test(msg)) return false;
      const pos = /at position (\d+)/.exec(msg);
      return !(pos && Number(pos[1]) >= len); // an error reported at the very end is an end-of-input error too
    }
  };
  if (!failsInside(src.length)) return undefined;
  let lo = 1;
  let hi = src.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (failsInside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

function lineOfOffset(text: string, startLine: number, offset: number): number {
  let line = startLine;
  const end = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const ST_BEFORE = 0; // before '['
const ST_FIRST = 1; // after '[': an element or ']'
const ST_NEXT = 2; // after ',': an element
const ST_ELEMENT = 3; // inside an element
const ST_AFTER_ELEMENT = 4; // ',' or ']'
const ST_DONE = 5; // after ']': only white space

export async function* jsonArrayRows(text: AsyncIterable<TextPiece>, columns: ColumnSet): AsyncGenerator<ParsedRow[], void, undefined> {
  let line = 1;
  let state = ST_BEFORE;
  let elemBuf = '';
  let elemLine = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let scalar = false; // a top-level element that is not an object/array (ends at ws , ])
  let elemCount = 0;
  let sawContent = false;
  let oneObjectPerLine = true;

  const parseElement = (src: string): ParsedRow => {
    elemCount++;
    let v: unknown;
    try {
      v = JSON.parse(src);
    } catch (err) {
      const { reason, position } = jsonReason(err);
      const offset = position ?? errorOffset(src);
      const at = offset === undefined ? elemLine : lineOfOffset(src, elemLine, offset);
      throw new UploadParseError(`Line ${at}: invalid JSON (${reason}).`, at);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw new UploadParseError(
        `Line ${elemLine}: element ${elemCount} of the JSON array is ${describe(v)}, not an object. Each element must be an object like {"column": value}.`,
        elemLine,
      );
    }
    return { line: elemLine, values: columns.objectValues(v as Record<string, unknown>, elemLine) };
  };

  const unexpected = (ch: string, expected: string): UploadParseError =>
    new UploadParseError(`Line ${line}: invalid JSON: expected ${expected} but found ${JSON.stringify(ch)}.`, line);

  for await (const piece of text) {
    if (typeof piece !== 'string') throw problemError(piece, line);
    const n = piece.length;
    let start = 0; // start of the current element within `piece`
    const done: ParsedRow[] = [];
    let nextQuote = -2;
    let nextBackslash = -2;
    let nextLF = -2;
    for (let i = 0; i < n; i++) {
      const c = piece.charCodeAt(i);
      if (state === ST_ELEMENT) {
        if (inString) {
          if (escaped) {
            escaped = false;
            if (c === LF) line++;
          } else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            inString = false;
            if (depth === 0) {
              // a top-level string element ends here
              done.push(parseElement(elemBuf + piece.slice(start, i + 1)));
              elemBuf = '';
              state = ST_AFTER_ELEMENT;
            }
          } else if (c === LF) line++;
          else {
            // jump to the next character that matters inside a string (cached look-ahead keeps this linear)
            if (nextQuote !== -1 && nextQuote < i) nextQuote = piece.indexOf('"', i);
            if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = piece.indexOf('\\', i);
            if (nextLF !== -1 && nextLF < i) nextLF = piece.indexOf('\n', i);
            let stop = n;
            if (nextQuote >= 0 && nextQuote < stop) stop = nextQuote;
            if (nextBackslash >= 0 && nextBackslash < stop) stop = nextBackslash;
            if (nextLF >= 0 && nextLF < stop) stop = nextLF;
            i = stop - 1;
          }
          continue;
        }
        if (scalar) {
          if (isWs(c) || c === COMMA || c === RBRACKET || c === LBRACE || c === LBRACKET) {
            done.push(parseElement(elemBuf + piece.slice(start, i)));
            elemBuf = '';
            state = ST_AFTER_ELEMENT;
            i--; // look at this character again
          }
          continue;
        }
        if (c === QUOTE) inString = true;
        else if (c === LBRACE || c === LBRACKET) {
          // The element's depth, plus one for the array around it.
          if (++depth + 1 > MAX_JSON_DEPTH)
            throw new UploadParseError(`Line ${line}: the JSON is nested deeper than ${MAX_JSON_DEPTH} levels.`, line);
        } else if (c === RBRACE || c === RBRACKET) {
          depth--;
          if (depth === 0) {
            done.push(parseElement(elemBuf + piece.slice(start, i + 1)));
            elemBuf = '';
            state = ST_AFTER_ELEMENT;
          }
        } else if (c === LF) line++;
        continue;
      }
      if (c === LF) {
        line++;
        continue;
      }
      if (isWs(c)) continue;
      sawContent = true;
      switch (state) {
        case ST_BEFORE:
          if (c !== LBRACKET) {
            throw new UploadParseError(
              `Line ${line}: the file does not start with "[" - a JSON upload must be an array of objects, like [{"id": 1}, {"id": 2}].`,
              line,
            );
          }
          state = ST_FIRST;
          break;
        case ST_FIRST:
        case ST_NEXT:
          if (c === RBRACKET) {
            if (state === ST_NEXT) throw unexpected(']', 'an element after ","');
            state = ST_DONE;
            break;
          }
          if (c === COMMA) throw unexpected(',', state === ST_FIRST ? 'an element or "]"' : 'an element after ","');
          if (c === LBRACE && oneObjectPerLine) {
            // Fast path for the common layout of one object per line: if the rest of the line (minus a trailing
            // comma) is exactly one object, parse it without scanning. Switched off after the first miss.
            if (nextLF !== -1 && nextLF < i) nextLF = piece.indexOf('\n', i);
            if (nextLF > i) {
              let e = nextLF - 1;
              while (e > i && isWs(piece.charCodeAt(e))) e--;
              if (piece.charCodeAt(e) === COMMA) {
                e--;
                while (e > i && isWs(piece.charCodeAt(e))) e--;
              }
              if (piece.charCodeAt(e) === RBRACE) {
                let v: unknown;
                try {
                  v = JSON.parse(piece.slice(i, e + 1));
                } catch {
                  oneObjectPerLine = false;
                }
                if (oneObjectPerLine && v !== null && typeof v === 'object' && !Array.isArray(v)) {
                  elemCount++;
                  done.push({ line, values: columns.objectValues(v as Record<string, unknown>, line) });
                  state = ST_AFTER_ELEMENT;
                  i = e;
                  break;
                }
                oneObjectPerLine = false;
              }
            }
          }
          state = ST_ELEMENT;
          elemLine = line;
          start = i;
          elemBuf = '';
          depth = 0;
          escaped = false;
          inString = false;
          scalar = false;
          if (c === LBRACE || c === LBRACKET) depth = 1;
          else if (c === QUOTE) inString = true;
          else scalar = true;
          break;
        case ST_AFTER_ELEMENT:
          if (c === COMMA) state = ST_NEXT;
          else if (c === RBRACKET) state = ST_DONE;
          else throw unexpected(piece[i]!, '"," or "]" after an element of the array');
          break;
        case ST_DONE:
          throw new UploadParseError(
            `Line ${line}: unexpected content after the end of the JSON array (${JSON.stringify(piece[i])}).`,
            line,
          );
      }
    }
    if (state === ST_ELEMENT) {
      elemBuf += piece.slice(start);
      if (elemBuf.length > MAX_PENDING_CHARS) {
        throw new UploadParseError(
          `Line ${elemLine}: the JSON array element starting here is longer than ${MAX_PENDING_CHARS / 1024 / 1024} MB.`,
          elemLine,
        );
      }
    }
    if (done.length > 0) yield done;
  }
  if (state === ST_ELEMENT && scalar) {
    yield [parseElement(elemBuf)];
    elemBuf = '';
    state = ST_AFTER_ELEMENT;
  }
  if (!sawContent) throw new UploadParseError('The file is empty.', 1);
  if (state === ST_ELEMENT) {
    throw new UploadParseError(
      `Line ${elemLine}: the JSON array element starting on this line is incomplete at the end of the file${inString ? ' (a string is not closed)' : ''}.`,
      elemLine,
    );
  }
  if (state !== ST_DONE) {
    throw new UploadParseError(`Line ${line}: the JSON array is not closed with "]" (the file ends too early).`, line);
  }
  if (elemCount === 0) throw new UploadParseError('The JSON array is empty: the file has no data rows.', 1);
}

export async function* ndjsonRows(text: AsyncIterable<TextPiece>, columns: ColumnSet): AsyncGenerator<ParsedRow[], void, undefined> {
  let line = 1; // line of the first character of `pending`
  let pending = '';
  let rows = 0;

  const parseLine = (src: string, at: number): ParsedRow | undefined => {
    const s = src.trim();
    if (s === '') return undefined;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (err) {
      const { reason } = jsonReason(err);
      const hint =
        rows === 0 && s.startsWith('{') && !s.endsWith('}')
          ? ' NDJSON needs one complete object per line; for a pretty-printed file, upload a JSON array of objects instead.'
          : '';
      throw new UploadParseError(`Line ${at} is not valid JSON (${reason}).${hint}`, at);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      throw new UploadParseError(
        `Line ${at} is ${describe(v)}, not a JSON object. Each line must be an object like {"column": value}.`,
        at,
      );
    }
    rows++;
    return { line: at, values: columns.objectValues(v as Record<string, unknown>, at) };
  };

  for await (const piece of text) {
    if (typeof piece !== 'string') {
      // the problem is on the line after the complete lines already handled, plus any line breaks in `pending`
      throw problemError(piece, line);
    }
    const done: ParsedRow[] = [];
    let from = 0;
    for (let nl = piece.indexOf('\n'); nl >= 0; nl = piece.indexOf('\n', from)) {
      const src = pending === '' ? piece.slice(from, nl) : pending + piece.slice(from, nl);
      pending = '';
      const row = parseLine(src, line);
      if (row) done.push(row);
      line++;
      from = nl + 1;
    }
    if (from < piece.length) {
      pending += piece.slice(from);
      if (pending.length > MAX_PENDING_CHARS) {
        throw new UploadParseError(`Line ${line} is longer than ${MAX_PENDING_CHARS / 1024 / 1024} MB.`, line);
      }
    }
    if (done.length > 0) yield done;
  }
  const last = parseLine(pending, line);
  if (last) yield [last];
  if (rows === 0) throw new UploadParseError('The file is empty.', 1);
}
