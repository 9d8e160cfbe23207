import { readFileSync } from 'node:fs';

// The one output format of every bench suite: one JSON object per line.
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  [extra: string]: unknown;
}

export function emit(line: BenchLine): void {
  const rounded: BenchLine = { ...line, value: round(line.value) };
  if (line.baseline !== undefined) rounded.baseline = round(line.baseline);
  if (line.ratio !== undefined) rounded.ratio = round(line.ratio);
  process.stdout.write(`${JSON.stringify(rounded)}\n`);
}

function round(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  return Number(x.toPrecision(5));
}

/** Peak resident set size of this process in bytes (Linux: VmHWM; elsewhere resourceUsage().maxRSS). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** This thread's CPU time and run-queue wait so far, in ms (Linux /proc/thread-self/schedstat; NaN elsewhere).
 *  CPU time of the main thread leaves out time the machine gave to other processes, so on a shared machine it
 *  varies less than wall time between runs of the same code. */
export function threadSchedule(): { cpuMs: number; waitMs: number } {
  try {
    const [cpuNs, waitNs] = readFileSync('/proc/thread-self/schedstat', 'utf8').trim().split(' ').map(Number);
    return { cpuMs: (cpuNs ?? Number.NaN) / 1e6, waitMs: (waitNs ?? Number.NaN) / 1e6 };
  } catch {
    return { cpuMs: Number.NaN, waitMs: Number.NaN };
  }
}
