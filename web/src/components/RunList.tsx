import type { MatchingConfigSummary, Run } from '../api/types';
import { TERMINAL } from '../api/types';
import { confidence, count, dateTime, runProgress } from '../lib/format';
import { ProgressBar } from './ProgressBar';
import { RunLink } from './RunLink';
import { StatusBadge } from './StatusBadge';

interface Props {
  runs: Run[];
  configs: MatchingConfigSummary[];
  totalCount: number | null;
}

function tone(run: Run): 'active' | 'done' | 'failed' {
  if (run.status === 'FAILED' || run.status === 'CANCELLED') return 'failed';
  return TERMINAL.has(run.status) ? 'done' : 'active';
}

/** The workspace's latest runs with live progress. */
export function RunList({ runs, configs, totalCount }: Props) {
  const configNames = new Map(configs.map((config) => [config.databaseId, config.name]));
  if (runs.length === 0) return <p class="hint">No runs yet. Start one above.</p>;
  return (
    <div class="table-wrap">
      <table class="runs">
        <caption>Latest runs{totalCount !== null && totalCount > runs.length ? ` (${runs.length} of ${totalCount})` : ''}</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Config</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Rows</th>
            <th scope="col">Matched</th>
            <th scope="col">Avg confidence</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id} data-run-id={run.databaseId}>
              <td>
                <RunLink runId={run.databaseId} label={`Open run ${run.databaseId}`}>
                  <code>{run.databaseId.slice(0, 8)}</code>
                </RunLink>
                {run.strategyId && <span class="tag">smart</span>}
              </td>
              <td>{configNames.get(run.matchingConfigId) ?? <code class="hint">{run.matchingConfigId.slice(0, 8)}</code>}</td>
              <td>
                <StatusBadge status={run.status} />
              </td>
              <td class="progress-cell">
                <ProgressBar value={runProgress(run)} label={`Progress of run ${run.databaseId}`} tone={tone(run)} />
              </td>
              <td class="number">
                {count(run.rowsProcessed)} / {count(run.rowsTotal)}
              </td>
              <td class="number">{count(run.rowsMatched)}</td>
              <td class="number">{confidence(run.avgConfidence)}</td>
              <td>{dateTime(run.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
