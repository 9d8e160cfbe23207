// The per-row work of a reference index build, and of a match before scoring, in WebAssembly (row-ingest.wat),
// for configs whose every field keeps its normal text in the text pool (exact, Jaro–Winkler, Levenshtein,
// Damerau–Levenshtein) and whose every blocking key part is an exact value or a prefix of one. In a fresh process
// V8 interprets the JavaScript doing it (normalising, pool writes, key hashing) for most of a 5,000-row build or
// match; here JavaScript only gathers a batch's cells into one string, encodes it into the kernel's memory and
// copies the kernel's output into the builders (build) or hands each row's texts and key hashes to the matcher
// (match). Rows with characters beyond ASCII take the JavaScript path one by one (NFKC, accents), and a batch
// whose cells hold a NUL, or that no memory can be had for, does so as a whole: the index and the results are
// the same either way, byte for byte.

import { keySeed, prefixLength, singleValued, type BlockingIndexBuilder, type ResolvedBlocking } from './blocking';
import { PAGE_BYTES, RegionLayout, unlessOutOfMemory } from './comparators/jaro-winkler-kernel';
import { fieldKind, type FieldColumnBuilder } from './fields';
import { toText } from './normalise';
import type { CodePoolBuilder } from './pool';
import { WASM_BASE64 } from './row-ingest.wasm';
import type { EngineRow, FieldMapping } from './types';

interface IngestExports {
  countSeparators(at: number, end: number): number;
  ingest(layout: number): number;
}

/** What a build writes rows into (see buildReferenceIndex). */
export interface IngestTargets {
  ids: CodePoolBuilder;
  texts: CodePoolBuilder;
  columns: FieldColumnBuilder[];
  blocking: BlockingIndexBuilder;
}

/** Rows per kernel call: enough to make the JavaScript around a call negligible, few enough that a batch of
 *  typical rows fits the first memory. */
const BATCH_ROWS = 256;
const MIN_INPUT_BYTES = 1 << 16;
/** Word numbers in the layout array the kernel reads (row-ingest.wat's `ingest`). */
const LAYOUT = {
  inputEnd: 1,
  rows: 2,
  start: 3,
  spans: 4,
  norm: 5,
  normSpans: 6,
  idCodes: 7,
  idEnds: 8,
  idBase: 9,
  textCodes: 10,
  textEnds: 11,
  textBase: 12,
  rawCodes: 13,
  rawStride: 14,
  rawEnds: 15,
  rawIsText: 16,
  rawWritten: 17,
  rawBases: 18,
  hashes: 19,
  rowEnds: 20,
  hashBase: 21,
  resume: 22,
  columns: 23,
  fields: 24,
  keys: 25,
  fieldColumns: 26,
  keyPlan: 27,
  capacity: 28,
  evidence: 29,
} as const;
const LAYOUT_BYTES = 32 * 4;
const TEXT_FIELD_KINDS = new Set(['exact', 'jaro_winkler', 'levenshtein', 'damerau_levenshtein']);

let compiled: WebAssembly.Module | undefined;
const encoder = new TextEncoder();

export class RowIngest {
  private readonly memory: WebAssembly.Memory;
  private readonly kernel: IngestExports;
  /** the columns a row is read by, in the kernel's column order */
  private readonly columnNames: string[];
  private readonly fieldCount: number;
  private readonly keyCount: number;
  /** reference rows: ids and evidence cells are written too */
  private readonly evidence: boolean;
  /** the most fields reading one column (bounds the text output) */
  private readonly fieldsPerColumn: number;
  /** the plan's words (field columns, key plan, then room for rawWritten and rawBases), after the layout */
  private readonly plan: number[];
  private readonly rawWrittenAt: number;
  private readonly rawBasesAt: number;
  private inputBytes = 0;
  private at!: ReturnType<typeof regions>;
  private words!: Int32Array;
  private readonly cells: string[] = [];
  /** After a call on source rows (visitRows): the batch rows' normal texts, row-major (field f of batch row i ends
   *  at textEnds[i·fields + f], counted from textCodes[0]), and their key hashes (batch row i's end at rowEnds[i]). */
  textCodes = new Uint16Array(0);
  textEnds = new Int32Array(0);
  hashes = new Int32Array(0);
  rowEnds = new Int32Array(0);

  /** The kernel for rows read on `side` ('target': reference rows, 'source': source rows), or null when the
   *  config needs the JavaScript loop (see the top of this file) or no memory can be had now. */
  static create(mappings: FieldMapping[], blocking: ResolvedBlocking, side: 'source' | 'target'): RowIngest | null {
    if (!mappings.every((m) => TEXT_FIELD_KINDS.has(fieldKind(m)) && m.sourceColumns === undefined && m.targetColumns === undefined))
      return null;
    if (!blocking.keys.every((key, k) => key.parts.every((part, p) => singleValued(part, blocking.partKinds[k]?.[p] ?? 'text'))))
      return null;
    return unlessOutOfMemory(() => new RowIngest(mappings, blocking, side));
  }

  private constructor(mappings: FieldMapping[], blocking: ResolvedBlocking, side: 'source' | 'target') {
    const columns: string[] = [];
    const columnOf = (name: string) => {
      const at = columns.indexOf(name);
      return at >= 0 ? at : columns.push(name) - 1;
    };
    const fieldColumns = mappings.map((m) => columnOf(m[side]));
    const keyPlan = blocking.keys.flatMap((key, k) => [
      keySeed(k),
      key.parts.length,
      ...key.parts.flatMap((part) => [columnOf(part[side]), part.transform === 'prefix' ? prefixLength(part) : 0]),
    ]);
    this.columnNames = columns;
    this.evidence = side === 'target';
    this.fieldsPerColumn = Math.max(1, ...columns.map((_, c) => fieldColumns.filter((fc) => fc === c).length));
    this.fieldCount = mappings.length;
    this.keyCount = blocking.keys.length;
    this.rawWrittenAt = LAYOUT_BYTES + (fieldColumns.length + keyPlan.length) * 4;
    this.rawBasesAt = this.rawWrittenAt + this.fieldCount * 4;
    this.plan = [...fieldColumns, ...keyPlan, ...new Array<number>(this.fieldCount * 2).fill(0)];
    this.memory = new WebAssembly.Memory({ initial: 1 });
    compiled ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
    this.kernel = new WebAssembly.Instance(compiled, { env: { memory: this.memory } }).exports as unknown as IngestExports;
    if (!this.reserve(MIN_INPUT_BYTES)) throw new RangeError('no memory for the row ingest kernel');
  }

  /** Lays the batch regions out for inputs of up to `inputBytes`, growing the memory to hold them; false (layout
   *  unchanged) when the memory cannot grow now. */
  private reserve(inputBytes: number): boolean {
    const at = regions(
      align(LAYOUT_BYTES + this.plan.length * 4),
      inputBytes,
      this.columnNames.length,
      this.fieldCount,
      this.fieldsPerColumn,
      this.keyCount,
      this.evidence,
    );
    const have = this.memory.buffer.byteLength;
    if (at.end > have && unlessOutOfMemory(() => this.memory.grow(Math.ceil((at.end - have) / PAGE_BYTES))) === null) return false;
    this.inputBytes = inputBytes;
    this.at = at;
    const w = (this.words = new Int32Array(this.memory.buffer));
    w.set(this.plan, LAYOUT_BYTES / 4);
    w[LAYOUT.spans] = at.spans;
    w[LAYOUT.norm] = at.norm;
    w[LAYOUT.normSpans] = at.normSpans;
    w[LAYOUT.idCodes] = at.idCodes;
    w[LAYOUT.idEnds] = at.idEnds;
    w[LAYOUT.textCodes] = at.textCodes;
    w[LAYOUT.textEnds] = at.textEnds;
    w[LAYOUT.rawCodes] = at.rawCodes;
    w[LAYOUT.rawStride] = at.rawStride;
    w[LAYOUT.rawEnds] = at.rawEnds;
    w[LAYOUT.rawIsText] = at.rawIsText;
    w[LAYOUT.rawWritten] = this.rawWrittenAt;
    w[LAYOUT.rawBases] = this.rawBasesAt;
    w[LAYOUT.hashes] = at.hashes;
    w[LAYOUT.rowEnds] = at.rowEnds;
    w[LAYOUT.columns] = this.columnNames.length;
    w[LAYOUT.fields] = this.fieldCount;
    w[LAYOUT.keys] = this.keyCount;
    w[LAYOUT.capacity] = BATCH_ROWS;
    w[LAYOUT.evidence] = this.evidence ? 1 : 0;
    w[LAYOUT.fieldColumns] = LAYOUT_BYTES;
    w[LAYOUT.keyPlan] = LAYOUT_BYTES + this.fieldCount * 4;
    const heap = this.memory.buffer;
    this.textCodes = new Uint16Array(heap, at.textCodes, (at.textEnds - at.textCodes) / 2);
    this.textEnds = new Int32Array(heap, at.textEnds, BATCH_ROWS * this.fieldCount);
    this.hashes = new Int32Array(heap, at.hashes, BATCH_ROWS * this.keyCount);
    this.rowEnds = new Int32Array(heap, at.rowEnds, BATCH_ROWS);
    return true;
  }

  /** Build: adds every row to `into`, in order; `addInJs` adds one row the JavaScript way. Returns the row count. */
  addRows(rows: Iterable<EngineRow>, into: IngestTargets, addInJs: (row: EngineRow) => void): number {
    const batch: EngineRow[] = [];
    let size = 0;
    const add = (start: number, n: number) => {
      if (n > 0) this.copyOut(n, into);
      else addInJs(batch[start] as EngineRow);
    };
    for (const row of rows) {
      batch.push(row);
      if (batch.length === BATCH_ROWS) {
        this.runBatch(batch, 0, batch.length, into, add);
        size += batch.length;
        batch.length = 0;
      }
    }
    this.runBatch(batch, 0, batch.length, into, add);
    return size + batch.length;
  }

  /** Match: goes through rows[0, rows.length) in order, calling `made(first, n)` for each run of n rows whose texts
   *  and hashes the kernel made (rows first … first + n − 1 are batch rows 0 … n − 1 of textEnds / rowEnds, valid
   *  during the call) and `refused(r)` for each row that needs the JavaScript path. */
  visitRows(rows: EngineRow[], made: (first: number, n: number) => void, refused: (r: number) => void): void {
    for (let from = 0; from < rows.length; from += BATCH_ROWS) {
      const to = Math.min(rows.length, from + BATCH_ROWS);
      this.runBatch(rows, from, to, null, (start, n) => (n === 0 ? refused(from + start) : made(from + start, n)));
    }
  }

  /**
   * Runs rows[from, to) through the kernel. `take(start, n)` receives, in row order, each call's n > 0 rows from
   * batch row `start` on (their output in the regions), and each row the kernel refused (n = 0, its batch row in
   * `start`). With `into`, outputs count on from what the builders hold; without, from 0.
   */
  private runBatch(
    rows: EngineRow[],
    from: number,
    to: number,
    into: IngestTargets | null,
    take: (start: number, n: number) => void,
  ): void {
    if (to <= from) return;
    const cells = this.cells;
    cells.length = 0;
    const columns = this.columnNames;
    for (let r = from; r < to; r++) {
      const row = rows[r] as EngineRow;
      cells.push(into === null ? '' : String(row.id));
      const values = row.values ?? {};
      for (let c = 0; c < columns.length; c++) {
        const value = values[columns[c] as string];
        cells.push(typeof value === 'string' ? value : toText(value));
      }
    }
    const joined = cells.join('\0');
    let encoded = encoder.encodeInto(joined, new Uint8Array(this.memory.buffer, this.at.input, this.inputBytes));
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (encoded.read < joined.length && this.reserve(2 ** Math.ceil(Math.log2(joined.length * 3)))) {
      encoded = encoder.encodeInto(joined, new Uint8Array(this.memory.buffer, this.at.input, this.inputBytes));
    }
    const input = this.at.input;
    const written = encoded.written;
    const count = to - from;
    if (encoded.read < joined.length || this.kernel.countSeparators(input, input + written) !== cells.length - 1) {
      for (let i = 0; i < count; i++) take(i, 0);
      return;
    }
    const w = this.words;
    w[LAYOUT.inputEnd] = input + written;
    w[LAYOUT.start] = input;
    let done = 0;
    while (done < count) {
      w[LAYOUT.rows] = count - done;
      if (into !== null) {
        w[LAYOUT.idBase] = into.ids.codeCount;
        w[LAYOUT.textBase] = into.texts.codeCount;
        w[LAYOUT.hashBase] = into.blocking.hashCount;
        for (let f = 0; f < this.fieldCount; f++) w[this.rawBasesAt / 4 + f] = (into.columns[f] as FieldColumnBuilder).rawCodeCount;
      }
      const n = this.kernel.ingest(0);
      if (n > 0) take(done, n);
      done += n;
      w[LAYOUT.start] = w[LAYOUT.resume] as number;
      if (done < count) take(done++, 0);
    }
  }

  /** Moves the output of a call that did `n` rows into the builders. */
  private copyOut(n: number, into: IngestTargets): void {
    const heap = this.memory.buffer;
    const w = this.words;
    const at = this.at;
    const fields = this.fieldCount;
    const ends = (address: number, count: number) => new Int32Array(heap, address, count);
    const codes = (address: number, base: number, last: number) => new Uint16Array(heap, address, last - base);
    const idEnds = ends(at.idEnds, n);
    into.ids.append(codes(at.idCodes, w[LAYOUT.idBase] as number, idEnds[n - 1] as number), idEnds);
    if (fields > 0) {
      const textEnds = ends(at.textEnds, n * fields);
      into.texts.append(codes(at.textCodes, w[LAYOUT.textBase] as number, textEnds[n * fields - 1] as number), textEnds);
    }
    for (let f = 0; f < fields; f++) {
      const rawEnds = ends(at.rawEnds + f * BATCH_ROWS * 4, n);
      const rawCodes = codes(at.rawCodes + f * at.rawStride, w[this.rawBasesAt / 4 + f] as number, rawEnds[n - 1] as number);
      (into.columns[f] as FieldColumnBuilder).appendTextRows(rawCodes, rawEnds, new Uint8Array(heap, at.rawIsText + f * BATCH_ROWS, n));
    }
    const rowEnds = ends(at.rowEnds, n);
    into.blocking.appendRows(ends(at.hashes, (rowEnds[n - 1] as number) - (w[LAYOUT.hashBase] as number)), rowEnds);
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}

/** Byte addresses of a batch's regions for inputs of up to `inputBytes` (every output is bounded by the input:
 *  normal forms are never longer than their cells, though several fields may read the same column); without
 *  `evidence` (source rows) no ids or evidence cells are written. */
function regions(
  start: number,
  inputBytes: number,
  columns: number,
  fields: number,
  fieldsPerColumn: number,
  keys: number,
  evidence: boolean,
) {
  const regions = new RegionLayout(start);
  const region = (bytes: number) => regions.next(bytes);
  const evidenceBytes = (bytes: number) => (evidence ? bytes : 0);
  const rawStride = align(evidenceBytes(inputBytes * 2));
  const at = {
    input: region(inputBytes),
    spans: region((columns + 1) * 8),
    norm: region(inputBytes),
    normSpans: region(columns * 8),
    idCodes: region(evidenceBytes(inputBytes * 2)),
    idEnds: region(evidenceBytes(BATCH_ROWS * 4)),
    textCodes: region(inputBytes * 2 * fieldsPerColumn),
    textEnds: region(BATCH_ROWS * fields * 4),
    rawCodes: region(rawStride * fields),
    rawStride,
    rawEnds: region(evidenceBytes(BATCH_ROWS * fields * 4)),
    rawIsText: region(evidenceBytes(BATCH_ROWS * fields)),
    hashes: region(BATCH_ROWS * keys * 4),
    rowEnds: region(BATCH_ROWS * 4),
    end: 0,
  };
  at.end = regions.end;
  return at;
}
