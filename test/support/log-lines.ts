import { Writable } from 'node:stream';

/** A stream for a test logger that appends each complete line it is written to `lines`. */
export function lineSink(lines: string[]): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      lines.push(...parts.filter(Boolean));
      callback();
    },
  });
}
