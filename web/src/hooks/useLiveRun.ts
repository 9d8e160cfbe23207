import { useEffect, useState } from 'preact/hooks';
import { fetchRun, RUN_UPDATED, type RunWithConfig } from '../api/operations';
import { subscribe } from '../api/subscriptions';
import type { Run } from '../api/types';

/** A status or phase change the page saw, with the time it saw it. */
export interface SeenChange {
  at: number;
  status: Run['status'];
  phase: string;
}

export interface LiveRun {
  run: RunWithConfig | null;
  seen: SeenChange[];
  error: string | null;
}

/**
 * One run, kept live by `runUpdated` (which sends the current state at once, then every change, and completes after
 * a terminal state). The query adds what the subscription does not carry: the config's name and threshold.
 */
export function useLiveRun(key: string, runId: string): LiveRun {
  const [run, setRun] = useState<RunWithConfig | null>(null);
  const [seen, setSeen] = useState<SeenChange[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    setRun(null);
    setSeen([]);
    setError(null);
    fetchRun(key, runId).then(
      (fetched) => active && setRun((current) => (current ? { ...current, matchingConfig: fetched.matchingConfig } : fetched)),
      (failure: Error) => active && setError(failure.message),
    );
    const unsubscribe = subscribe<{ runUpdated: Run }>(
      key,
      RUN_UPDATED,
      { id: runId },
      {
        next: ({ runUpdated }) => {
          setRun((current) => ({ ...runUpdated, matchingConfig: current?.matchingConfig ?? null }));
          setSeen((changes) => {
            const last = changes[changes.length - 1];
            if (last && last.status === runUpdated.status && last.phase === runUpdated.phase) return changes;
            return [...changes, { at: Date.now(), status: runUpdated.status, phase: runUpdated.phase }];
          });
        },
        error: (failure) => active && setError(failure.message),
      },
    );
    return () => {
      active = false;
      unsubscribe();
    };
  }, [key, runId]);

  return { run, seen, error };
}
