/**
 * Streaming CSV: a resumable character-level tokenizer (fed decoded text pieces, keeps only the current record) and
 * the row generator on top of it.
 *
 * Dialect: delimiter ',' ';' or tab (detected from the header line: the most frequent outside quotes; ties prefer
 * ',' then ';'; none → ','); fields may be quoted with '"', with "" for a quote and with embedded delimiters and line
 * breaks; records end with LF, CRLF or a lone CR. Lenient bits: white space before an opening quote and after a
 * closing quote is ignored (`a, "b, c" ,d`); a quote inside an unquoted field is kept literally (`5'11"`). Strict
 * bits: any other character after a closing quote is an error; a quote still open at the end of the file is an error.
 * Blank lines (empty or only white space) are skipped.
 *
 * (Hand-written rather than csv-parse: we need the line each record starts on, exact lines for NUL/encoding errors
 * that are found in the byte stream, field counting without storing the fields of a runaway row, and speed.)
 */
import { ColumnSet } from './columns';
import { problemError, type TextPiece } from './decode';
import { formatCount, MAX_COLUMNS, MAX_PENDING_CHARS, UploadParseError } from './errors';
import type { ParsedRow } from './types';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const SPACE = 32;
const TAB = 9;

const S_FIELD_START = 0;
const S_UNQUOTED = 1;
const S_QUOTED = 2;
const S_QUOTE_IN_QUOTED = 3; // saw a '"' inside a quoted field: either "" or the closing quote
const S_AFTER_CR = 4; // a record ended with CR; swallow a following LF

export interface CsvRecord {
  line: number;
  /** Only the first `maxFields` fields are kept; `count` is the real number of fields. */
  fields: string[];
  count: number;
}

export class CsvTokenizer {
  /** Line of the cursor (1-based): the line the next character fed belongs to. */
  line = 1;
  /** Fields beyond this are counted but not stored. */
  maxFields = MAX_COLUMNS;

  private state = S_FIELD_START;
  private fields: string[] = [];
  private count = 0;
  private buf = '';
  private recordLine = 1;
  private quoteLine = 1;
  private hadQuote = false;
  private prevCR = false; // inside a quoted field: the previous character was CR (CRLF counts as one line)
  private out: CsvRecord[] = [];

  private readonly delimiterChar: string;

  constructor(private readonly delimiter: number) {
    this.delimiterChar = String.fromCharCode(delimiter);
  }

  // Look-ahead caches for the current text piece: index of the next '\n' / '"' / '\r' at or after some earlier
  // position, -1 if there is none, -2 if not computed yet. They keep the look-ahead linear per piece.
  private nextLF = -2;
  private nextQuote = -2;
  private nextCR = -2;

  /** Consumes all of `text`; returns the records completed by it. */
  feed(text: string): CsvRecord[] {
    this.out = [];
    this.nextLF = -2;
    this.nextQuote = -2;
    this.nextCR = -2;
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.state === S_AFTER_CR) {
        this.state = S_FIELD_START;
        if (text.charCodeAt(i) === LF) {
          i++;
          continue;
        }
      }
      if (this.state === S_FIELD_START && this.count === 0) {
        const next = this.simpleLine(text, i);
        if (next >= 0) {
          i = next;
          continue;
        }
      }
      i = this.scan(text, i, n);
    }
    return this.out;
  }

  /**
   * Fast path at the start of a record: a whole line without quotes or lone CRs is split natively. Returns the index
   * after the line, or -1 if the line needs the character scanner.
   */
  private simpleLine(text: string, from: number): number {
    if (this.nextLF !== -1 && this.nextLF < from) this.nextLF = text.indexOf('\n', from);
    const lf = this.nextLF;
    if (lf < 0) return -1;
    if (this.nextQuote !== -1 && this.nextQuote < from) this.nextQuote = text.indexOf('"', from);
    if (this.nextCR !== -1 && this.nextCR < from) this.nextCR = text.indexOf('\r', from);
    const q = this.nextQuote;
    const cr = this.nextCR;
    const end = cr >= 0 && cr === lf - 1 ? lf - 1 : lf;
    if ((q >= 0 && q < lf) || (cr >= 0 && cr < end)) return -1;
    const fields = text.slice(from, end).split(this.delimiterChar);
    const count = fields.length;
    if (count > this.maxFields) fields.length = this.maxFields;
    if (!(count === 1 && fields[0]!.trim() === '')) this.out.push({ line: this.recordLine, fields, count });
    this.line++;
    this.recordLine = this.line;
    return lf + 1;
  }

  /**
   * Character scanner: from `i`, runs until the current record ends (returns the index after its line break) or the
   * text ends (returns n, with the pending part of the field saved in `buf`).
   */
  private scan(text: string, i: number, n: number): number {
    const delim = this.delimiter;
    let state = this.state;
    let start = i; // start (in `text`) of the pending segment of the current field
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (state === S_FIELD_START) {
        if (c === QUOTE) {
          state = S_QUOTED;
          this.quoteLine = this.line;
          this.hadQuote = true;
          this.prevCR = false;
          start = i + 1;
          continue;
        }
        state = S_UNQUOTED;
        start = i;
      }
      if (state === S_UNQUOTED) {
        if (c === delim) {
          this.endField(this.buf + text.slice(start, i));
          state = S_FIELD_START;
        } else if (c === LF || c === CR) {
          this.endField(this.buf + text.slice(start, i));
          return this.endLine(c, i);
        } else if (c === QUOTE && (this.buf + text.slice(start, i)).trim() === '') {
          // white space before an opening quote
          this.buf = '';
          state = S_QUOTED;
          this.quoteLine = this.line;
          this.hadQuote = true;
          this.prevCR = false;
          start = i + 1;
        }
      } else if (state === S_QUOTED) {
        if (c === QUOTE) {
          this.buf += text.slice(start, i);
          state = S_QUOTE_IN_QUOTED;
        } else if (c === LF) {
          if (!this.prevCR) this.line++;
          this.prevCR = false;
        } else if (c === CR) {
          this.line++;
          this.prevCR = true;
        } else {
          this.prevCR = false;
          i = this.skipQuoted(text, i, n) - 1;
        }
      } else {
        // S_QUOTE_IN_QUOTED
        if (c === QUOTE) {
          this.buf += '"';
          state = S_QUOTED;
          this.prevCR = false;
          start = i + 1;
        } else if (c === delim) {
          this.endField(this.buf);
          state = S_FIELD_START;
        } else if (c === LF || c === CR) {
          this.endField(this.buf);
          return this.endLine(c, i);
        } else if (c !== SPACE && c !== TAB) {
          throw this.afterQuoteError(text[i]!);
        }
      }
    }
    this.state = state;
    if (state === S_UNQUOTED || state === S_QUOTED) {
      if (start < n) this.buf += text.slice(start);
      if (this.buf.length > MAX_PENDING_CHARS) throw this.tooLongError(state === S_QUOTED);
    }
    return n;
  }

  /** A record ended with the line break `c` at `i`. */
  private endLine(c: number, i: number): number {
    this.endRecord();
    this.line++;
    this.recordLine = this.line;
    this.state = c === CR ? S_AFTER_CR : S_FIELD_START;
    return i + 1;
  }

  /** Inside a quoted field: index of the next quote or line break at or after i (or n). */
  private skipQuoted(text: string, i: number, n: number): number {
    if (this.nextQuote !== -1 && this.nextQuote < i) this.nextQuote = text.indexOf('"', i);
    if (this.nextLF !== -1 && this.nextLF < i) this.nextLF = text.indexOf('\n', i);
    if (this.nextCR !== -1 && this.nextCR < i) this.nextCR = text.indexOf('\r', i);
    let stop = n;
    if (this.nextQuote >= 0 && this.nextQuote < stop) stop = this.nextQuote;
    if (this.nextLF >= 0 && this.nextLF < stop) stop = this.nextLF;
    if (this.nextCR >= 0 && this.nextCR < stop) stop = this.nextCR;
    return stop;
  }

  private afterQuoteError(ch: string): UploadParseError {
    return new UploadParseError(
      `Line ${this.line} has a character after the closing quote of a quoted field (${JSON.stringify(ch)}). ` +
        'Inside a quoted field, write a quote as two quotes ("").',
      this.line,
    );
  }

  private tooLongError(quoted: boolean): UploadParseError {
    const mb = MAX_PENDING_CHARS / 1024 / 1024;
    return quoted
      ? new UploadParseError(
          `Line ${this.quoteLine} starts a quoted field that is longer than ${mb} MB; probably its closing quote is missing.`,
          this.quoteLine,
        )
      : new UploadParseError(`Line ${this.recordLine} has a field longer than ${mb} MB.`, this.recordLine);
  }

  /** End of input: returns the last record, if the file does not end with a line break. */
  finish(): CsvRecord[] {
    this.out = [];
    switch (this.state) {
      case S_QUOTED:
        throw new UploadParseError(
          `Line ${this.quoteLine} has a quoted field whose closing quote is missing (the quote is still open at the end of the file).`,
          this.quoteLine,
        );
      case S_UNQUOTED:
      case S_QUOTE_IN_QUOTED:
        this.endField(this.buf);
        this.endRecord();
        break;
      case S_FIELD_START:
        if (this.count > 0) {
          this.endField('');
          this.endRecord();
        }
        break;
    }
    this.state = S_FIELD_START;
    return this.out;
  }

  private endField(value: string): void {
    if (this.count < this.maxFields) this.fields.push(value);
    this.count++;
    this.buf = '';
  }

  private endRecord(): void {
    const fields = this.fields;
    const count = this.count;
    const blank = count === 1 && !this.hadQuote && fields[0]!.trim() === '';
    if (!blank) this.out.push({ line: this.recordLine, fields, count });
    this.fields = [];
    this.count = 0;
    this.hadQuote = false;
  }
}

const COMMA = 44;
const SEMICOLON = 59;

/** Most frequent of , ; tab in the first line, outside quotes (leading blank lines are skipped). */
export function detectDelimiter(text: string): number {
  let comma = 0;
  let semi = 0;
  let tab = 0;
  let inQuotes = false;
  let seen = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (c === LF || c === CR) {
      if (seen) break;
    } else if (c === COMMA) comma++;
    else if (c === SEMICOLON) semi++;
    else if (c === TAB) tab++;
    if (c !== LF && c !== CR && c !== SPACE && c !== TAB) seen = true;
  }
  if (comma >= semi && comma >= tab) return COMMA;
  return semi >= tab ? SEMICOLON : TAB;
}

export function delimiterName(d: number): string {
  return d === COMMA ? 'comma' : d === SEMICOLON ? 'semicolon' : 'tab';
}

export async function* csvRows(
  text: AsyncIterable<TextPiece>,
  columns: ColumnSet,
  onDelimiter: (d: number) => void,
): AsyncGenerator<ParsedRow[], void, undefined> {
  let tok: CsvTokenizer | undefined;
  let headerLine = 0;
  let headerCount = 0;
  let rows = 0;

  function handle(records: CsvRecord[]): ParsedRow[] {
    const batch: ParsedRow[] = [];
    for (const r of records) {
      if (headerCount === 0) {
        if (r.count > MAX_COLUMNS) {
          throw new UploadParseError(
            `The header (line ${r.line}) has ${formatCount(r.count)} columns; at most ${formatCount(MAX_COLUMNS)} are supported.`,
            r.line,
          );
        }
        columns.setHeader(r.fields, r.line);
        headerLine = r.line;
        headerCount = r.count;
        tok!.maxFields = headerCount;
        continue;
      }
      if (r.count !== headerCount) {
        throw new UploadParseError(
          `Line ${r.line} has ${formatCount(r.count)} field${r.count === 1 ? '' : 's'}; the header has ${formatCount(headerCount)}.`,
          r.line,
        );
      }
      rows++;
      batch.push({ line: r.line, values: columns.csvValues(r.fields) });
    }
    return batch;
  }

  for await (const piece of text) {
    if (typeof piece !== 'string') throw problemError(piece, tok?.line ?? 1);
    if (!tok) {
      const d = detectDelimiter(piece);
      onDelimiter(d);
      tok = new CsvTokenizer(d);
    }
    const batch = handle(tok.feed(piece));
    if (batch.length > 0) yield batch;
  }
  if (tok) {
    const batch = handle(tok.finish());
    if (batch.length > 0) yield batch;
  }
  if (headerCount === 0) throw new UploadParseError('The file is empty.', 1);
  if (rows === 0) throw new UploadParseError('The file has a header but no data rows.', headerLine);
}
