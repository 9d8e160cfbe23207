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
  constructor(private readonly ctor: TypedArrayCtor<T>, initial = 16) {
    this.array = new ctor(initial);
  }
  push(value: number): void {
    if (this.length === this.array.length) this.grow(this.length + 1);
    (this.array as unknown as Record<number, number>)[this.length++] = value;
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

/** Code units growing inside a kernel memory. WebAssembly memory grows in place: nothing is copied when it grows,
 *  nor when the pool is finished, where an ordinary growable copies at every doubling and the finished pool was
 *  copied once more into a kernel memory (together a tenth of a million-row index build). */
class KernelCodes {
  array: Uint16Array;
  length = 0;
  constructor(readonly memory: WebAssembly.Memory) {
    this.array = new Uint16Array(memory.buffer);
  }
  /** False when the memory cannot take `minimum` code units (the builder then moves to an ordinary array). */
  tryGrow(minimum: number): boolean {
    if (!growKernelMemory(this.memory, minimum * Uint16Array.BYTES_PER_ELEMENT)) return false;
    this.array = new Uint16Array(this.memory.buffer);
    return true;
  }
  /** A copy in an ordinary (optionally shared) array, as Growable.finish. */
  finish(shared: boolean): Uint16Array {
    const copy = allocate(Uint16Array, this.length, shared);
    copy.set(this.array.subarray(0, this.length));
    return copy;
  }
}

export class CodePoolBuilder {
  private codes: Growable<Uint16Array> | KernelCodes = new Growable(Uint16Array, 64);
  private readonly offsets = new Growable(Int32Array);
  constructor() {
    this.offsets.push(0);
  }

  /** A builder whose code units live in a kernel memory from the start (see finishInKernelMemory), or in an
   *  ordinary array when no kernel memory can be had. `memory` (default: a new kernel memory) must be empty. */
  static inKernelMemory(memory: WebAssembly.Memory | null = kernelMemory(0)): CodePoolBuilder {
    const builder = new CodePoolBuilder();
    if (memory !== null) builder.codes = new KernelCodes(memory);
    return builder;
  }

  get size(): number {
    return this.offsets.length - 1;
  }
  push(text: string): void {
    const n = text.length;
    if (this.codes.length + n > this.codes.array.length) this.growCodes(this.codes.length + n);
    const codes = this.codes;
    const arr = codes.array;
    let at = codes.length;
    for (let i = 0; i < n; i++) arr[at++] = text.charCodeAt(i);
    codes.length = at;
    this.offsets.push(at);
  }

  private growCodes(minimum: number): void {
    const codes = this.codes;
    if (codes instanceof Growable) return codes.grow(minimum);
    if (codes.tryGrow(minimum)) return;
    // The kernel memory is full (2 GiB of text, or no address space left): carry on in an ordinary array.
    const ordinary = new Growable(Uint16Array, Math.max(64, codes.length));
    ordinary.array.set(codes.array.subarray(0, codes.length));
    ordinary.length = codes.length;
    ordinary.grow(minimum);
    this.codes = ordinary;
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
    if (codes instanceof KernelCodes) return { codes: new Uint16Array(codes.memory.buffer, 0, length), offsets: this.offsets.finish(shared), memory: codes.memory };
    const memory = kernelMemory(length * Uint16Array.BYTES_PER_ELEMENT);
    if (memory === null) return this.finish(shared);
    const inMemory = new Uint16Array(memory.buffer, 0, length);
    inMemory.set(codes.array.subarray(0, length));
    return { codes: inMemory, offsets: this.offsets.finish(shared), memory };
  }
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
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

export function poolBytes(pool: CodePool): number {
  return pool.codes.byteLength + pool.offsets.byteLength;
}
