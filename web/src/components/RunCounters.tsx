import type { Run } from '../api/types';
import { confidence, count, duration, percent } from '../lib/format';

/** The run's numbers at a glance. */
export function RunCounters({ run }: { run: Run }) {
  const matchRate = run.rowsProcessed ? (run.rowsMatched ?? 0) / run.rowsProcessed : null;
  const items: Array<[string, string]> = [
    ['Source rows', count(run.rowsTotal)],
    ['Processed', count(run.rowsProcessed)],
    ['Matched', count(run.rowsMatched)],
    ['Match rate', matchRate === null ? '–' : percent(matchRate)],
    ['Avg confidence', confidence(run.avgConfidence)],
    ['Duration', duration(run)],
  ];
  return (
    <dl class="counters">
      {items.map(([label, shown]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{shown}</dd>
        </div>
      ))}
    </dl>
  );
}
