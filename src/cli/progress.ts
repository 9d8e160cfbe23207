/** What `run --follow` shows while a run goes: a redrawn bar on a terminal, plain lines otherwise (logs, CI, pipes). */

export interface RunView {
  databaseId: string;
  status: string;
  phase: string;
  phaseProgress: number;
  rowsTotal: number | null;
  rowsProcessed: number | null;
  rowsMatched: number | null;
  avgConfidence: number | null;
  startedAt: string | null;
  completedAt: string | null;
  error: string | null;
}

const WIDTH = 30;

export function bar(fraction: number, width = WIDTH): string {
  const clamped = Math.min(1, Math.max(0, fraction));
  const full = Math.round(clamped * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(clamped * 100).toFixed(0).padStart(3)}%`;
}

function fractionOf(run: RunView): number {
  if (run.status === 'completed') return 1;
  if (run.rowsTotal) return (run.rowsProcessed ?? 0) / run.rowsTotal;
  return run.phaseProgress;
}

function rows(run: RunView): string {
  return run.rowsTotal === null ? '' : `${run.rowsProcessed ?? 0}/${run.rowsTotal} rows`;
}

export interface ProgressPrinter {
  update(run: RunView): void;
  /** Leaves the line of the bar (before the summary is printed). */
  done(): void;
}

export function progressPrinter(stream: NodeJS.WriteStream, tty = Boolean(stream.isTTY)): ProgressPrinter {
  if (tty) {
    let drawn = false;
    return {
      update(run) {
        stream.write(`\r\x1b[2K${bar(fractionOf(run))} ${run.status.padEnd(9)} ${rows(run)}`);
        drawn = true;
      },
      done() {
        if (drawn) stream.write('\n');
      },
    };
  }
  // Plain lines: every status or phase change, and progress at most every 10 % of the rows.
  let last = { status: '', phase: '', decile: -1 };
  return {
    update(run) {
      const decile = Math.floor(fractionOf(run) * 10);
      if (run.status === last.status && run.phase === last.phase && decile === last.decile) return;
      last = { status: run.status, phase: run.phase, decile };
      const detail = [rows(run), run.status === 'running' ? `${Math.round(fractionOf(run) * 100)}%` : ''].filter(Boolean).join(', ');
      stream.write(
        `${new Date().toISOString()} ${run.status}${run.phase && run.phase !== run.status ? ` (${run.phase})` : ''}${detail ? `: ${detail}` : ''}\n`,
      );
    },
    done() {},
  };
}

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function summary(run: RunView, durationMs: number): string[] {
  const processed = run.rowsProcessed ?? 0;
  const matched = run.rowsMatched ?? 0;
  const share = processed ? ` (${((matched / processed) * 100).toFixed(1)} %)` : '';
  const lines = [
    `Run ${run.databaseId} ${run.status} in ${formatDuration(durationMs)}`,
    `  rows processed: ${processed}`,
    `  rows matched:   ${matched}${share}`,
    `  avg confidence: ${run.avgConfidence === null ? '–' : run.avgConfidence.toFixed(3)}`,
  ];
  if (run.error) lines.push(`  error:          ${run.error}`);
  return lines;
}
