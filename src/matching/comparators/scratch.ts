/**
 * The string forms of the comparators encode their two arguments into these reused code-unit buffers and call the
 * code-range kernels, so a call allocates nothing. Calls are synchronous, so one pair of buffers serves them all.
 */
export const scratch = { a: new Uint16Array(64), b: new Uint16Array(64) };

export function encodePair(a: string, b: string): void {
  if (a.length > scratch.a.length) scratch.a = new Uint16Array(a.length * 2);
  if (b.length > scratch.b.length) scratch.b = new Uint16Array(b.length * 2);
  for (let i = 0; i < a.length; i++) scratch.a[i] = a.charCodeAt(i);
  for (let i = 0; i < b.length; i++) scratch.b[i] = b.charCodeAt(i);
}
