import { useEffect, useState } from 'preact/hooks';
import { fetchConfidences } from '../api/operations';
import { count } from '../lib/format';

interface Props {
  apiKey: string;
  runId: string;
  /** The config's threshold: bins at or above it are drawn as matches. */
  threshold: number | null;
  /** Changes when the histogram should be read again (the run's status). */
  refreshKey: string;
}

const BINS = 10;

function binOf(value: number): number {
  return Math.min(BINS - 1, Math.max(0, Math.floor(value * BINS)));
}

/** How the run's confidences spread over [0, 1], in ten bins. */
export function ConfidenceHistogram({ apiKey, runId, threshold, refreshKey }: Props) {
  const [data, setData] = useState<{ bins: number[]; total: number; complete: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    fetchConfidences(apiKey, runId).then(
      ({ confidences, complete }) => {
        if (!active) return;
        const bins = new Array<number>(BINS).fill(0);
        for (const value of confidences) bins[binOf(value)]! += 1;
        setData({ bins, total: confidences.length, complete });
      },
      (failure: Error) => active && setError(failure.message),
    );
    return () => {
      active = false;
    };
  }, [apiKey, runId, refreshKey]);

  const highest = Math.max(1, ...(data?.bins ?? []));
  return (
    <section class="card" aria-labelledby="histogram-title">
      <h2 id="histogram-title">Confidence</h2>
      {error && <p class="error">{error}</p>}
      {data && data.total === 0 && <p class="hint">No results yet.</p>}
      {data && data.total > 0 && (
        <figure class="histogram">
          <ol aria-label="Results per confidence bin">
            {data.bins.map((value, index) => {
              const low = index / BINS;
              const label = `${low.toFixed(1)}–${(low + 1 / BINS).toFixed(1)}`;
              const matched = threshold !== null && low >= threshold - 1e-9;
              return (
                <li key={label} aria-label={`${label}: ${count(value)} results`} title={`${label}: ${count(value)}`}>
                  <span class="histogram-count">{count(value)}</span>
                  <span
                    class={`histogram-bar${matched ? ' histogram-bar-matched' : ''}`}
                    style={{ height: `${(value / highest) * 100}%` }}
                  />
                  <span class="histogram-label">{low.toFixed(1)}</span>
                </li>
              );
            })}
          </ol>
          <figcaption>
            {count(data.total)} results{data.complete ? '' : ' (the first ones only)'}
            {threshold !== null && `; threshold ${threshold} (darker bars are at or above it)`}
          </figcaption>
        </figure>
      )}
    </section>
  );
}
