/**
 * The SQL of the strategies module (the rest of it reads and writes strategies through drizzle's typed rows, in
 * service.ts): what generation reads from the database, deterministic samples of the datasets and the review
 * decisions made on results of runs against the same reference data (the labels later versions learn from).
 */
import type postgres from 'postgres';
import type { EngineRow } from '../../matching';
import type { LabelledPair, SampledTable } from '../../matching/smart';
import type { Dataset } from '../datasets/service';
import { reviewLabel, reviewSaysNoMatch } from '../runs/review-meaning';

/** Rows sampled per side. The reference side gets more: true pairs of a source sample must be in it to be found. */
export const SAMPLE_LIMITS = { reference: 10_000, source: 5_000 } as const;
/** At most this many review decisions feed one generation (the most recent ones). */
export const MAX_LABELS = 5_000;

/** Every k-th row by position (k = ⌈rows / limit⌉): the same rows for the same data, spread over the whole file. */
export async function sampleTable(sql: postgres.Sql, dataset: Dataset, limit: number): Promise<SampledTable> {
  const step = Math.max(1, Math.ceil(dataset.rowCount / limit));
  const rows = await sql<{ id: string; values: Record<string, unknown> }[]>`
    select id, values from dataset_rows
    where dataset_id = ${dataset.id} and (position - 1) % ${step} = 0
    order by position limit ${limit}`;
  return {
    columns: dataset.columns.map((column) => ({ name: column.name, type: column.type })),
    rows: rows.map((row): EngineRow => ({ id: row.id, values: row.values })),
    ...(dataset.idColumn ? { idColumn: dataset.idColumn } : {}),
    // The model's prior is per pair of the whole tables, not of the samples.
    rowCount: dataset.rowCount,
  };
}

/**
 * Reviewed results of the workspace's runs against `referenceDataId`, as labels of the pair each result shows (its
 * matched reference row, or without a match its best candidate): reviewLabel gives the meaning the API documents
 * (approving a matched result or rejecting an unmatched one says the pair is a match; rejecting a matched result or
 * approving an unmatched one says it is not). Results without any candidate show no pair and are skipped.
 */
export async function reviewLabels(sql: postgres.Sql, workspaceId: string, referenceDataId: string): Promise<LabelledPair[]> {
  const rows = await sql<
    {
      status: 'approved' | 'rejected';
      matched: boolean;
      source: Record<string, unknown> | null;
      reference: Record<string, unknown> | null;
      source_row_id: string | null;
      reference_row_id: string;
    }[]
  >`
    select r.status, r.matched_reference_row_id is not null as matched,
      coalesce(sd.values, doc.values) as source,
      ref.values as reference,
      sd.id as source_row_id,
      ref.id as reference_row_id
    from run_results r
    join runs on runs.id = r.run_id
    join dataset_rows ref on ref.id = coalesce(r.matched_reference_row_id, (r.candidates->0->>'referenceRowId')::uuid)
    left join dataset_rows sd on sd.id = r.source_row_id
    left join run_documents doc on doc.id = r.source_row_id
    where runs.workspace_id = ${workspaceId}
      and runs.snapshot->>'referenceDataId' = ${referenceDataId}
      and r.status in ('approved', 'rejected')
      -- a reviewer's decision, not a result approved by a decision the plan keeps (reviewed_at null)
      and r.reviewed_at is not null
    order by r.reviewed_at desc, r.id
    limit ${MAX_LABELS}`;
  return rows
    .filter((row) => row.source && row.reference)
    .map((row) => ({
      source: row.source!,
      reference: row.reference!,
      match: reviewLabel(row.status, row.matched),
      ...(reviewSaysNoMatch(row.status, row.matched) ? { rowHasNoMatch: true } : {}),
      // A dataset row's decision carries over to later runs of the plan (an inline document's row is the run's own).
      ...(row.source_row_id ? { sourceRowId: row.source_row_id } : {}),
      referenceRowId: row.reference_row_id,
    }));
}
