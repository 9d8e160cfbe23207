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
