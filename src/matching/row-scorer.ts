// A source row's candidates scored in one WebAssembly call (the kernel's scoreRow) when every weighted field is
// Jaro–Winkler or exact on text and there is no Fellegi–Sunter model: the same confidences, top list and best
// pair's field scores as match.ts's JavaScript loop, to the bit (same operations in the same order), without one
// JS→WebAssembly call per pair and field, and without that loop's JIT warm-up in a fresh process.
// Rows it cannot take (a value over 256 code units, more candidates than its buffer holds) go to the loop.

import { KERNEL_MAX_LENGTH, claimRegion, rowScoringKernel, type ScoreRow } from './comparators/jaro-winkler-kernel';
import { fieldWeights, scoringOrder, type FieldScorer, type PreparedValue } from './fields';
import type { ReferenceIndex } from './index-build';
import { TOP_CANDIDATES } from './match';

const DESCRIPTOR_BYTES = 32;
const KIND_NONE = 0;
const KIND_JARO_WINKLER = 1;
const KIND_EXACT = 2;
/** Rows with more candidates than this are scored by the JavaScript loop (the buffer is per thread and index). */
const MAX_CANDIDATES = 16_384;
const SMALL_COPY = 64;

export class RowScorer {
  private readonly scoreRow: ScoreRow;
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

  /** A row scorer for this thread's index object, or null when its fields or memory do not allow one. */
  static create(index: ReferenceIndex): RowScorer | null {
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

  private constructor(index: ReferenceIndex, memory: WebAssembly.Memory, start: number, order: Int32Array, kinds: Int32Array, weights: number[]) {
    const fieldCount = order.length;
    const heap = memory.buffer;
    this.scoreRow = rowScoringKernel(memory, (a, b) => index.compareIds(a, b));
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
  score(prepared: Array<PreparedValue | null>, candidates: Int32Array, count: number, topRows: Int32Array, topScores: Float64Array, base: number, fieldScores: Float64Array, fieldBase: number): number {
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
    const kept = this.scoreRow(this.descriptorsAddress, this.order.length, into.byteOffset, count, this.offsetsAddress, this.stride, this.codesAddress, this.outAddress);
    if (kept < 0) return -1;
    for (let k = 0; k < kept; k++) {
      topRows[base + k] = this.topRows[k] as number;
      topScores[base + k] = this.topScores[k] as number;
    }
    if (kept > 0) fieldScores.set(this.bestScores, fieldBase);
    return kept;
  }
}
