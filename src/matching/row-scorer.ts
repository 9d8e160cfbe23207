// A source row's candidates scored in one WebAssembly call (the kernel's scoreRow) when every weighted field is
// Jaro–Winkler or exact on text and there is no Fellegi–Sunter model: the same confidences, top list and best
// pair's field scores as match.ts's JavaScript loop, to the bit (same operations in the same order), without one
// JS→WebAssembly call per pair and field, and without that loop's JIT warm-up in a fresh process.
// Rows it cannot take (a value over 256 code units, more candidates than its buffer holds) go to the loop.
// Source rows that came in a batch from row-ingest.ts are matched a batch at a time (matchBatch): the batch's texts
// and key hashes are copied into the kernel memory once, and one call does each row's blocking (the posting table
// is in the kernel memory too), preparation and scoring; no JavaScript runs per row.

import { KERNEL_MAX_LENGTH, RegionLayout, claimRegion, rowScoringKernel, type RowScoringKernel } from './comparators/jaro-winkler-kernel';
import { fieldWeights, scoringOrder, type FieldScorer, type PreparedValue } from './fields';
import type { ReferenceIndexView } from './index-data';
import type { RowIngest } from './row-ingest';
import { TOP_CANDIDATES } from './types';

const DESCRIPTOR_BYTES = 32;
const KIND_NONE = 0;
const KIND_JARO_WINKLER = 1;
const KIND_EXACT = 2;
/** Rows with more candidates than this are scored by the JavaScript loop (the buffer is per thread and index). */
const MAX_CANDIDATES = 16_384;
const SMALL_COPY = 64;
/** The least a batch region takes (kinds, text ends and texts of a batch of source rows). */
const BATCH_REGION_BYTES = 1 << 16;
/** The words describing a batch (matchBatch's `batch`) and the posting table (its `$collect`'s `blocking`). */
const BATCH_WORDS = 14;
const BLOCKING_WORDS = 9;

/** What matchBatch returns (see there). */
export interface BatchResult {
  status: Int32Array;
  pairs: Int32Array;
  topRows: Int32Array;
  topScores: Float64Array;
  fieldScores: Float64Array;
}

/** Byte offsets in a batch region for n rows: kinds, text ends, key hashes, their row ends, texts, then the outputs
 *  (f64 arrays 8-aligned). */
function batchLayout(fieldCount: number, n: number, endCount: number, codeCount: number, hashCount: number) {
  const regions = new RegionLayout();
  const region = (bytes: number) => regions.next(bytes);
  const layout = {
    kinds: region(fieldCount * 4),
    ends: region(endCount * 4),
    hashes: region(hashCount * 4),
    rowEnds: region(n * 4),
    texts: region(codeCount * 2),
    status: region(n * 4),
    counts: region(n * 4),
    topRows: region(n * TOP_CANDIDATES * 4),
    topScores: region(n * TOP_CANDIDATES * 8),
    fieldScores: region(endCount * 8),
    bytes: 0,
  };
  layout.bytes = regions.end;
  return layout;
}

export class RowScorer {
  private readonly kernel: RowScoringKernel;
  private readonly fields: FieldScorer[];
  /** mapping index of the field at each scoring position */
  private readonly order: Int32Array;
  private readonly kinds: Int32Array;
  private readonly descriptors: Int32Array;
  private readonly descriptorsAddress: number;
  /** per scoring position: room for an exact field's source value */
  private readonly exactValues: Uint16Array[];
  private readonly candidates: Int32Array;
  private readonly outAddress: number;
  private readonly topRows: Int32Array;
  private readonly topScores: Float64Array;
  private readonly bestScores: Float64Array;
  private readonly offsetsAddress: number;
  private readonly codesAddress: number;
  private readonly stride: number;
  private readonly memory: WebAssembly.Memory;
  private readonly index: ReferenceIndexView;
  /** the batch region (see claimBatchRegion): where it starts and its size */
  private batchAt = 0;
  private batchBytes = 0;
  /** where matchBatch's batch words and the posting table words are (0: not yet claimed) */
  private batchWords = 0;
  private blockingWords = 0;

  /** A row scorer for this thread's index object, or null when its fields or memory do not allow one. */
  static create(index: ReferenceIndexView): RowScorer | null {
    const texts = index.data.texts;
    if (index.config.model !== undefined || texts.memory === undefined || !texts.offsetsInMemory) return null;
    const weights = fieldWeights(index.fields);
    const kinds = Int32Array.from(index.fields, (field, f) => {
      if (weights[f] === 0) return KIND_NONE;
      if (field.column.kind === 'jaro_winkler') return KIND_JARO_WINKLER;
      return field.column.kind === 'exact' ? KIND_EXACT : -1;
    });
    if (kinds.includes(-1)) return null;
    const fieldCount = index.fields.length;
    const bytes = fieldCount * DESCRIPTOR_BYTES + 64 + (3 * fieldCount + 1) * 8 + fieldCount * KERNEL_MAX_LENGTH * 2 + MAX_CANDIDATES * 4;
    const start = claimRegion(texts.memory, bytes);
    if (start === null) return null; // no room: the JavaScript loop serves
    return new RowScorer(index, texts.memory, start, scoringOrder(weights), kinds, weights);
  }

  private constructor(
    index: ReferenceIndexView,
    memory: WebAssembly.Memory,
    start: number,
    order: Int32Array,
    kinds: Int32Array,
    weights: number[],
  ) {
    const fieldCount = order.length;
    const heap = memory.buffer;
    this.kernel = rowScoringKernel(memory, (a, b) => index.compareIds(a, b));
    this.memory = memory;
    this.index = index;
    this.fields = index.fields;
    this.order = order;
    this.kinds = kinds;
    this.descriptorsAddress = start;
    this.descriptors = new Int32Array(heap, start, (fieldCount * DESCRIPTOR_BYTES) / 4);
    const descriptorWeights = new Float64Array(heap, start, (fieldCount * DESCRIPTOR_BYTES) / 8);
    for (let k = 0; k < fieldCount; k++) {
      const f = order[k] as number;
      this.descriptors[k * 8 + 1] = index.fields[f]?.column.textSlot ?? 0;
      descriptorWeights[k * 4 + 1] = weights[f] as number;
      this.descriptors[k * 8 + 7] = f;
    }
    // The out region as scoreRow lays it out for a top list of TOP_CANDIDATES (5): rows, then scores from +24.
    this.outAddress = start + fieldCount * DESCRIPTOR_BYTES;
    this.topRows = new Int32Array(heap, this.outAddress, TOP_CANDIDATES);
    this.topScores = new Float64Array(heap, this.outAddress + 24, TOP_CANDIDATES);
    this.bestScores = new Float64Array(heap, this.outAddress + 64, fieldCount);
    let at = this.outAddress + 64 + (3 * fieldCount + 1) * 8;
    this.exactValues = [];
    for (let k = 0; k < fieldCount; k++, at += KERNEL_MAX_LENGTH * 2) this.exactValues.push(new Uint16Array(heap, at, KERNEL_MAX_LENGTH));
    this.candidates = new Int32Array(heap, at, MAX_CANDIDATES);
    const texts = index.data.texts;
    this.offsetsAddress = texts.offsets.byteOffset;
    this.codesAddress = texts.codes.byteOffset;
    this.stride = index.data.textStride;
  }

  /**
   * Scores `candidates[0, count)` of a source row whose fields were prepared into `prepared` (by mapping index) and
   * writes the top list into topRows/topScores at `base` and the best pair's field scores at `fieldBase`, as
   * match.ts's loop does. Returns how many candidates the list kept, or −1 when the row is not for this scorer
   * (the caller then runs the loop; nothing was written).
   */
  score(
    prepared: Array<PreparedValue | null>,
    candidates: Int32Array,
    count: number,
    topRows: Int32Array,
    topScores: Float64Array,
    base: number,
    fieldScores: Float64Array,
    fieldBase: number,
  ): number {
    if (count > MAX_CANDIDATES) return -1;
    const descriptors = this.descriptors;
    for (let k = 0; k < this.order.length; k++) {
      const f = this.order[k] as number;
      const p = prepared[f];
      const kind = this.kinds[f] as number;
      const d = k * 8;
      if (p == null || kind === KIND_NONE) {
        descriptors[d] = KIND_NONE;
        continue;
      }
      descriptors[d] = kind;
      if (kind === KIND_JARO_WINKLER) {
        if (!p.inKernel) return -1;
        descriptors[d + 4] = (this.fields[f] as FieldScorer).kernelScratch();
        descriptors[d + 5] = p.codes.byteOffset;
      } else {
        if (p.codesLength > KERNEL_MAX_LENGTH) return -1;
        const room = this.exactValues[k] as Uint16Array;
        room.set(p.codes.subarray(0, p.codesLength));
        descriptors[d + 5] = room.byteOffset;
      }
      descriptors[d + 6] = p.codesLength;
    }
    // Element by element where a row has few values: set(subarray(…)) would make a view object per call.
    const into = this.candidates;
    if (count > SMALL_COPY) into.set(candidates.subarray(0, count));
    else for (let c = 0; c < count; c++) into[c] = candidates[c] as number;
    const kept = this.kernel.scoreRow(
      this.descriptorsAddress,
      this.order.length,
      into.byteOffset,
      count,
      this.offsetsAddress,
      this.stride,
      this.codesAddress,
      this.outAddress,
    );
    if (kept < 0) return -1;
    for (let k = 0; k < kept; k++) {
      topRows[base + k] = this.topRows[k] as number;
      topScores[base + k] = this.topScores[k] as number;
    }
    if (kept > 0) fieldScores.set(this.bestScores, fieldBase);
    return kept;
  }

  /**
   * Matches a batch of source rows in one kernel call (matchBatch): blocking from the rows' key hashes, their
   * fields prepared from the batch's texts and scored. `made` is row-ingest.ts's output for `n` rows. Returns the
   * rows' results (views valid until the next call): status (kept, or −1 for a row the caller must match the
   * JavaScript way), pairs compared, and the top lists and best pairs' field scores laid out as in a compact
   * result; or null when this scorer cannot match batches (the posting table is not in the kernel memory, or the
   * memory cannot grow): the caller then matches the rows one by one.
   */
  matchBatch(made: RowIngest, n: number): BatchResult | null {
    const fieldCount = this.order.length;
    const endCount = n * fieldCount;
    const codeCount = endCount === 0 ? 0 : (made.textEnds[endCount - 1] as number);
    const hashCount = n === 0 ? 0 : (made.rowEnds[n - 1] as number);
    const layout = batchLayout(fieldCount, n, endCount, codeCount, hashCount);
    if (layout.bytes > this.batchBytes && !this.claimBatchRegion(layout.bytes)) return null;
    const at = (offset: number) => this.batchAt + offset;
    const heap = this.memory.buffer; // a shared memory's buffer object covers what it has grown to
    new Int32Array(heap, at(layout.ends), endCount).set(made.textEnds.subarray(0, endCount));
    new Uint16Array(heap, at(layout.texts), codeCount).set(made.textCodes.subarray(0, codeCount));
    new Int32Array(heap, at(layout.hashes), hashCount).set(made.hashes.subarray(0, hashCount));
    new Int32Array(heap, at(layout.rowEnds), n).set(made.rowEnds.subarray(0, n));
    const words = new Int32Array(heap, this.batchWords, BATCH_WORDS);
    words.set([
      at(0),
      at(layout.texts),
      at(layout.ends),
      at(layout.hashes),
      at(layout.rowEnds),
      n,
      this.blockingWords,
      this.candidates.byteOffset,
      MAX_CANDIDATES,
      at(layout.status),
      at(layout.counts),
      at(layout.topRows),
      at(layout.topScores),
      at(layout.fieldScores),
    ]);
    this.kernel.matchBatch(
      this.descriptorsAddress,
      fieldCount,
      this.offsetsAddress,
      this.stride,
      this.codesAddress,
      this.outAddress,
      this.batchWords,
    );
    return {
      status: new Int32Array(heap, at(layout.status), n),
      pairs: new Int32Array(heap, at(layout.counts), n),
      topRows: new Int32Array(heap, at(layout.topRows), n * TOP_CANDIDATES),
      topScores: new Float64Array(heap, at(layout.topScores), n * TOP_CANDIDATES),
      fieldScores: new Float64Array(heap, at(layout.fieldScores), endCount),
    };
  }

  /** A region for batches of at least `bytes` (see batchLayout), starting with each scoring position's kind (0:
   *  does not score), with each Jaro–Winkler field's scratch region in its descriptor and, the first time, the
   *  kernel's view of the posting table and a `seen` array; false when that cannot be had. */
  private claimBatchRegion(bytes: number): boolean {
    const blocking = this.index.data.blocking;
    if (blocking.memory !== this.memory) return false; // the posting table is elsewhere (no memory could be had at build time)
    const fieldCount = this.order.length;
    const scratches: number[] = [];
    for (let k = 0; k < fieldCount; k++) {
      const f = this.order[k] as number;
      const scratch = this.kinds[f] === KIND_JARO_WINKLER ? (this.fields[f] as FieldScorer).kernelScratch() : 0;
      if (scratch < 0) return false;
      scratches.push(scratch);
    }
    if (this.blockingWords === 0) {
      // The posting table's addresses, then where `seen` starts (after its epoch word) and its size.
      const seenBytes = this.index.size * 4;
      const start = claimRegion(this.memory, (BATCH_WORDS + BLOCKING_WORDS + 1) * 4 + seenBytes);
      if (start === null) return false;
      const seen = start + (BATCH_WORDS + BLOCKING_WORDS + 1) * 4;
      const { table, entryStart, entryDropped, postings } = blocking;
      new Int32Array(this.memory.buffer, start + BATCH_WORDS * 4, BLOCKING_WORDS).set([
        table.keys.byteOffset,
        table.values.byteOffset,
        table.mask,
        entryStart.byteOffset,
        entryDropped.byteOffset,
        postings.byteOffset,
        seen,
        blocking.strategy === 'ordered_fallback' ? 1 : 0,
        seenBytes,
      ]);
      this.batchWords = start;
      this.blockingWords = start + BATCH_WORDS * 4;
    }
    const size = Math.max(bytes * 2, BATCH_REGION_BYTES);
    const at = claimRegion(this.memory, size);
    if (at === null) return false;
    const kinds = new Int32Array(this.memory.buffer, at, fieldCount);
    for (let k = 0; k < fieldCount; k++) {
      kinds[k] = this.kinds[this.order[k] as number] as number;
      if (kinds[k] === KIND_JARO_WINKLER) this.descriptors[k * 8 + 4] = scratches[k] as number;
    }
    this.batchAt = at;
    this.batchBytes = size;
    return true;
  }
}
