import type { RunResult } from '../api/types';
import { confidence } from '../lib/format';
import { StatusBadge } from './StatusBadge';

interface Props {
  results: RunResult[];
  selectedId: string | null;
  onSelect(result: RunResult): void;
}

/** One page of results; choosing a row shows its evidence. */
export function ResultsTable({ results, selectedId, onSelect }: Props) {
  if (results.length === 0) return <p class="hint">No result matches these filters.</p>;
  return (
    <div class="table-wrap">
      <table class="results">
        <thead>
          <tr>
            <th scope="col">Document</th>
            <th scope="col">Matched reference</th>
            <th scope="col">Confidence</th>
            <th scope="col">Review</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {results.map((result) => (
            <tr key={result.id} class={result.id === selectedId ? 'selected' : undefined} data-result-id={result.databaseId}>
              <td>
                <code>{result.documentId}</code>
                {result.documentFilename && <span class="hint"> {result.documentFilename}</span>}
              </td>
              <td>
                {result.matchedReferenceExternalId ? <code>{result.matchedReferenceExternalId}</code> : <span class="hint">no match</span>}
              </td>
              <td class="number">{confidence(result.confidence)}</td>
              <td>
                <StatusBadge status={result.status} />
              </td>
              <td>
                <button
                  type="button"
                  class="secondary"
                  aria-pressed={result.id === selectedId}
                  aria-label={`Evidence of document ${result.documentId}`}
                  onClick={() => onSelect(result)}
                >
                  Evidence
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
