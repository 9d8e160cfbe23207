/**
 * The string forms of the comparators encode their two arguments into these reused code-unit buffers and call the
 * code-range kernels, so a call allocates nothing. Calls are synchronous, so one pair of buffers serves them all.
 */
import { writeCodes } from '../pool';

export const scratch = { a: new Uint16Array(64), b: new Uint16Array(64) };

export function encodePair(a: string, b: string): void {
  if (a.length > scratch.a.length) scratch.a = new Uint16Array(a.length * 2);
  if (b.length > scratch.b.length) scratch.b = new Uint16Array(b.length * 2);
  writeCodes(a, scratch.a);
  writeCodes(b, scratch.b);
}
