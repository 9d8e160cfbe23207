/**
 * STOPGAP until `matchRecords` of src/modules/realtime/service.ts (issue 21, "match now") is on this branch: the
 * narrowest version of it the reconciliation service needs, with the same signature and result shape, over the run
 * engine's own path (buildReferenceIndex + matchSlice, an index per config version in a ReferenceIndexCache). It
 * takes a config's own mappings only (no strategy). Replace the import in service.ts and delete this file once the
 * real one is merged.
 */
import type { Context } from '../../context';
import { ValidationError } from '../../errors';
import { buildReferenceIndex, matchSlice, type Candidate, type FieldEvidence, type ReferenceIndex } from '../../matching';
import { getConfig, toMatchConfig } from '../configs/service';
import { ReferenceIndexCache } from '../runs/index-cache';
import { loadEngineRows } from '../runs/reference-rows';

/** One record's answer, in the shape of a run result. */
export interface RecordMatch {
  matchedReferenceRowId: string | null;
  matchedReferenceExternalId: string | null;
  confidence: number;
  matched: boolean;
  /** per mapping, against the best candidate */
  evidence: FieldEvidence[];
  /** top 5, best first */
  candidates: Candidate[];
}

let cache: ReferenceIndexCache<ReferenceIndex> | undefined;

export async function matchRecords(
  context: Context,
  input: { configId: string; records: Array<Record<string, unknown>>; strategyId?: string },
): Promise<RecordMatch[]> {
  if (input.strategyId !== undefined)
    throw new ValidationError('strategy_id is not supported here yet.', [{ path: 'strategyId', message: 'not supported' }]);
  const config = await getConfig(context, input.configId);
  cache ??= new ReferenceIndexCache<ReferenceIndex>(context.settings.INDEX_CACHE_BYTES);
  const key = `${config.id}:${config.updatedAt.toISOString()}`;
  const index = await cache.get(key, async () =>
    buildReferenceIndex(await loadEngineRows(context.sql, config.referenceDataId), toMatchConfig(config)),
  );
  const { rows } = matchSlice(
    index,
    input.records.map((values, position) => ({ id: String(position), values })),
  );
  const externalIds = await externalIdsOf(
    context,
    config.referenceDataId,
    rows.flatMap((row) => (row.referenceRowId ? [row.referenceRowId] : [])),
  );
  return rows.map((row) => ({
    matchedReferenceRowId: row.referenceRowId,
    matchedReferenceExternalId: row.referenceRowId ? (externalIds.get(row.referenceRowId) ?? null) : null,
    confidence: row.confidence,
    matched: row.referenceRowId !== null,
    evidence: row.evidence,
    candidates: row.candidates,
  }));
}

async function externalIdsOf(context: Context, datasetId: string, rowIds: string[]): Promise<Map<string, string>> {
  if (rowIds.length === 0) return new Map();
  const found = await context.sql<{ id: string; external_id: string }[]>`
    select id, external_id from dataset_rows where dataset_id = ${datasetId} and id = any(${rowIds}::uuid[])`;
  return new Map(found.map((row) => [row.id, row.external_id]));
}
