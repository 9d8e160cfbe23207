/**
 * The review band's second pass of smart runs (status `ai_resolving`): results whose confidence lies within the
 * run's review band are rescored by the strategy's ReviewResolver (src/matching/smart), which compares whole
 * records (all fields, term-frequency aware) against the row's first-pass candidates.
 *
 * It runs as one graphile-worker job per run (`run_review_pass`, keyed by run). It is idempotent: a row is
 * rescored from its candidate set, which the pass re-ranks but never changes, so a retried job rewrites the same
 * values; rows already moved out of the band are left as they are.
 */
import type postgres from 'postgres';
import type { App } from '../../context';
import type { RunSnapshot } from '../../db/schema';
import { notifyRun } from '../../events/run-events';
import type { EngineRow, MatchConfig, RowMatch } from '../../matching';
import { ReviewStatistics, type ReviewResolver } from '../../matching/smart';
import { assignOneToOne } from './one-to-one';
import { streamEngineRows } from './reference-rows';

/** Results rescored per transaction (between batches a cancelled run stops). */
const BATCH_ROWS = 500;

/** Moves a run into `ai_resolving` and queues its pass, inside the caller's transaction. */
export async function queueReviewPass(tx: postgres.TransactionSql, runId: string, fromStatus: 'running' | 'completed'): Promise<boolean> {
  const [updated] = await tx`
    update runs set status = 'ai_resolving', phase = 'ai_resolving', completed_at = null, updated_at = now(), version = version + 1
    where id = ${runId} and status = ${fromStatus}
    returning id`;
  if (!updated) return false;
  await tx`
    select graphile_worker.add_job('run_review_pass', json_build_object('runId', ${runId}::text),
      job_key := ${`review_pass:${runId}`}, max_attempts := 3)`;
  await notifyRun(tx, runId, 'state');
  return true;
}

interface BandRow {
  position: number;
  source_row_id: string;
  values: Record<string, unknown> | null;
  candidates: Array<{ referenceRowId: string; confidence: number }>;
}

/** The job: rescore the band, assign one_to_one over the whole run when asked, then complete the run (`complete`
 *  recomputes the counters from the results). */
export async function runReviewPass(app: App, runId: string, complete: (runId: string) => Promise<void>): Promise<void> {
  const [run] = await app.sql<{ status: string; snapshot: RunSnapshot }[]>`select status, snapshot from runs where id = ${runId}`;
  if (!run || run.status !== 'ai_resolving') return;
  const band = run.snapshot.reviewBand;
  let resolver: ReviewResolver | undefined;
  // Band rows page by page (by position: a rescored row may leave the band, and pages only move forward).
  for (let after = 0; band; ) {
    const slice = await app.sql<BandRow[]>`
      select r.position, r.source_row_id, coalesce(s.values, d.values) as values, r.candidates
      from run_results r
      left join dataset_rows s on s.id = r.source_row_id
      left join run_documents d on d.id = r.source_row_id
      where r.run_id = ${runId} and r.confidence between ${band.low} and ${band.high} and r.position > ${after}
      order by r.position
      limit ${BATCH_ROWS}`;
    if (slice.length === 0) break;
    resolver ??= await reviewResolverFor(app, run.snapshot);
    const byId = await candidateRows(app, run.snapshot.referenceDataId, slice);
    const batch = slice.map((row) => {
      const candidates = row.candidates.map((candidate) => byId.get(candidate.referenceRowId)).filter((found): found is EngineRow => !!found);
      return { sourceRowId: row.source_row_id, match: (resolver as ReviewResolver).resolve({ id: row.source_row_id, values: row.values ?? {} }, candidates) };
    });
    const stillResolving = await writeResolved(app, runId, batch);
    if (!stillResolving) return; // cancelled meanwhile: keep what is written, stop
    after = (slice[slice.length - 1] as BandRow).position;
  }
  if (run.snapshot.match.oneToOne) await assignOneToOne(app, runId, run.snapshot.match.threshold);
  await complete(runId);
}

/** The resolver's statistics from the whole reference table, streamed through (its rows are not kept: a
 *  1M-row reference would take about 1 GB as row objects). */
async function reviewResolverFor(app: App, snapshot: RunSnapshot): Promise<ReviewResolver> {
  const statistics = new ReviewStatistics(snapshot.match as MatchConfig);
  for await (const row of streamEngineRows(app.sql, snapshot.referenceDataId)) statistics.add(row);
  return statistics.finish();
}

/** The reference rows some band rows have as candidates, by id. */
async function candidateRows(app: App, referenceDataId: string, rows: BandRow[]): Promise<Map<string, EngineRow>> {
  const ids = [...new Set(rows.flatMap((row) => row.candidates.map((candidate) => candidate.referenceRowId)))];
  const found = ids.length === 0 ? [] : await app.sql<{ id: string; values: Record<string, unknown> }[]>`
    select id, values from dataset_rows where dataset_id = ${referenceDataId} and id = any(${ids}::uuid[])`;
  return new Map(found.map((row) => [row.id, { id: row.id, values: row.values }]));
}

async function writeResolved(app: App, runId: string, batch: Array<{ sourceRowId: string; match: RowMatch }>): Promise<boolean> {
  return app.sql.begin(async (tx) => {
    const [run] = await tx`select 1 from runs where id = ${runId} and status = 'ai_resolving' for no key update`;
    if (!run) return false;
    const records = batch.map(({ sourceRowId, match }) => ({
      source_row_id: sourceRowId,
      reference: match.referenceRowId,
      confidence: match.confidence,
      evidence: match.evidence,
      candidates: match.candidates,
    }));
    await tx`
      update run_results r set matched_reference_row_id = x.reference, matched_reference_external_id = d.external_id,
        confidence = x.confidence, evidence = x.evidence, candidates = x.candidates
      from jsonb_to_recordset(${JSON.stringify(records)}::text::jsonb)
        as x(source_row_id uuid, reference uuid, confidence float8, evidence jsonb, candidates jsonb)
      left join dataset_rows d on d.id = x.reference
      where r.run_id = ${runId} and r.source_row_id = x.source_row_id`;
    await tx`update runs set updated_at = now(), version = version + 1 where id = ${runId}`;
    await notifyRun(tx, runId, 'progress');
    return true;
  });
}
