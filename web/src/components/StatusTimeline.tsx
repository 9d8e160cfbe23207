import type { Run } from '../api/types';
import type { SeenChange } from '../hooks/useLiveRun';
import { statusLabel, time } from '../lib/format';

interface Entry {
  at: number;
  label: string;
  live: boolean;
}

/**
 * What happened to the run, in order: the server's own timestamps (created, started, finished) plus every status or
 * phase change this page saw live, which fills in what the timestamps do not record (matching, assigning…).
 */
function entries(run: Run, seen: SeenChange[]): Entry[] {
  const list: Entry[] = [{ at: Date.parse(run.createdAt), label: 'queued', live: false }];
  if (run.startedAt) list.push({ at: Date.parse(run.startedAt), label: 'running', live: false });
  if (run.completedAt) list.push({ at: Date.parse(run.completedAt), label: statusLabel(run.status), live: false });
  for (const change of seen) {
    const label =
      change.phase === 'done' || change.phase === statusLabel(change.status)
        ? statusLabel(change.status)
        : `${statusLabel(change.status)} · ${change.phase}`;
    // The first event repeats the state the timestamps already show.
    if (!list.some((entry) => entry.label === label)) list.push({ at: change.at, label, live: true });
  }
  return list.sort((a, b) => a.at - b.at);
}

export function StatusTimeline({ run, seen }: { run: Run; seen: SeenChange[] }) {
  return (
    <section class="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol class="timeline">
        {entries(run, seen).map((entry) => (
          <li key={`${entry.label}-${entry.at}`}>
            <time dateTime={new Date(entry.at).toISOString()}>{time(new Date(entry.at).toISOString())}</time> <span>{entry.label}</span>
            {entry.live && <span class="hint"> (seen live)</span>}
          </li>
        ))}
      </ol>
      {run.error && <p class="error">Error: {run.error}</p>}
    </section>
  );
}
