import { useState } from 'preact/hooks';
import { downloadResultsCsv } from '../api/rest';
import type { ResultFilters } from '../api/types';

/** Downloads the results with the filters in use, as CSV from the REST API. */
export function CsvDownloadButton({ apiKey, runId, filters }: { apiKey: string; runId: string; filters: ResultFilters }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function download() {
    setBusy(true);
    setError(null);
    try {
      await downloadResultsCsv(apiKey, runId, filters);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <span>
      <button type="button" class="secondary" disabled={busy} onClick={download}>
        {busy ? 'Preparing CSV…' : 'Download CSV'}
      </button>
      {error && (
        <span class="error" role="alert">
          {' '}
          {error}
        </span>
      )}
    </span>
  );
}
