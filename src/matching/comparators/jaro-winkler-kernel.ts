// The WebAssembly Jaro–Winkler kernel (jaro-winkler.wat) and the memory it reads. The engine keeps the reference
// texts in a shared WebAssembly memory (`kernelMemory`, used by CodePoolBuilder.inKernelMemory), so a pair
// costs one call with two addresses and nothing is copied. Each kernel takes a scratch region of its own by growing
// that memory: on a shared memory, growing leaves every existing view valid and hands the new pages to the caller
// alone, so kernels on several threads never meet.

import { WASM_BASE64 } from './jaro-winkler.wasm';

export const PAGE_BYTES = 0x10000;
/** Per kernel: the position table (2 MiB, of which a few KiB are touched for ASCII text), b's matched characters,
 *  free positions and two source slots (see the .wat). */
const SCRATCH_PAGES = 33;
const SOURCE_OFFSET = 0x200220;
const NEXT_SOURCE_OFFSET = 0x200420;
/** The kernel compares values of 1 to this many code units (longer ones go to the JavaScript kernel). */
export const KERNEL_MAX_LENGTH = 256;
/** WebAssembly addresses are 32-bit: a text pool larger than this stays an ordinary array (JavaScript kernel). */
const MAX_POOL_BYTES = 2 ** 31;

let compiled: WebAssembly.Module | undefined;

function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64'));
  return compiled;
}

/** A shared memory with `bytes` usable from offset 0, or null when that is more than the kernel can address or
 *  the process cannot reserve one now (the caller then keeps an ordinary array and the JavaScript kernel). */
export function kernelMemory(bytes: number): WebAssembly.Memory | null {
  if (bytes > MAX_POOL_BYTES) return null;
  const pages = Math.max(1, Math.ceil(bytes / PAGE_BYTES));
  // The maximum is address space only: pages are committed as the memory grows.
  return unlessOutOfMemory(() => new WebAssembly.Memory({ initial: pages, maximum: 65536, shared: true }));
}

/** Grows `memory` so that at least `bytes` are usable from offset 0, at least doubling what it has (so a pool built
 *  in it grows a few dozen times at most). False when that is more than the kernel can address or the process
 *  cannot reserve it now. Growing never moves or copies what is there. */
export function growKernelMemory(memory: WebAssembly.Memory, bytes: number): boolean {
  if (bytes > MAX_POOL_BYTES) return false;
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  const target = Math.min(Math.max(bytes, have * 2), MAX_POOL_BYTES);
  return unlessOutOfMemory(() => memory.grow(Math.ceil(target / PAGE_BYTES) - have / PAGE_BYTES)) !== null;
}

/** A kernel on `memory`, or null when the memory cannot grow by a scratch region (the JavaScript kernel then
 *  serves: same results, slower). */
export function tryKernel(memory: WebAssembly.Memory): JaroWinklerKernel | null {
  return unlessOutOfMemory(() => new JaroWinklerKernel(memory));
}

/** Byte address of a new region of at least `bytes` at the end of `memory`, the caller's alone (growing a shared
 *  memory hands the new pages to the thread that grew it), or null when the memory cannot grow now. */
export function claimRegion(memory: WebAssembly.Memory, bytes: number): number | null {
  const pages = unlessOutOfMemory(() => memory.grow(Math.ceil(bytes / PAGE_BYTES)));
  return pages === null ? null : pages * PAGE_BYTES;
}

/** Lays out consecutive regions of a kernel memory from `start`, each on an 8-byte boundary (f64 arrays need it):
 *  `next(bytes)` returns where a region starts, `end` where the last one ends. */
export class RegionLayout {
  constructor(public end = 0) {}
  next(bytes: number): number {
    const at = this.end;
    this.end = Math.ceil((at + bytes) / 8) * 8;
    return at;
  }
}

/** `make()`, or null when it throws a RangeError: the memory cannot be reserved or grown now. */
export function unlessOutOfMemory<T>(make: () => T): T | null {
  try {
    return make();
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

interface KernelExports {
  prepare(address: number, length: number): void;
  clear(address: number, length: number): void;
  replaceSource(length: number): void;
  score(a: number, aLength: number, b: number, bLength: number, ownTable: number): number;
  scoreRow(
    fields: number,
    fieldCount: number,
    candidates: number,
    count: number,
    offsets: number,
    stride: number,
    codes: number,
    out: number,
  ): number;
  matchBatch(fields: number, fieldCount: number, offsets: number, stride: number, codes: number, out: number, batch: number): void;
}

/** scoreRow and matchBatch of the kernel (see the .wat and row-scorer.ts). */
export type RowScoringKernel = Pick<KernelExports, 'scoreRow' | 'matchBatch'>;

/** A kernel instance for scoreRow on `memory`, breaking ties with `compareIds` (reference row numbers → < 0 when
 *  the first id sorts first). It scores with the field kernels' scratch regions and takes none of its own. */
export function rowScoringKernel(memory: WebAssembly.Memory, compareIds: (a: number, b: number) => number): RowScoringKernel {
  const instance = new WebAssembly.Instance(kernelModule(), { env: { memory, scratch: 0, compareIds } });
  return instance.exports as unknown as KernelExports;
}

function noRowScoring(): number {
  throw new Error('a field kernel does not score rows (see rowScoringKernel)');
}

/**
 * One thread's Jaro–Winkler kernel on a kernel memory. Addresses are byte offsets in the memory (`codes.byteOffset
 * + 2 · index` for a view on it); lengths are 1–KERNEL_MAX_LENGTH code units. Results equal jaroWinklerCodes.
 * One pair: `score(a, aLength, b, bLength, 1)`. One value against many: `prepare(a, aLength)` once,
 * `score(a, aLength, b, bLength, 0)` per other value, `clear(a, aLength)` before the next value (the table must be
 * all zero again). The engine's way, one call per value: write it into `nextSource`, `replaceSource(length)`
 * (clears the table of the value prepared before, whose length the kernel keeps in the scratch region, moves the
 * value to `source`, builds its table), then `score(sourceAddress, length, b, bLength, 0)`.
 */
export class JaroWinklerKernel {
  /** The prepared source value (KERNEL_MAX_LENGTH code units of room) in this kernel's scratch region. */
  readonly source: Uint16Array;
  readonly sourceAddress: number;
  /** Where the caller writes the next source value before replaceSource. */
  readonly nextSource: Uint16Array;
  /** Byte offset of this kernel's scratch region; its first 2 MiB (the position table) is zero between uses. */
  readonly scratch: number;
  readonly prepare: KernelExports['prepare'];
  readonly clear: KernelExports['clear'];
  readonly replaceSource: KernelExports['replaceSource'];
  readonly score: KernelExports['score'];

  constructor(readonly memory: WebAssembly.Memory) {
    const scratch = claimRegion(memory, SCRATCH_PAGES * PAGE_BYTES);
    if (scratch === null) throw new RangeError('the kernel memory cannot grow by a scratch region');
    this.scratch = scratch;
    const instance = new WebAssembly.Instance(kernelModule(), { env: { memory, scratch: this.scratch, compareIds: noRowScoring } });
    const exports = instance.exports as unknown as KernelExports;
    this.prepare = exports.prepare;
    this.clear = exports.clear;
    this.replaceSource = exports.replaceSource;
    this.score = exports.score;
    this.sourceAddress = this.scratch + SOURCE_OFFSET;
    this.source = new Uint16Array(memory.buffer, this.sourceAddress, KERNEL_MAX_LENGTH);
    this.nextSource = new Uint16Array(memory.buffer, this.scratch + NEXT_SOURCE_OFFSET, KERNEL_MAX_LENGTH);
  }
}
