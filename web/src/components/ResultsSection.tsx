import { useEffect, useState } from 'preact/hooks';
import { fetchResults } from '../api/operations';
import type { ResultFilters, RunResult } from '../api/types';
import { CsvDownloadButton } from './CsvDownloadButton';
import { EvidencePanel } from './EvidencePanel';
import { Pager } from './Pager';
import { ResultFilterBar } from './ResultFilterBar';
import { ResultsTable } from './ResultsTable';

const PAGE_SIZE = 25;
const NO_FILTERS: ResultFilters = { status: '', matched: 'any', minConfidence: '' };

interface Props {
  apiKey: string;
  /** The run's UUID. */
  runId: string;
  /** Changes when the results should be read again (the run's status). */
  refreshKey: string;
}

/** Filters, one page of results, paging, the CSV download and the evidence of the chosen result. */
export function ResultsSection({ apiKey, runId, refreshKey }: Props) {
  const [filters, setFilters] = useState<ResultFilters>(NO_FILTERS);
  // Cursors of the pages before the current one: `after` of page n is cursors[n - 1] (null for the first page).
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState<{ results: RunResult[]; endCursor: string | null; hasNextPage: boolean } | null>(null);
  const [selected, setSelected] = useState<RunResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const after = cursors[cursors.length - 1] ?? null;

  useEffect(() => {
    let active = true;
    setError(null);
    fetchResults(apiKey, runId, filters, PAGE_SIZE, after).then(
      (loaded) => active && setPage(loaded),
      (failure: Error) => active && setError(failure.message),
    );
    return () => {
      active = false;
    };
  }, [apiKey, runId, filters, after, refreshKey]);

  function changeFilters(next: ResultFilters) {
    setFilters(next);
    setCursors([null]);
  }

  function reviewed(result: RunResult) {
    setSelected(result);
    setPage((current) => current && { ...current, results: current.results.map((row) => (row.id === result.id ? result : row)) });
  }

  return (
    <section class="card" aria-labelledby="results-title">
      <div class="section-head">
        <h2 id="results-title">Results</h2>
        <CsvDownloadButton apiKey={apiKey} runId={runId} filters={filters} />
      </div>
      <ResultFilterBar filters={filters} onChange={changeFilters} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {page && (
        <>
          <ResultsTable results={page.results} selectedId={selected?.id ?? null} onSelect={setSelected} />
          <Pager
            page={cursors.length}
            hasPrevious={cursors.length > 1}
            hasNext={page.hasNextPage}
            onPrevious={() => setCursors((list) => list.slice(0, -1))}
            onNext={() => setCursors((list) => [...list, page.endCursor])}
          />
        </>
      )}
      {selected && <EvidencePanel apiKey={apiKey} runId={runId} result={selected} onReviewed={reviewed} />}
    </section>
  );
}
