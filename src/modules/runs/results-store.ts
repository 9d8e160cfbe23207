/** The SQL of a run's results (run_results); see store.ts for what the runs module's stores are. */
import type postgres from 'postgres';
import type { runResults } from '../../db/schema';
import type { RowMatch } from '../../matching';
import type { Queryable } from './store';

/** A result as the API hands it out: the run_results row (db/schema.ts) less its insertion time. */
export type RunResult = Omit<typeof runResults.$inferSelect, 'createdAt'>;
export type ResultStatus = RunResult['status'];
export type Candidate = RunResult['candidates'][number];

/** A run_results row as postgres.js returns it: timestamps as text (drizzle's parsers, src/db/client.ts). */
interface ResultRow {
  id: string;
  run_id: string;
  source_row_id: string;
  position: number;
  document_id: string;
  document_filename: string | null;
  matched_reference_row_id: string | null;
  matched_reference_external_id: string | null;
  confidence: number;
  status: ResultStatus;
  evidence: RunResult['evidence'] | null;
  candidates: RunResult['candidates'] | null;
  notes: string | null;
  reviewed_at: string | Date | null;
}

function resultFromRow(row: ResultRow): RunResult {
  return {
    id: row.id,
    runId: row.run_id,
    sourceRowId: row.source_row_id,
    position: Number(row.position),
    documentId: row.document_id,
    documentFilename: row.document_filename ?? null,
    matchedReferenceRowId: row.matched_reference_row_id ?? null,
    matchedReferenceExternalId: row.matched_reference_external_id ?? null,
    confidence: Number(row.confidence),
    status: row.status,
    evidence: row.evidence ?? [],
    candidates: row.candidates ?? [],
    notes: row.notes ?? null,
    reviewedAt: row.reviewed_at ? new Date(row.reviewed_at) : null,
  };
}

export interface ResultFilter {
  status?: ResultStatus;
  matched?: boolean;
  minConfidence?: number;
}

function resultsWhere(sql: postgres.Sql, runId: string, filter: ResultFilter) {
  return sql`run_id = ${runId}
    ${filter.status ? sql`and status = ${filter.status}` : sql``}
    ${filter.matched === true ? sql`and matched_reference_row_id is not null` : sql``}
    ${filter.matched === false ? sql`and matched_reference_row_id is null` : sql``}
    ${filter.minConfidence !== undefined ? sql`and confidence >= ${filter.minConfidence}` : sql``}`;
}

/** Results that pass the filter, in source order after `offset`, and how many pass it. */
export async function resultsInOrder(
  sql: postgres.Sql,
  runId: string,
  filter: ResultFilter,
  offset: number,
  limit: number,
): Promise<{ results: RunResult[]; total: number }> {
  const where = resultsWhere(sql, runId, filter);
  const [rows, [totals]] = await Promise.all([
    sql<ResultRow[]>`select * from run_results where ${where} order by position, id limit ${limit} offset ${offset}`,
    sql<{ total: number }[]>`select count(*)::int as total from run_results where ${where}`,
  ]);
  return { results: rows.map(resultFromRow), total: totals?.total ?? 0 };
}

/** Every result that passes the filter, in source order, a batch at a time (a cursor: no huge result set). */
export async function* streamResults(sql: postgres.Sql, runId: string, filter: ResultFilter): AsyncGenerator<RunResult[]> {
  const cursor = sql<ResultRow[]>`select * from run_results where ${resultsWhere(sql, runId, filter)} order by position, id`.cursor(2000);
  for await (const rows of cursor) yield rows.map(resultFromRow);
}

/** The best results of a run, by confidence, then source order. */
export async function bestResults(sql: Queryable, runId: string, limit: number): Promise<RunResult[]> {
  const rows = await sql<ResultRow[]>`select * from run_results where run_id = ${runId} order by confidence desc, position limit ${limit}`;
  return rows.map(resultFromRow);
}

export async function findResult(sql: Queryable, runId: string, resultId: string): Promise<RunResult | undefined> {
  const [row] = await sql<ResultRow[]>`select * from run_results where id = ${resultId} and run_id = ${runId}`;
  return row ? resultFromRow(row) : undefined;
}

export async function recordReview(
  sql: Queryable,
  runId: string,
  resultId: string,
  review: { status: 'approved' | 'rejected'; notes: string | null },
): Promise<RunResult | undefined> {
  const [row] = await sql<ResultRow[]>`
    update run_results set status = ${review.status}, notes = ${review.notes}, reviewed_at = now()
    where id = ${resultId} and run_id = ${runId}
    returning *`;
  return row ? resultFromRow(row) : undefined;
}

export interface MatchedRow {
  source_row_id: string;
  position: number;
  document_id: string;
  document_filename: string | null;
  matched_reference_row_id: string | null;
  confidence: number;
  evidence: unknown;
  candidates: unknown;
}

/** Upserts results keyed by (run, source row): a retried chunk overwrites its own rows, never duplicates them. */
export async function writeResults(tx: postgres.TransactionSql, runId: string, records: MatchedRow[]): Promise<void> {
  for (let start = 0; start < records.length; start += 5000) {
    const batch = JSON.stringify(records.slice(start, start + 5000));
    await tx`
      insert into run_results (run_id, source_row_id, position, document_id, document_filename, matched_reference_row_id,
        matched_reference_external_id, confidence, evidence, candidates)
      select ${runId}, x.source_row_id, x.position, x.document_id, x.document_filename, x.matched_reference_row_id,
        -- A row deleted since the run's reference version is gone from dataset_rows; its change records keep its
        -- external id (a row id never changes external id).
        coalesce(d.external_id, (select c.external_id from reference_row_changes c where c.row_id = x.matched_reference_row_id limit 1)),
        x.confidence, x.evidence, x.candidates
      from jsonb_to_recordset(${batch}::text::jsonb) as x(source_row_id uuid, position int, document_id text, document_filename text,
        matched_reference_row_id uuid, confidence float8, evidence jsonb, candidates jsonb)
      left join dataset_rows d on d.id = x.matched_reference_row_id
      on conflict (run_id, source_row_id) do update set
        position = excluded.position, document_id = excluded.document_id, document_filename = excluded.document_filename,
        matched_reference_row_id = excluded.matched_reference_row_id,
        matched_reference_external_id = excluded.matched_reference_external_id,
        confidence = excluded.confidence, evidence = excluded.evidence, candidates = excluded.candidates`;
  }
}

/**
 * Results that came out as the plan's kept review decisions make them (its decided match, or no match) are
 * `approved` by those decisions: status approved, `reviewed_at` null (no one reviewed this run's result; the
 * decision was made on an earlier one). A result a reviewer already decided, or that one-to-one gave another row,
 * is left as it is.
 */
export async function approveDecidedResults(
  tx: postgres.TransactionSql,
  runId: string,
  outcomes: Array<{ sourceRowId: string; referenceRowId: string | null }>,
): Promise<void> {
  if (outcomes.length === 0) return;
  const batch = JSON.stringify(outcomes.map((o) => ({ source_row_id: o.sourceRowId, reference: o.referenceRowId })));
  await tx`
    update run_results r set status = 'approved'
    from jsonb_to_recordset(${batch}::text::jsonb) as x(source_row_id uuid, reference uuid)
    where r.run_id = ${runId} and r.source_row_id = x.source_row_id and r.status = 'pending' and r.reviewed_at is null
      and r.matched_reference_row_id is not distinct from x.reference`;
}

/** Every result's match and candidates (what one_to_one assignment reads). */
export async function resultCandidates(
  sql: Queryable,
  runId: string,
): Promise<Array<{ source_row_id: string; matched_reference_row_id: string | null; candidates: Candidate[] }>> {
  return sql<{ source_row_id: string; matched_reference_row_id: string | null; candidates: Candidate[] }[]>`
    select source_row_id, matched_reference_row_id, candidates from run_results where run_id = ${runId}`;
}

/** Gives results another match and confidence (one_to_one), with the matched row's external id. */
export async function reassignMatches(
  sql: Queryable,
  runId: string,
  changes: Array<{ source_row_id: string; reference: string | null; confidence: number }>,
): Promise<void> {
  const batch = JSON.stringify(changes);
  await sql`
    update run_results r set matched_reference_row_id = x.reference, confidence = x.confidence,
      matched_reference_external_id = d.external_id
    from jsonb_to_recordset(${batch}::text::jsonb) as x(source_row_id uuid, reference uuid, confidence float8)
    left join dataset_rows d on d.id = x.reference
    where r.run_id = ${runId} and r.source_row_id = x.source_row_id`;
}

export interface BandRow {
  position: number;
  source_row_id: string;
  values: Record<string, unknown> | null;
  candidates: Candidate[];
}

/** Results whose confidence lies in the band, after a position, with their source row's values. */
export async function bandRows(
  sql: Queryable,
  runId: string,
  band: { low: number; high: number },
  after: number,
  limit: number,
): Promise<BandRow[]> {
  return sql<BandRow[]>`
    select r.position, r.source_row_id, coalesce(s.values, d.values) as values, r.candidates
    from run_results r
    left join dataset_rows s on s.id = r.source_row_id
    left join run_documents d on d.id = r.source_row_id
    where r.run_id = ${runId} and r.confidence between ${band.low} and ${band.high} and r.position > ${after}
    order by r.position
    limit ${limit}`;
}

/** The reference rows among `references` that results of the run other than `exceptSources` hold. */
export async function heldReferences(
  tx: postgres.TransactionSql,
  runId: string,
  references: string[],
  exceptSources: string[],
): Promise<Set<string>> {
  const held = await tx<{ reference: string }[]>`
    select matched_reference_row_id as reference from run_results
    where run_id = ${runId} and matched_reference_row_id = any(${references}::uuid[])
      and source_row_id <> all(${exceptSources}::uuid[])`;
  return new Set(held.map((row) => row.reference));
}

/** Writes rescored results (the review pass): match, confidence, evidence and re-ranked candidates. */
export async function writeRescored(
  tx: postgres.TransactionSql,
  runId: string,
  records: Array<{
    source_row_id: string;
    reference: string | null;
    confidence: number;
    evidence: RowMatch['evidence'];
    candidates: Candidate[];
  }>,
): Promise<void> {
  await tx`
    update run_results r set matched_reference_row_id = x.reference, matched_reference_external_id = d.external_id,
      confidence = x.confidence, evidence = x.evidence, candidates = x.candidates
    from jsonb_to_recordset(${JSON.stringify(records)}::text::jsonb)
      as x(source_row_id uuid, reference uuid, confidence float8, evidence jsonb, candidates jsonb)
    left join dataset_rows d on d.id = x.reference
    where r.run_id = ${runId} and r.source_row_id = x.source_row_id`;
}
