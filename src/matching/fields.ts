// One reference column per field mapping, stored in the representation its comparator reads (code pools,
// hash/weight arrays, numbers), plus the matching source-side preparation. Everything a pair needs is computed
// here once per value; scoring a pair only reads typed arrays.

import { abbreviationSimilarityCodes } from './comparators/abbreviation';
import { codeItems, codesIdf, codesScore, codeWeights } from './comparators/codes';
import { quantitiesScore, quantityItems } from './comparators/quantities';
import { jaroWinklerCodes } from './comparators/jaro-winkler';
import { KERNEL_MAX_LENGTH, tryKernel, type JaroWinklerKernel } from './comparators/jaro-winkler-kernel';
import { damerauLevenshteinSimilarityCodes, levenshteinSimilarityCodes } from './comparators/levenshtein';
import { encodePhonetic, phoneticCodesScore } from './comparators/phonetic';
import { dateRangeScore, dateWindowScore, numericRangeScore, numericWindowScore, type NumericWindow } from './comparators/ranges';
import { tokenSetCodes } from './comparators/token-set';
import { buildIdf, sparseCosine, tfidfText, tfidfVector, uniqueTokenHashes, type IdfTable } from './comparators/tfidf-cosine';
import { normaliseDate, normaliseNumber, normaliseText, sortedTokenSet, toText } from './normalise';
import { CodePoolBuilder, Growable, poolBytes, poolLength, poolString, allocate, writeCodes, type CodePool } from './pool';
import type { FieldMapping } from './types';

export type FieldKind =
  | 'exact'
  | 'jaro_winkler'
  | 'levenshtein'
  | 'damerau_levenshtein'
  | 'token_set'
  | 'tfidf_cosine'
  | 'phonetic'
  | 'date_range'
  | 'numeric_range'
  | 'codes'
  | 'quantities'
  | 'abbreviation';

export function fieldKind(mapping: FieldMapping): FieldKind {
  switch (mapping.strategy) {
    case 'fuzzy':
      return mapping.options?.algorithm ?? 'jaro_winkler';
    case 'exact':
    case 'phonetic':
    case 'date_range':
    case 'numeric_range':
      return mapping.strategy;
    default:
      return 'exact'; // unknown strategies are rejected by the API layer; never crash here
  }
}

/** Structured-clonable column data (typed arrays only; shared memory when built with `shared`). */
export interface FieldColumnData {
  kind: FieldKind;
  /** reference cells as text, for evidence ('' = no value, or the same as `text`: see rawIsText) */
  raw: CodePool;
  /** 1 when the cell's text equals its stored normalised text, which then serves as evidence (saves a copy) */
  rawIsText?: Uint8Array;
  /** text kinds (exact / edit-distance / token_set): this field's slot in the index's row-major text pool, which
   *  holds the normalised text (token_set: canonical sorted token set) of row r at value r·stride + slot */
  textSlot?: number;
  /** phonetic: (primary, alternate) hash pairs; tfidf: token hashes; codes: (item, origin) pairs (codes.ts);
   *  quantities: (unit hash, value) pairs.
   *  Row r owns [itemOffsets[r], itemOffsets[r+1]). */
  itemOffsets?: Int32Array;
  items?: Int32Array;
  weights?: Float32Array;
  idf?: IdfTable;
  /** date_range: day numbers; numeric_range: numbers; NaN = missing */
  numbers?: Float64Array;
}

/** A source value prepared for repeated comparison against many reference rows. Each scorer hands out one
 *  reused object: it describes the most recently prepared value and is overwritten by the next prepare(). */
export interface PreparedValue {
  /** text kinds: the value's code units are codes[0, codesLength) (the scorer's buffer, reused by every value) */
  codes: Uint16Array;
  codesLength: number;
  items: Int32Array;
  weights: Float64Array;
  number: number;
  /** jaro_winkler: the value is the scorer's kernel's prepared source (`codes` is then the kernel's source view) */
  inKernel: boolean;
}

const EMPTY_CODES = new Uint16Array(0);
const EMPTY_ITEMS = new Int32Array(0);
const EMPTY_WEIGHTS = new Float64Array(0);

/** codes[start, start + n) to into[0, n): a loop, where subarray() would make a view object per value. */
function copyCodes(codes: Uint16Array, start: number, n: number, into: Uint16Array): void {
  for (let i = 0; i < n; i++) into[i] = codes[start + i] as number;
}

function textFor(kind: FieldKind, normalised: string): string {
  return kind === 'token_set' ? sortedTokenSet(normalised) : normalised;
}

// ------------------------------------------------------------------------------------------------ building

export class FieldColumnBuilder {
  private readonly raw = new CodePoolBuilder();
  private readonly rawIsText = new Growable(Uint8Array);
  private readonly itemOffsets = new Growable(Int32Array);
  private readonly items = new Growable(Int32Array);
  private readonly numbers = new Growable(Float64Array);
  /** tfidf keeps normalised texts until the IDF is known */
  private readonly pendingTexts: string[] = [];

  /** Text kinds push their normalised text into `texts`, the row-major pool shared by all text fields (one value
   *  per text field per row, in mapping order), under `textSlot`. */
  constructor(
    readonly kind: FieldKind,
    private readonly texts: CodePoolBuilder,
    private readonly textSlot: number,
    private readonly monthFirst = false,
  ) {
    this.itemOffsets.push(0);
  }

  static isTextKind(kind: FieldKind): boolean {
    return (
      kind === 'exact' ||
      kind === 'jaro_winkler' ||
      kind === 'levenshtein' ||
      kind === 'damerau_levenshtein' ||
      kind === 'token_set' ||
      kind === 'abbreviation'
    );
  }

  /** `normalised` is normaliseText(value), computed once per row by the caller. */
  add(value: unknown, normalised: string = normaliseText(value)): void {
    const rawText = typeof value === 'string' ? value : toText(value);
    switch (this.kind) {
      case 'date_range':
      case 'numeric_range':
      case 'phonetic':
      case 'tfidf_cosine':
      case 'codes':
      case 'quantities':
        this.raw.push(rawText);
        break;
      default: {
        const text = textFor(this.kind, normalised);
        this.texts.push(text);
        const same = text === rawText;
        this.rawIsText.push(same ? 1 : 0);
        this.raw.push(same ? '' : rawText);
        return;
      }
    }
    switch (this.kind) {
      case 'date_range':
        this.numbers.push(normaliseDate(value, this.monthFirst) ?? Number.NaN);
        return;
      case 'numeric_range':
        this.numbers.push(normaliseNumber(value) ?? Number.NaN);
        return;
      case 'phonetic':
        encodePhonetic(normalised, this.items);
        this.itemOffsets.push(this.items.length);
        return;
      case 'tfidf_cosine': {
        const text = tfidfText(rawText, normalised);
        this.pendingTexts.push(text);
        for (const h of uniqueTokenHashes(text)) this.items.push(h);
        this.itemOffsets.push(this.items.length);
        return;
      }
      case 'codes': {
        for (const h of codeItems(rawText)) this.items.push(h);
        this.itemOffsets.push(this.items.length);
        return;
      }
      case 'quantities': {
        for (const x of quantityItems(normalised)) this.items.push(x);
        this.itemOffsets.push(this.items.length);
        return;
      }
    }
  }

  /** Code units in the evidence pool so far. */
  get rawCodeCount(): number {
    return this.raw.codeCount;
  }

  /** Appends rows of a text kind made elsewhere (row-ingest.ts): their evidence cells (code units and ends, ''
   *  where the cell is its normal form) and the rawIsText flags; their texts go to the shared text pool there. */
  appendTextRows(rawCodes: Uint16Array, rawEnds: Int32Array, rawIsText: Uint8Array): void {
    this.raw.append(rawCodes, rawEnds);
    this.rawIsText.append(rawIsText);
  }

  finish(shared: boolean): FieldColumnData {
    const raw = this.raw.finish(shared);
    const kind = this.kind;
    switch (kind) {
      case 'date_range':
      case 'numeric_range':
        return { kind, raw, numbers: this.numbers.finish(shared) };
      case 'phonetic':
      case 'quantities':
        return { kind, raw, itemOffsets: this.itemOffsets.finish(shared), items: this.items.finish(shared) };
      case 'tfidf_cosine':
        return this.finishTfidf(raw, shared);
      case 'codes':
        return this.finishCodes(raw, shared);
      default:
        return { kind, raw, rawIsText: this.rawIsText.finish(shared), textSlot: this.textSlot };
    }
  }

  private finishCodes(raw: CodePool, shared: boolean): FieldColumnData {
    const itemOffsets = this.itemOffsets.finish(shared);
    const items = this.items.finish(shared);
    const idf = codesIdf(items, itemOffsets, itemOffsets.length - 1, shared);
    // One weight per (item, origin) pair.
    const weights = allocate(Float32Array, items.length >> 1, shared);
    weights.set(codeWeights(items, idf));
    return { kind: 'codes', raw, itemOffsets, items, weights, idf };
  }

  private finishTfidf(raw: CodePool, shared: boolean): FieldColumnData {
    const rows = this.pendingTexts.length;
    const idf = buildIdf(this.items.array, this.itemOffsets.array, rows, shared);
    // Vectors: unique hashes per row (same count as the df pass) sorted, with tf·idf weights.
    const items = allocate(Int32Array, this.items.length, shared);
    const weights = allocate(Float32Array, this.items.length, shared);
    const itemOffsets = this.itemOffsets.finish(shared);
    for (let r = 0; r < rows; r++) {
      const vector = tfidfVector(this.pendingTexts[r] as string, idf);
      const at = itemOffsets[r] as number;
      items.set(vector.hashes, at);
      weights.set(vector.weights, at);
    }
    this.pendingTexts.length = 0;
    return { kind: 'tfidf_cosine', raw, itemOffsets, items, weights, idf };
  }
}

// ------------------------------------------------------------------------------------------------- scoring

// Small integer codes for the hot switch in score() (cheaper than comparing kind strings per pair).
const KIND_CODE: Record<FieldKind, number> = {
  exact: 0,
  jaro_winkler: 1,
  levenshtein: 2,
  damerau_levenshtein: 3,
  token_set: 4,
  tfidf_cosine: 5,
  phonetic: 6,
  date_range: 7,
  numeric_range: 8,
  codes: 9,
  quantities: 10,
  abbreviation: 11,
};

/** Scores one field of a (source, reference row) pair. */
export class FieldScorer {
  private readonly code: number;
  private readonly textCodes: Uint16Array;
  private readonly textOffsets: Int32Array;
  private readonly textStride: number;
  private readonly textSlot: number;
  private readonly itemOffsets: Int32Array;
  private readonly items: Int32Array;
  private readonly weights: Float32Array;
  private readonly numbers: Float64Array;
  private readonly toleranceDays: number;
  private readonly monthFirst: boolean;
  private readonly tolerance: number;
  private readonly tolerancePct: number;
  /** date_range with a window (minDifferenceDays, maxDifferenceDays) instead of a tolerance */
  private readonly dateWindow: { min: number; max: number } | null;
  /** numeric_range with a window (minDifference…, minDifferencePct…) instead of a tolerance */
  private readonly numericWindow: NumericWindow | null;
  /** jaro_winkler on texts in a kernel memory: this thread's kernel, made at the first prepare() (so an index
   *  object that never matches, e.g. on the thread that built it, takes no scratch memory) */
  private kernel: JaroWinklerKernel | null = null;
  /** the texts' memory could not take a kernel (then every value uses the JavaScript kernel) */
  private kernelUnavailable = false;
  /** byte address of the text pool's first code unit in the kernel memory */
  private readonly textAddress: number;
  /** the current source value's code units (text kinds; grown as needed) */
  private sourceCodes = new Uint16Array(64);
  /** what prepare() returns (one object per scorer: a row's values are prepared, then scored, then replaced) */
  private readonly prepared: PreparedValue = {
    codes: EMPTY_CODES,
    codesLength: 0,
    items: EMPTY_ITEMS,
    weights: EMPTY_WEIGHTS,
    number: 0,
    inKernel: false,
  };

  /** `texts`/`textStride`: the index's row-major text pool (see FieldColumnData.textSlot). */
  constructor(
    readonly mapping: FieldMapping,
    readonly column: FieldColumnData,
    private readonly texts: CodePool,
    textStride: number,
  ) {
    this.code = KIND_CODE[column.kind] ?? 0;
    this.textCodes = texts.codes;
    this.textOffsets = texts.offsets;
    this.textStride = textStride;
    this.textSlot = column.textSlot ?? 0;
    this.itemOffsets = column.itemOffsets ?? EMPTY_ITEMS;
    this.items = column.items ?? EMPTY_ITEMS;
    this.weights = column.weights ?? new Float32Array(0);
    this.numbers = column.numbers ?? EMPTY_WEIGHTS;
    const options = mapping.options ?? {};
    this.toleranceDays = finiteOr(options.toleranceDays, 0);
    this.monthFirst = options.monthFirst === true;
    this.tolerance = finiteOr(options.tolerance, 0);
    this.tolerancePct = finiteOr(options.tolerancePct, 0);
    this.dateWindow = dateWindowOf(options);
    this.numericWindow = numericWindowOf(options);
    this.textAddress = texts.codes.byteOffset;
  }

  /** null when the source value is missing (empty after normalisation, or not a date/number for range kinds).
   *  `normalised` is normaliseText(value) when the caller already has it. The result is valid until the next
   *  prepare() of this scorer. */
  prepare(value: unknown, normalised?: string): PreparedValue | null {
    switch (this.column.kind) {
      case 'date_range':
      case 'numeric_range': {
        const n = this.column.kind === 'date_range' ? normaliseDate(value, this.monthFirst) : normaliseNumber(value);
        return n === null ? null : this.fill(EMPTY_CODES, 0, EMPTY_ITEMS, EMPTY_WEIGHTS, n);
      }
      case 'phonetic': {
        const items: number[] = [];
        encodePhonetic(normalised ?? normaliseText(value), items);
        return items.length === 0 ? null : this.fill(EMPTY_CODES, 0, Int32Array.from(items), EMPTY_WEIGHTS, 0);
      }
      case 'tfidf_cosine': {
        const idf = this.column.idf;
        const text = tfidfText(value, normalised);
        if (text === '' || idf === undefined) return null;
        const vector = tfidfVector(text, idf);
        return this.fill(EMPTY_CODES, 0, vector.hashes, vector.weights, 0);
      }
      case 'codes': {
        const hashes = codeItems(toText(value));
        return hashes.length === 0 ? null : this.fill(EMPTY_CODES, 0, hashes, EMPTY_WEIGHTS, 0);
      }
      case 'quantities': {
        const items = quantityItems(normalised ?? normaliseText(value));
        return items.length === 0 ? null : this.fill(EMPTY_CODES, 0, items, EMPTY_WEIGHTS, 0);
      }
      default: {
        const text = textFor(this.column.kind, normalised ?? normaliseText(value));
        if (text === '') return null;
        const into = this.textRoom(text.length);
        writeCodes(text, into);
        return this.preparedText(into, text.length);
      }
    }
  }

  /** prepare() for a text kind's normal text given as code units codes[start, end) (row-ingest.ts made it). */
  prepareCodes(codes: Uint16Array, start: number, end: number): PreparedValue | null {
    const n = end - start;
    if (n === 0) return null;
    const into = this.textRoom(n);
    copyCodes(codes, start, n, into);
    return this.preparedText(into, n);
  }

  /** Where a text value of n code units is written before preparedText(): the Jaro–Winkler kernel's next-source
   *  slot when the kernel takes it, else this scorer's own buffer (grown as needed). */
  private textRoom(n: number): Uint16Array {
    const kernel = this.code === 1 && n <= KERNEL_MAX_LENGTH ? this.jaroWinklerKernel() : null;
    if (kernel !== null) return kernel.nextSource;
    if (n > this.sourceCodes.length) this.sourceCodes = new Uint16Array(Math.max(n, this.sourceCodes.length * 2));
    return this.sourceCodes;
  }

  /** The text value of n code units just written into textRoom(n), prepared: in the kernel (its position table,
   *  built once for all of the value's candidates) or as the scorer's buffer. */
  private preparedText(into: Uint16Array, n: number): PreparedValue {
    if (into === this.sourceCodes) return this.fill(this.sourceCodes, n, EMPTY_ITEMS, EMPTY_WEIGHTS, 0);
    const kernel = this.kernel as JaroWinklerKernel;
    kernel.replaceSource(n);
    const prepared = this.fill(kernel.source, n, EMPTY_ITEMS, EMPTY_WEIGHTS, 0);
    prepared.inKernel = true;
    return prepared;
  }

  private jaroWinklerKernel(): JaroWinklerKernel | null {
    if (this.kernel === null && this.texts.memory !== undefined && !this.kernelUnavailable) {
      this.kernel = tryKernel(this.texts.memory);
      this.kernelUnavailable = this.kernel === null;
    }
    return this.kernel;
  }

  private scoreInKernel(sourceLength: number, address: number, length: number): number {
    const kernel = this.kernel as JaroWinklerKernel;
    return kernel.score(kernel.sourceAddress, sourceLength, address, length, 0);
  }

  private fill(codes: Uint16Array, codesLength: number, items: Int32Array, weights: Float64Array, number: number): PreparedValue {
    const p = this.prepared;
    p.codes = codes;
    p.codesLength = codesLength;
    p.items = items;
    p.weights = weights;
    p.number = number;
    p.inKernel = false;
    return p;
  }

  /** Score in [0, 1], or −1 when the reference value is missing. */
  score(p: PreparedValue, row: number): number {
    const code = this.code;
    if (code <= 4 || code === 11) {
      // Row-major: the texts of one row's fields are adjacent, so a pair touches one or two cache lines.
      const at = row * this.textStride + this.textSlot;
      const start = this.textOffsets[at] as number;
      const len = (this.textOffsets[at + 1] as number) - start;
      if (len === 0) return -1;
      const a = p.codes;
      const aStart = 0;
      const aLen = p.codesLength;
      const b = this.textCodes;
      switch (code) {
        case 1:
          return p.inKernel && len <= KERNEL_MAX_LENGTH
            ? this.scoreInKernel(aLen, this.textAddress + 2 * start, len)
            : jaroWinklerCodes(a, aStart, aLen, b, start, len);
        case 2:
          return levenshteinSimilarityCodes(a, aStart, aLen, b, start, len);
        case 3:
          return damerauLevenshteinSimilarityCodes(a, aStart, aLen, b, start, len);
        case 4:
          return tokenSetCodes(a, aStart, aLen, b, start, len);
        case 11:
          return abbreviationSimilarityCodes(a, aStart, aLen, b, start, len);
        default: {
          if (aLen !== len) return 0;
          for (let k = 0; k < len; k++) if (a[aStart + k] !== b[start + k]) return 0;
          return 1;
        }
      }
    }
    if (code === 7 || code === 8) {
      const n = this.numbers[row] as number;
      // biome-ignore lint/suspicious/noSelfCompare: the NaN test of the hot loop (missing), cheaper than Number.isNaN
      if (n !== n) return -1;
      if (code === 7) {
        const window = this.dateWindow;
        return window === null ? dateRangeScore(p.number, n, this.toleranceDays) : dateWindowScore(p.number, n, window.min, window.max);
      }
      const window = this.numericWindow;
      return window === null ? numericRangeScore(p.number, n, this.tolerance, this.tolerancePct) : numericWindowScore(p.number, n, window);
    }
    const start = this.itemOffsets[row] as number;
    const end = this.itemOffsets[row + 1] as number;
    if (end === start) return -1;
    if (code === 9) return codesScore(p.items, 0, p.items.length, this.items, this.weights, start, end);
    if (code === 10) return quantitiesScore(p.items, 0, p.items.length, this.items, start, end);
    return code === 6
      ? phoneticCodesScore(p.items, 0, p.items.length >> 1, this.items, start, (end - start) >> 1)
      : sparseCosine(p.items, p.weights, 0, p.items.length, this.items, this.weights, start, end);
  }

  /** The scratch region of this thread's Jaro–Winkler kernel (made if need be), where a value prepared in it has
   *  its table; −1 when the field has none. */
  kernelScratch(): number {
    return this.code === 1 ? (this.jaroWinklerKernel()?.scratch ?? -1) : -1;
  }

  /** The reference cell as text for evidence, or null when it is empty. */
  referenceValue(row: number): string | null {
    if (this.column.textSlot !== undefined && this.column.rawIsText?.[row] === 1)
      return poolString(this.texts, row * this.textStride + this.textSlot);
    return poolLength(this.column.raw, row) === 0 ? null : poolString(this.column.raw, row);
  }
}

function finiteOr(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** Both ends finite and in order, or no window (the API refuses anything else; never crash here). */
function windowOf(min: number | undefined, max: number | undefined): { min: number; max: number } | null {
  const lo = finiteOr(min, Number.NaN);
  const hi = finiteOr(max, Number.NaN);
  return lo <= hi ? { min: lo, max: hi } : null;
}

function dateWindowOf(options: NonNullable<FieldMapping['options']>): { min: number; max: number } | null {
  return windowOf(options.minDifferenceDays, options.maxDifferenceDays);
}

function numericWindowOf(options: NonNullable<FieldMapping['options']>): NumericWindow | null {
  const absolute = windowOf(options.minDifference, options.maxDifference);
  const relative = windowOf(options.minDifferencePct, options.maxDifferencePct);
  if (absolute === null && relative === null) return null;
  return {
    min: absolute?.min ?? Number.NaN,
    max: absolute?.max ?? Number.NaN,
    minPct: relative?.min ?? Number.NaN,
    maxPct: relative?.max ?? Number.NaN,
  };
}

export function fieldColumnBytes(column: FieldColumnData): number {
  let bytes = poolBytes(column.raw);
  for (const a of [column.rawIsText, column.itemOffsets, column.items, column.weights, column.numbers]) bytes += a?.byteLength ?? 0;
  if (column.idf) bytes += column.idf.table.keys.byteLength * 2 + column.idf.idf.byteLength;
  return bytes;
}

/** A field's weight in a pair's confidence: its mapping's weight, 0 when that is not a positive number. */
export function fieldWeights(fields: FieldScorer[]): number[] {
  return fields.map((f) => (Number.isFinite(f.mapping.weight) && f.mapping.weight > 0 ? f.mapping.weight : 0));
}

/** Fields in scoring order: heaviest first (ties: mapping order), so pruning bites early and sums are always
 *  added up in the same order. */
export function scoringOrder(weights: number[]): Int32Array {
  return Int32Array.from(weights.keys()).sort((a, b) => (weights[b] as number) - (weights[a] as number) || a - b);
}
