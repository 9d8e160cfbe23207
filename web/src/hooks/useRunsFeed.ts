import { useCallback, useEffect, useState } from 'preact/hooks';
import { fetchRuns, RUNS_UPDATED } from '../api/operations';
import { onReconnect, subscribe } from '../api/subscriptions';
import type { Run } from '../api/types';

export interface RunsFeed {
  runs: Run[];
  totalCount: number | null;
  error: string | null;
  /** Shows a run this page just started, before its first event arrives. */
  add(run: Run): void;
}

/** Keeps whichever copy of a run is the most recent: events and the first fetch may arrive in any order. */
function merge(runs: Map<string, Run>, incoming: Run): Map<string, Run> {
  const known = runs.get(incoming.id);
  if (known && Date.parse(known.updatedAt) > Date.parse(incoming.updatedAt)) return runs;
  const next = new Map(runs);
  next.set(incoming.id, incoming);
  return next;
}

/** The workspace's 50 latest runs, kept live by the `runsUpdated` subscription. */
export function useRunsFeed(key: string): RunsFeed {
  const [runs, setRuns] = useState<Map<string, Run>>(new Map());
  const [totalCount, setTotalCount] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    // Subscribe first, then fetch: a run that changes between the two is not missed.
    const unsubscribe = subscribe<{ runsUpdated: Run }>(
      key,
      RUNS_UPDATED,
      {},
      {
        next: (data) => setRuns((current) => merge(current, data.runsUpdated)),
        error: (failure) => active && setError(`Live updates stopped: ${failure.message}`),
      },
    );
    const load = () =>
      fetchRuns(key).then(
        (page) => {
          if (!active) return;
          setRuns((current) => page.runs.reduce(merge, current));
          setTotalCount(page.totalCount);
          setError(null);
        },
        (failure: Error) => active && setError(failure.message),
      );
    void load();
    const stopListening = onReconnect(() => void load());
    return () => {
      active = false;
      unsubscribe();
      stopListening();
    };
  }, [key]);

  const add = useCallback((run: Run) => setRuns((current) => merge(current, run)), []);
  const sorted = [...runs.values()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
  return { runs: sorted, totalCount, error, add };
}
