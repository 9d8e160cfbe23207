import { useEffect, useState } from 'preact/hooks';
import { fetchConfigs } from '../api/operations';
import type { MatchingConfigSummary } from '../api/types';
import { useRunsFeed } from '../hooks/useRunsFeed';
import { RunList } from './RunList';
import { StartRunForm } from './StartRunForm';

/** The home view: start a run, and watch the workspace's runs live. */
export function RunsPage({ apiKey }: { apiKey: string }) {
  const feed = useRunsFeed(apiKey);
  const [configs, setConfigs] = useState<MatchingConfigSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    fetchConfigs(apiKey).then(setConfigs, (failure: Error) => setError(failure.message));
  }, [apiKey]);

  return (
    <main>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {configs && <StartRunForm apiKey={apiKey} configs={configs} runs={feed.runs} onStarted={feed.add} />}
      <section class="card" aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        {feed.error && (
          <p class="error" role="alert">
            {feed.error}
          </p>
        )}
        <RunList runs={feed.runs} configs={configs ?? []} totalCount={feed.totalCount} />
      </section>
    </main>
  );
}
