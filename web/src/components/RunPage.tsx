import { TERMINAL } from '../api/types';
import { useLiveRun } from '../hooks/useLiveRun';
import { runProgress } from '../lib/format';
import { ConfidenceHistogram } from './ConfidenceHistogram';
import { ProgressBar } from './ProgressBar';
import { ResultsSection } from './ResultsSection';
import { RunCounters } from './RunCounters';
import { RunLink } from './RunLink';
import { StatusBadge } from './StatusBadge';
import { StatusTimeline } from './StatusTimeline';

/** One run: live status, counters, timeline, confidence histogram, results and their review. */
export function RunPage({ apiKey, runId }: { apiKey: string; runId: string }) {
  const { run, seen, error } = useLiveRun(apiKey, runId);
  if (error && !run) {
    return (
      <main>
        <p class="error" role="alert">
          {error}
        </p>
        <a href="/">Back to runs</a>
      </main>
    );
  }
  if (!run)
    return (
      <main aria-busy="true">
        <p class="hint">Loading run…</p>
      </main>
    );

  // Results and the histogram are read again whenever the status changes (a running run gains results; a finished
  // one has them all), not on every progress event.
  const refreshKey = run.status;
  const finished = TERMINAL.has(run.status);
  return (
    <main>
      <section class="card run-head" aria-labelledby="run-title">
        <h2 id="run-title">
          Run <code>{run.databaseId}</code> <StatusBadge status={run.status} />
        </h2>
        <p>
          Config <strong>{run.matchingConfig?.name ?? 'deleted'}</strong> · triggered {run.triggeredBy.toLowerCase()}
          {run.strategyId && ` · strategy ${run.strategyId} v${run.strategyVersion ?? '?'}`}
        </p>
        <ProgressBar
          value={runProgress(run)}
          label={`Progress of run ${run.databaseId}`}
          tone={run.status === 'FAILED' || run.status === 'CANCELLED' ? 'failed' : finished ? 'done' : 'active'}
        />
        <RunCounters run={run} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </section>
      <div class="columns">
        <StatusTimeline run={run} seen={seen} />
        <ConfidenceHistogram
          apiKey={apiKey}
          runId={run.databaseId}
          threshold={run.matchingConfig?.threshold ?? null}
          refreshKey={refreshKey}
        />
      </div>
      <ResultsSection apiKey={apiKey} runId={run.databaseId} refreshKey={refreshKey} />
    </main>
  );
}
