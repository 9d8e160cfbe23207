// Compact, structured-clonable storage for many short strings: UTF-16 code units in one Uint16Array plus an
// offsets array (value i = codes[offsets[i] .. offsets[i+1])). Comparators read these code ranges directly, so
// the hot loop never creates strings, and a pool backed by SharedArrayBuffers is shared by worker threads.

import { growKernelMemory, kernelMemory } from './comparators/jaro-winkler-kernel';

export interface CodePool {
  codes: Uint16Array;
  offsets: Int32Array;
  /** When set, `codes` is a view on this shared WebAssembly memory (from offset 0), where the Jaro–Winkler kernel
   *  reads it (see comparators/jaro-winkler-kernel.ts). */
  memory?: WebAssembly.Memory;
  /** `offsets` is a view on `memory` too (after the codes), where the kernel's scoreRow reads them. */
  offsetsInMemory?: boolean;
}

type TypedArrayCtor<T> = { new (length: number): T; new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number };

/** A typed array of `length` elements, on a SharedArrayBuffer when `shared` (so worker threads see the same memory). */
export function allocate<T>(ctor: TypedArrayCtor<T>, length: number, shared: boolean): T {
  return shared ? new ctor(new SharedArrayBuffer(length * ctor.BYTES_PER_ELEMENT)) : new ctor(length);
}

interface AnyTypedArray {
  length: number;
  set(array: ArrayLike<number>, offset?: number): void;
  subarray(begin?: number, end?: number): AnyTypedArray;
}

/** Grows by doubling while building; `finish` copies to an exact-size (optionally shared) array. Starts small
 *  on purpose: the first grows then happen within a build's first rows, before V8 optimises push(), which
 *  otherwise deoptimised at its first grow for want of type feedback there (twice per FEBRL4 build). */
export class Growable<T extends AnyTypedArray> {
  array: T;
  length = 0;
  constructor(
    private readonly ctor: TypedArrayCtor<T>,
    initial = 16,
  ) {
    this.array = new ctor(initial);
  }
  push(value: number): void {
    if (this.length === this.array.length) this.grow(this.length + 1);
    (this.array as unknown as Record<number, number>)[this.length++] = value;
  }
  /** Appends every element of `values` (a batch made elsewhere, e.g. in WebAssembly). */
  append(values: ArrayLike<number>): void {
    if (this.length + values.length > this.array.length) this.grow(this.length + values.length);
    this.array.set(values, this.length);
    this.length += values.length;
  }
  grow(minimum: number): void {
    let size = this.array.length * 2;
    while (size < minimum) size *= 2;
    const next = new this.ctor(size);
    next.set(this.array as unknown as ArrayLike<number>);
    this.array = next;
  }
  finish(shared: boolean): T {
    const out = allocate(this.ctor, this.length, shared);
    out.set(this.array.subarray(0, this.length) as unknown as ArrayLike<number>);
    return out;
  }
}

/** Code units growing inside a kernel memory while they fit there. WebAssembly memory grows in place: nothing is
 *  copied when it grows, nor when the pool is finished in it, where an ordinary growable copies at every doubling
 *  and the finished pool was copied once more into a kernel memory (together a tenth of a million-row index
 *  build). When the memory cannot grow (2 GiB of text, no address space left), it carries on as an ordinary
 *  growable (`memory` null). */
class KernelCodes extends Growable<Uint16Array> {
  constructor(public memory: WebAssembly.Memory | null) {
    super(Uint16Array, 64);
    if (memory !== null) this.array = new Uint16Array(memory.buffer);
  }
  override grow(minimum: number): void {
    if (this.memory !== null && growKernelMemory(this.memory, minimum * Uint16Array.BYTES_PER_ELEMENT)) {
      this.array = new Uint16Array(this.memory.buffer);
      return;
    }
    this.memory = null;
    super.grow(minimum);
  }
}

export class CodePoolBuilder {
  private readonly offsets = new Growable(Int32Array);
  /** `codes`: where the code units go (default: an ordinary growable; see inKernelMemory). */
  constructor(private readonly codes: Growable<Uint16Array> = new Growable(Uint16Array, 64)) {
    this.offsets.push(0);
  }

  /** A builder whose code units live in a kernel memory from the start (see finishInKernelMemory), or in an
   *  ordinary array when no kernel memory can be had. `memory` (default: a new kernel memory) must be empty. */
  static inKernelMemory(memory: WebAssembly.Memory | null = kernelMemory(0)): CodePoolBuilder {
    return new CodePoolBuilder(new KernelCodes(memory));
  }

  get size(): number {
    return this.offsets.length - 1;
  }
  /** Code units written so far. */
  get codeCount(): number {
    return this.codes.length;
  }
  push(text: string): void {
    const codes = this.codes;
    const n = text.length;
    if (codes.length + n > codes.array.length) codes.grow(codes.length + n);
    codes.length = writeCodes(text, codes.array, codes.length);
    this.offsets.push(codes.length);
  }

  /** Appends values made elsewhere: their code units, and where each ends (counted from the pool's start). */
  append(codes: Uint16Array, ends: Int32Array): void {
    this.codes.append(codes);
    this.offsets.append(ends);
  }

  finish(shared: boolean): CodePool {
    return { codes: this.codes.finish(shared), offsets: this.offsets.finish(shared) };
  }

  /** Like finish, with the code units in a kernel memory of their own (shared, so worker threads read the same
   *  memory), where the Jaro–Winkler kernel reads them. Without a copy when the builder was made inKernelMemory;
   *  falls back to finish(shared) when the pool is too large for the kernel. */
  finishInKernelMemory(shared: boolean): CodePool {
    const codes = this.codes;
    const length = codes.length;
    if (codes instanceof KernelCodes && codes.memory !== null)
      return this.withOffsetsIn(codes.memory, new Uint16Array(codes.memory.buffer, 0, length), shared);
    const memory = kernelMemory(length * Uint16Array.BYTES_PER_ELEMENT);
    if (memory === null) return this.finish(shared);
    const inMemory = new Uint16Array(memory.buffer, 0, length);
    inMemory.set(codes.array.subarray(0, length));
    return this.withOffsetsIn(memory, inMemory, shared);
  }

  /** The pool on `memory`, its offsets copied there after the codes (into the memory's free room when it has
   *  some: it grew by doubling), or kept apart when the memory cannot take them. */
  private withOffsetsIn(memory: WebAssembly.Memory, codes: Uint16Array, shared: boolean): CodePool {
    const at = Math.ceil(codes.byteLength / 4) * 4;
    const count = this.offsets.length;
    if (!growKernelMemory(memory, at + count * Int32Array.BYTES_PER_ELEMENT))
      return { codes, offsets: this.offsets.finish(shared), memory };
    const offsets = new Int32Array(memory.buffer, at, count);
    offsets.set(this.offsets.array.subarray(0, count));
    return { codes, offsets, memory, offsetsInMemory: true };
  }
}

/** Writes the code units of `text` into `into` from `at` (which must have room); returns the end. */
export function writeCodes(text: string, into: Uint16Array, at = 0): number {
  const n = text.length;
  for (let i = 0; i < n; i++) into[at + i] = text.charCodeAt(i);
  return at + n;
}

export function poolLength(pool: CodePool, i: number): number {
  return (pool.offsets[i + 1] as number) - (pool.offsets[i] as number);
}

/** Decode value i (String.fromCharCode in chunks: TextDecoder refuses SharedArrayBuffer views). */
export function poolString(pool: CodePool, i: number): string {
  const start = pool.offsets[i] as number;
  const end = pool.offsets[i + 1] as number;
  let out = '';
  for (let at = start; at < end; at += 4096) {
    out += String.fromCharCode.apply(null, pool.codes.subarray(at, Math.min(end, at + 4096)) as unknown as number[]);
  }
  return out;
}

/** Lexicographic comparison of values i and j by UTF-16 code units: the same order as JS `<` on the strings. */
export function comparePoolValues(pool: CodePool, i: number, j: number): number {
  const codes = pool.codes;
  const ai = pool.offsets[i] as number;
  const aEnd = pool.offsets[i + 1] as number;
  const bj = pool.offsets[j] as number;
  const bEnd = pool.offsets[j + 1] as number;
  const n = Math.min(aEnd - ai, bEnd - bj);
  for (let k = 0; k < n; k++) {
    const d = (codes[ai + k] as number) - (codes[bj + k] as number);
    if (d !== 0) return d;
  }
  return aEnd - ai - (bEnd - bj);
}

/** Encode a string into a fresh Uint16Array (once per source value, never per pair). */
export function encode(text: string): Uint16Array {
  const out = new Uint16Array(text.length);
  writeCodes(text, out);
  return out;
}

export function poolBytes(pool: CodePool): number {
  return pool.codes.byteLength + pool.offsets.byteLength;
}
