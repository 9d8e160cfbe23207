import { useEffect, useState } from 'preact/hooks';
import { reviewResult } from '../api/operations';
import type { RunResult } from '../api/types';
import { confidence, dateTime, evidenceField, value } from '../lib/format';
import { StatusBadge } from './StatusBadge';

interface Props {
  apiKey: string;
  runId: string;
  result: RunResult;
  onReviewed(result: RunResult): void;
}

/** One result: each mapped field's source value beside the reference value with its score, and the review buttons. */
export function EvidencePanel({ apiKey, runId, result, onReviewed }: Props) {
  const [notes, setNotes] = useState(result.notes ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setNotes(result.notes ?? '');
    setError(null);
  }, [result.id]);

  async function review(status: 'APPROVED' | 'REJECTED') {
    setBusy(true);
    setError(null);
    try {
      onReviewed(await reviewResult(apiKey, runId, result.id, status, notes));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  // What each button says (the API's ReviewDecision): a review judges the pair the result shows, the matched row or,
  // without a match, the best candidate whose values the table shows.
  const matched = result.matchedReferenceRowId !== null;
  const shown = result.evidence.length > 0;
  const approve = matched ? 'Approve: this is the match' : 'Approve: no match';
  const reject = matched ? 'Reject: not the match' : shown ? 'Reject: the candidate shown is the match' : 'Reject: it has a match';

  return (
    <section class="card evidence" aria-labelledby="evidence-title">
      <h2 id="evidence-title">
        Document <code>{result.documentId}</code> →{' '}
        {result.matchedReferenceExternalId ? <code>{result.matchedReferenceExternalId}</code> : 'no match'}
      </h2>
      <p>
        Confidence <strong>{confidence(result.confidence)}</strong> · review <StatusBadge status={result.status} />
        {result.reviewedAt && <span class="hint"> on {dateTime(result.reviewedAt)}</span>}
        {!result.reviewedAt && result.status === 'APPROVED' && (
          <span class="hint"> by a decision on an earlier run, kept by the strategy</span>
        )}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Source value</th>
            <th scope="col">{matched ? 'Reference value' : 'Best candidate (not matched)'}</th>
            <th scope="col">Comparison</th>
            <th scope="col">Score</th>
          </tr>
        </thead>
        <tbody>
          {result.evidence.map((field) => (
            <tr key={`${field.sourceField}-${field.targetField}`}>
              <th scope="row">
                {evidenceField(field.sourceField)}
                {field.targetField !== field.sourceField && <span class="hint"> → {field.targetField}</span>}
              </th>
              <td>{value(field.sourceValue)}</td>
              <td>{value(field.referenceValue)}</td>
              <td>{field.strategy}</td>
              <td class="number">
                {field.score === null ? (
                  <span class="hint">missing</span>
                ) : (
                  <meter min={0} max={1} value={field.score} aria-label={`Score of ${field.sourceField}`} />
                )}{' '}
                {confidence(field.score)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="review">
        <label for="review-notes">Review notes</label>
        <textarea id="review-notes" rows={2} value={notes} onInput={(event) => setNotes(event.currentTarget.value)} />
        <div class="row">
          <button type="button" disabled={busy} onClick={() => review('APPROVED')}>
            {approve}
          </button>
          <button type="button" class="danger" disabled={busy} onClick={() => review('REJECTED')}>
            {reject}
          </button>
        </div>
        <p class="hint">
          {matched
            ? 'Approve says the matched row is the right one; Reject says it is not.'
            : shown
              ? 'Approve says this row has no match, so the candidate shown is not it; Reject says the candidate shown is its match.'
              : 'No candidate was found. Approve says this row has no match; Reject says it has one that was not found.'}{' '}
          Strategies learn from reviews with this meaning.
        </p>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </section>
  );
}
