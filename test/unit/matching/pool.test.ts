import { describe, expect, it } from 'vitest';
import { CodePoolBuilder, poolString, type CodePool } from '../../../src/matching/pool';

const values = Array.from({ length: 3000 }, (_, i) =>
  i % 7 === 0 ? '' : `value ${i} ${'é'.repeat(i % 5)}${String.fromCharCode(0xd800 + (i % 3))}`,
);

function build(builder: CodePoolBuilder): CodePool {
  for (const v of values) builder.push(v);
  return builder.finishInKernelMemory(false);
}

function contents(pool: CodePool): string[] {
  return values.map((_, i) => poolString(pool, i));
}

describe('CodePoolBuilder in kernel memory', () => {
  it('grows the memory in place and finishes without a copy, with the same values as an ordinary builder', () => {
    const memory = new WebAssembly.Memory({ initial: 0, maximum: 65536, shared: true });
    const pool = build(CodePoolBuilder.inKernelMemory(memory));
    expect(memory.buffer.byteLength).toBeGreaterThan(65536); // it had to grow more than once
    expect(pool.memory).toBe(memory);
    expect(pool.codes.byteOffset).toBe(0);
    expect(Array.from(new Uint16Array(memory.buffer, 0, pool.codes.length))).toEqual(Array.from(pool.codes)); // the codes are the memory's own
    expect(contents(pool)).toEqual(values);
    expect(Array.from(pool.offsets)).toEqual(Array.from(build(new CodePoolBuilder()).offsets));
  });

  it('moves to an ordinary array when the memory cannot grow, and still finishes in a kernel memory', () => {
    const small = new WebAssembly.Memory({ initial: 0, maximum: 1, shared: true });
    const pool = build(CodePoolBuilder.inKernelMemory(small));
    expect(pool.memory).toBeDefined();
    expect(pool.memory).not.toBe(small); // the values did not fit in one page
    expect(contents(pool)).toEqual(values);
  });

  it('finishes into an ordinary array when asked to', () => {
    const builder = CodePoolBuilder.inKernelMemory();
    for (const v of values) builder.push(v);
    const pool = builder.finish(true);
    expect(pool.memory).toBeUndefined();
    expect(pool.codes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(contents(pool)).toEqual(values);
  });

  it('falls back to an ordinary builder when no kernel memory can be had', () => {
    const pool = build(CodePoolBuilder.inKernelMemory(null));
    expect(contents(pool)).toEqual(values);
  });
});
