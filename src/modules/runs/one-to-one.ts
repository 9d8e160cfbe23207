/**
 * A run's one_to_one assignment: once every result of the run is known (after the last chunk, or after the review
 * pass of a smart run, which re-ranks band rows), resolveOneToOne (src/matching/assign.ts) picks at most one source
 * row per reference row over the whole run from the stored top-5 candidates, and the results whose match changes
 * are rewritten. Idempotent: it reads only the candidates, which it never changes.
 */
import type { App } from '../../context';
import { notifyRun } from '../../events/run-events';
import { resolveOneToOne } from '../../matching';
import { reassignMatches, resultCandidates } from './results-store';
import { markAssigning } from './store';

/** Results rewritten per statement. */
const BATCH_ROWS = 5000;

export async function assignOneToOne(app: App, runId: string, threshold: number): Promise<void> {
  await app.sql.begin(async (tx) => {
    await markAssigning(tx, runId);
    await notifyRun(tx, runId, 'progress');
  });
  const rows = await resultCandidates(app.sql, runId);
  const assignments = resolveOneToOne(
    rows.map((row) => ({ sourceRowId: row.source_row_id, candidates: row.candidates })),
    threshold,
  );
  const changed = rows
    .map((row) => ({ row, assignment: assignments.get(row.source_row_id)! }))
    .filter(({ row, assignment }) => assignment && assignment.referenceRowId !== row.matched_reference_row_id)
    .map(({ row, assignment }) => ({
      source_row_id: row.source_row_id,
      reference: assignment.referenceRowId,
      confidence: assignment.confidence,
    }));
  for (let start = 0; start < changed.length; start += BATCH_ROWS) {
    await reassignMatches(app.sql, runId, changed.slice(start, start + BATCH_ROWS));
  }
}
