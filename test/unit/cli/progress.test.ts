import { describe, expect, it } from 'vitest';
import { bar, formatDuration, progressPrinter, summary, type RunView } from '../../../src/cli/progress';

const run = (overrides: Partial<RunView>): RunView => ({
  databaseId: 'r1',
  status: 'running',
  phase: 'matching',
  phaseProgress: 0,
  rowsTotal: 1000,
  rowsProcessed: 0,
  rowsMatched: 0,
  avgConfidence: null,
  startedAt: null,
  completedAt: null,
  error: null,
  ...overrides,
});

function sink(tty: boolean) {
  let written = '';
  const stream = { isTTY: tty, write: (text: string) => ((written += text), true) } as unknown as NodeJS.WriteStream;
  return { stream, written: () => written };
}

describe('run --follow output', () => {
  it('draws a bar', () => {
    expect(bar(0, 10)).toBe('[----------]   0%');
    expect(bar(0.5, 10)).toBe('[#####-----]  50%');
    expect(bar(1.7, 10)).toBe('[##########] 100%');
  });

  it('redraws one line on a terminal', () => {
    const out = sink(true);
    const printer = progressPrinter(out.stream);
    printer.update(run({ rowsProcessed: 250 }));
    printer.update(run({ rowsProcessed: 500 }));
    printer.done();
    expect(out.written()).toBe(`\r\x1b[2K${bar(0.25)} running   250/1000 rows\r\x1b[2K${bar(0.5)} running   500/1000 rows\n`);
  });

  it('prints a line per status change or 10 % of rows elsewhere', () => {
    const out = sink(false);
    const printer = progressPrinter(out.stream);
    for (const processed of [0, 10, 50, 100, 150, 1000]) printer.update(run({ rowsProcessed: processed }));
    printer.update(run({ status: 'completed', phase: 'done', rowsProcessed: 1000 }));
    const lines = out
      .written()
      .trim()
      .split('\n')
      .map((line) => line.replace(/^\S+ /, ''));
    expect(lines).toEqual([
      'running (matching): 0/1000 rows, 0%',
      'running (matching): 100/1000 rows, 10%',
      'running (matching): 1000/1000 rows, 100%',
      'completed (done): 1000/1000 rows',
    ]);
  });

  it('summarises a run', () => {
    expect(summary(run({ status: 'completed', rowsProcessed: 1000, rowsMatched: 875, avgConfidence: 0.93456 }), 3210)).toEqual([
      'Run r1 completed in 3.2 s',
      '  rows processed: 1000',
      '  rows matched:   875 (87.5 %)',
      '  avg confidence: 0.935',
    ]);
    expect(summary(run({ status: 'failed', rowsProcessed: null, error: 'boom' }), 65_000)).toContain('  error:          boom');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});
