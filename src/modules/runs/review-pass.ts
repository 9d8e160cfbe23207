/**
 * The review band's second pass of smart runs (status `ai_resolving`): results whose confidence lies within the
 * run's review band are rescored by the strategy's ReviewResolver (src/matching/smart), which compares whole
 * records (all fields, identical values, whole-record text) against the row's first-pass candidates.
 *
 * It runs as one graphile-worker job per run (`run_review_pass`, keyed by run). It is idempotent: a row is
 * rescored from its candidate set, which the pass re-ranks but never changes, so a retried job rewrites the same
 * values; rows already moved out of the band are left as they are.
 *
 * Memory: the reference table is streamed through ReviewStatistics (its rows are not kept); band rows come a page
 * at a time with only the reference rows their candidates name. With one_to_one the run is one-to-one before the
 * pass (finaliseRun), stays so after every page (writeResolved), and is assigned again at the end.
 */
import type postgres from 'postgres';
import type { App } from '../../context';
import type { RunSnapshot } from '../../db/schema';
import { notifyRun } from '../../events/run-events';
import { resolveOneToOne, type Assignment, type EngineRow, type MatchConfig, type RowMatch } from '../../matching';
import { ReviewStatistics, type ReviewResolver } from '../../matching/smart';
import { assignOneToOne } from './one-to-one';
import { referenceRowsAt, ReferenceVersionUnavailable, visitReferenceSnapshot } from '../datasets/row-changes';
import { bandRows, heldReferences, writeRescored, type BandRow } from './results-store';
import { enterReviewPass, runForWork, runStatus, streamRunSourceRows, touchRun } from './store';
import { addJob } from '../../worker/tasks';

/** Results rescored per transaction (between batches a cancelled run stops). */
const BATCH_ROWS = 500;

/** Moves a run into `ai_resolving` and queues its pass, inside the caller's transaction. */
export async function queueReviewPass(tx: postgres.TransactionSql, runId: string, fromStatus: 'running' | 'completed'): Promise<boolean> {
  if (!(await enterReviewPass(tx, runId, fromStatus))) return false;
  await addJob(tx, 'run_review_pass', { runId }, { maxAttempts: 3, jobKey: `review_pass:${runId}` });
  await notifyRun(tx, runId, 'state');
  return true;
}

/** What one page of the pass held in memory (told to `observe`, for tests): band rows, the distinct reference rows
 *  their candidates name, and the reference rows loaded for them (never more than those: the memory of a page is
 *  bounded by BATCH_ROWS × 5 candidates, whatever the reference's size). */
export interface ReviewPage {
  bandRows: number;
  candidateIds: number;
  referenceRowsLoaded: number;
}

/** The job: rescore the band, assign one_to_one over the whole run when asked, then complete the run (`complete`
 *  recomputes the counters from the results). `observe` is told about each page once it is written. */
export async function runReviewPass(
  app: App,
  runId: string,
  complete: (runId: string) => Promise<void>,
  observe?: (page: ReviewPage) => Promise<void> | void,
): Promise<void> {
  const run = await runForWork(app.sql, runId);
  if (!run || run.status !== 'ai_resolving') return;
  // The pass reads the reference as the run's first pass did (its version). A pass run again long after (ai-resolve)
  // may find that version's change records pruned: it then reads the current rows.
  let referenceVersion = run.referenceVersion ?? undefined;
  const band = run.snapshot.reviewBand;
  const oneToOne = run.snapshot.match.oneToOne === true;
  let resolver: ReviewResolver | undefined;
  // Band rows page by page (by position: a rescored row may leave the band, and pages only move forward).
  for (let after = 0; band; ) {
    const slice = await bandRows(app.sql, runId, band, after, BATCH_ROWS);
    if (slice.length === 0) break;
    if (!resolver) {
      try {
        resolver = await reviewResolverFor(app, runId, run.snapshot, referenceVersion);
      } catch (error) {
        if (!(error instanceof ReferenceVersionUnavailable)) throw error;
        referenceVersion = undefined;
        resolver = await reviewResolverFor(app, runId, run.snapshot, referenceVersion);
      }
    }
    const ids = candidateIds(slice);
    const byId = await candidateRows(app, run.snapshot.referenceDataId, referenceVersion, ids);
    const batch = slice.map((row) => {
      const candidates = row.candidates
        .map((candidate) => byId.get(candidate.referenceRowId))
        .filter((found): found is EngineRow => !!found);
      return {
        sourceRowId: row.source_row_id,
        match: (resolver as ReviewResolver).resolve({ id: row.source_row_id, values: row.values ?? {} }, candidates),
      };
    });
    const stillResolving = await writeResolved(app, runId, batch, oneToOne ? run.snapshot.match.threshold : null);
    if (!stillResolving) return; // cancelled meanwhile: keep what is written, stop
    await observe?.({ bandRows: slice.length, candidateIds: ids.length, referenceRowsLoaded: byId.size });
    after = (slice[slice.length - 1] as BandRow).position;
  }
  // Each batch kept one-to-one (writeResolved); the whole run is assigned again from the re-ranked candidates.
  if (oneToOne) await assignOneToOne(app, runId, run.snapshot.match.threshold);
  await complete(runId);
}

/** The resolver's statistics from the whole reference table and the run's source rows, streamed through (the rows
 *  are not kept: a 1M-row reference would take about 1 GB as row objects). */
async function reviewResolverFor(
  app: App,
  runId: string,
  snapshot: RunSnapshot,
  referenceVersion: number | undefined,
): Promise<ReviewResolver> {
  const statistics = new ReviewStatistics(snapshot.match as MatchConfig);
  await visitReferenceSnapshot(app.sql, snapshot.referenceDataId, referenceVersion, (row) =>
    statistics.add({ id: row.id, values: row.values }),
  );
  for await (const row of streamRunSourceRows(app.sql, runId, snapshot)) statistics.addSource(row);
  return statistics.finish();
}

function candidateIds(rows: BandRow[]): string[] {
  return [...new Set(rows.flatMap((row) => row.candidates.map((candidate) => candidate.referenceRowId)))];
}

/** The reference rows with these ids (some band rows' candidates), by id, as they were at the run's version. */
async function candidateRows(
  app: App,
  referenceDataId: string,
  referenceVersion: number | undefined,
  ids: string[],
): Promise<Map<string, EngineRow>> {
  const found = await referenceRowsAt(app.sql, referenceDataId, referenceVersion, ids);
  return new Map([...found.values()].map((row) => [row.id, { id: row.id, values: row.values }]));
}

/**
 * Writes a batch of rescored rows. With one_to_one (`oneToOneThreshold` set) a row never gets a reference row that
 * another result of the run holds, nor one a better-scoring row of the batch takes (resolveOneToOne over the batch,
 * the others' rows taken): the run stays one-to-one at every step, a cancelled pass included.
 */
async function writeResolved(
  app: App,
  runId: string,
  batch: Array<{ sourceRowId: string; match: RowMatch }>,
  oneToOneThreshold: number | null,
): Promise<boolean> {
  return app.sql.begin(async (tx) => {
    if ((await runStatus(tx, runId, true)) !== 'ai_resolving') return false;
    let assigned: Map<string, Assignment> | undefined;
    if (oneToOneThreshold !== null) {
      const named = [...new Set(batch.flatMap(({ match }) => match.candidates.map((candidate) => candidate.referenceRowId)))];
      const taken = await heldReferences(
        tx,
        runId,
        named,
        batch.map(({ sourceRowId }) => sourceRowId),
      );
      assigned = resolveOneToOne(
        batch.map(({ sourceRowId, match }) => ({ sourceRowId, candidates: match.candidates })),
        oneToOneThreshold,
        taken,
      );
    }
    const records = batch.map(({ sourceRowId, match }) => ({
      source_row_id: sourceRowId,
      // As assignOneToOne writes it: the assigned candidate and its confidence (the best one's when none).
      reference: assigned ? assigned.get(sourceRowId)!.referenceRowId : match.referenceRowId,
      confidence: assigned ? assigned.get(sourceRowId)!.confidence : match.confidence,
      evidence: match.evidence,
      candidates: match.candidates,
    }));
    await writeRescored(tx, runId, records);
    await touchRun(tx, runId);
    await notifyRun(tx, runId, 'progress');
    return true;
  });
}
