import { useEffect, useState } from 'preact/hooks';
import { startRun, startSmartRun } from '../api/operations';
import { fetchStrategies, type StrategySummary } from '../api/rest';
import type { MatchingConfigSummary, Run } from '../api/types';
import { statusLabel } from '../lib/format';

interface Props {
  apiKey: string;
  configs: MatchingConfigSummary[];
  /** The workspace's runs as the live feed has them: the message about a started run follows its status. */
  runs: Run[];
  onStarted(run: Run): void;
}

/** Starts a run, or a smart run with a strategy, of one of the workspace's configs. */
export function StartRunForm({ apiKey, configs, runs, onStarted }: Props) {
  const [configId, setConfigId] = useState('');
  const [smart, setSmart] = useState(false);
  const [strategyId, setStrategyId] = useState('');
  const [strategies, setStrategies] = useState<StrategySummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<Run | null>(null);
  const [busy, setBusy] = useState(false);

  const selected = configs.find((config) => config.id === configId) ?? configs[0];

  // The strategies list exists only where the server has its REST route; otherwise the id is typed in.
  useEffect(() => {
    setStrategies(null);
    if (!smart || !selected) return;
    let active = true;
    fetchStrategies(apiKey, selected.databaseId).then(
      (list) => active && setStrategies(list),
      () => active && setStrategies(null),
    );
    return () => {
      active = false;
    };
  }, [apiKey, smart, selected?.databaseId]);

  async function submit(event: Event) {
    event.preventDefault();
    if (!selected) return;
    setBusy(true);
    setError(null);
    setStarted(null);
    try {
      const run = smart ? await startSmartRun(apiKey, selected.id, strategyId.trim()) : await startRun(apiKey, selected.id);
      onStarted(run);
      setStarted(run);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (configs.length === 0) {
    return (
      <p class="hint">
        This workspace has no matching config yet: create one with <code>POST /v1/matching/configs</code> (see the{' '}
        <a href="/docs">API docs</a>).
      </p>
    );
  }

  return (
    <form class="card start-run" onSubmit={submit}>
      <h2>Start a run</h2>
      <div class="fields">
        <div class="field">
          <label for="run-config">Matching config</label>
          <select id="run-config" value={selected?.id} onChange={(event) => setConfigId(event.currentTarget.value)}>
            {configs.map((config) => (
              <option key={config.id} value={config.id}>
                {config.name} ({config.sourceData?.name ?? 'no source'} → {config.referenceData.name})
              </option>
            ))}
          </select>
        </div>
        <div class="field checkbox">
          <input id="run-smart" type="checkbox" checked={smart} onChange={(event) => setSmart(event.currentTarget.checked)} />
          <label for="run-smart">Smart run (with a strategy)</label>
        </div>
        {smart && strategies && strategies.length > 0 && (
          <div class="field">
            <label for="run-strategy">Strategy</label>
            <select id="run-strategy" value={strategyId} onChange={(event) => setStrategyId(event.currentTarget.value)} required>
              <option value="">Choose…</option>
              {strategies.map((strategy) => (
                <option key={strategy.id} value={strategy.id}>
                  {strategy.name ?? strategy.id}
                  {strategy.version !== undefined ? ` (v${strategy.version})` : ''}
                </option>
              ))}
            </select>
          </div>
        )}
        {smart && !(strategies && strategies.length > 0) && (
          <div class="field">
            <label for="run-strategy">Strategy id</label>
            <input
              id="run-strategy"
              value={strategyId}
              placeholder="UUID of a generated strategy"
              onInput={(event) => setStrategyId(event.currentTarget.value)}
              required
            />
          </div>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Starting…' : smart ? 'Start smart run' : 'Start run'}
        </button>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {started && (
        <p class="notice" role="status">
          Run {started.databaseId.slice(0, 8)} {statusLabel((runs.find((run) => run.id === started.id) ?? started).status)}.
        </p>
      )}
    </form>
  );
}
