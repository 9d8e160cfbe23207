/**
 * Runs: start (manual, smart, scheduled), read, list, cancel, results and their review. Execution lives in
 * execute.ts (graphile-worker tasks); this file only queues it, in the same transaction that creates the run. What
 * is allowed, and to whom, is decided here; the SQL is in store.ts.
 */
import { z } from 'zod';
import type { App, Context } from '../../context';
import type { RunSnapshot, RunStatus, RunTrigger } from '../../db/schema';
import { ConflictError, NotFoundError, ValidationError, validationErrorFromIssues } from '../../errors';
import { notifyRun } from '../../events/run-events';
import { getConfig, type MatchingConfig } from '../configs/service';
import { datasetForField, rowValues } from '../datasets/service';
import { getStrategy, strategyReviewBand } from '../strategies/service';
import { queueReviewPass } from './review-pass';
import { REVIEW_MEANING } from './review-meaning';
import { requireScope, type Actor } from '../workspaces/actor';
import { cursorPage, cursorParams, decimalParam, decodeCursor, parsePage, type CursorPage, type Page } from '../shared/pagination';
import { toCsvLine } from '../shared/csv';
import { isUuid, uuidParam } from '../shared/ids';
import { enqueueRunWebhooks } from '../webhooks/enqueue';
import { bestResults, findResult, recordReview, resultsInOrder, streamResults, type ResultFilter, type RunResult } from './results-store';
import {
  cancelRunRow,
  findRun as findRunRow,
  insertRunDocuments,
  insertRunRow,
  runsNewestFirst,
  runSnapshot,
  skipPendingChunks,
  type Run,
} from './store';
import { addJob } from '../../worker/tasks';

export type { RunResult } from './results-store';
export type { Run } from './store';
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'ai_resolving', 'completed', 'failed', 'cancelled'];
export const CANCELLABLE: ReadonlySet<string> = new Set(['queued', 'running', 'ai_resolving']);

// ─── starting runs ──────────────────────────────────────────────────────────────────────────────────────────────

const documentSchema = z
  .object({
    documentId: z.union([z.string().min(1).max(500), z.number()]).transform(String),
    documentFilename: z.string().max(1000).nullish(),
    values: rowValues,
  })
  .strict();

export const runInput = z
  .object({
    sourceDataId: uuidParam.nullish(),
    documents: z.array(documentSchema).min(1, 'must not be empty').max(100_000, 'at most 100000 documents').nullish(),
  })
  .strict()
  .refine((input) => !(input.sourceDataId && input.documents), {
    message: 'give source_data_id or documents, not both',
    path: ['documents'],
  });

export type RunInput = z.input<typeof runInput>;

interface NewRun {
  workspaceId: string;
  config: MatchingConfig;
  triggeredBy: RunTrigger;
  snapshot: RunSnapshot;
  strategy?: { id: string; version: number };
  documents?: Array<z.output<typeof documentSchema>>;
}

export function snapshotOf(config: MatchingConfig, match: RunSnapshot['match'], sourceDataId: string | null): RunSnapshot {
  return {
    match,
    referenceDataId: config.referenceDataId,
    sourceDataId,
    reviewBand: config.reviewBand ?? null,
    configName: config.name,
  };
}

export function configMatch(config: MatchingConfig): RunSnapshot['match'] {
  return {
    fieldMappings: config.fieldMappings,
    threshold: config.threshold,
    ...(config.blocking ? { blocking: config.blocking } : {}),
    oneToOne: config.oneToOne,
  };
}

/** Inserts the run (and its inline documents) and queues its plan job, in one transaction; publishes `queued`. */
export async function insertRun(app: App, input: NewRun): Promise<Run> {
  return app.sql.begin(async (tx) => {
    const { workspaceId, config, strategy, triggeredBy, snapshot } = input;
    const run = await insertRunRow(tx, { workspaceId, matchingConfigId: config.id, strategy, triggeredBy, snapshot });
    if (input.documents?.length) await insertRunDocuments(tx, run.id, input.documents);
    await addJob(tx, 'run_plan', { runId: run.id }, { maxAttempts: 3 });
    await notifyRun(tx, run.id, 'state');
    return run;
  });
}

/** POST …/configs/:id/run and GraphQL startRun: a run of the config as it is now (optionally another source). */
export async function startRun(context: Context, configId: string, rawInput: unknown, triggeredBy: RunTrigger = 'manual'): Promise<Run> {
  const actor = requireScope(context.actor, 'write');
  const config = await getConfig(context, configId);
  const parsed = runInput.safeParse(rawInput ?? {});
  if (!parsed.success) throw validationErrorFromIssues('Invalid run.', parsed.error.issues);
  const input = parsed.data;
  const documents = input.documents ?? undefined;
  if (documents) {
    const seen = new Set<string>();
    for (const [index, document] of documents.entries()) {
      if (seen.has(document.documentId)) {
        throw new ValidationError('Invalid run.', [{ path: `documents[${index}].documentId`, message: 'duplicate document_id' }]);
      }
      seen.add(document.documentId);
    }
  }
  const sourceDataId = documents ? null : (input.sourceDataId ?? config.sourceDataId);
  if (!documents && !sourceDataId) {
    throw new ValidationError('This config has no source data: pass source_data_id or documents.', [
      { path: 'sourceDataId', message: 'required when the config has no source data' },
    ]);
  }
  if (input.sourceDataId) {
    const found = await datasetForField(context, actor.workspaceId, input.sourceDataId, 'source');
    if ('problem' in found) throw new ValidationError('Invalid run.', [{ path: 'sourceDataId', message: found.problem }]);
  }
  return insertRun(context, {
    workspaceId: actor.workspaceId,
    config,
    triggeredBy,
    snapshot: snapshotOf(config, configMatch(config), sourceDataId),
    ...(documents ? { documents } : {}),
  });
}

/** POST …/configs/:id/smart-run and GraphQL smartRun: a run with a strategy's stored plan. */
export async function smartRun(context: Context, configId: string, rawInput: unknown, triggeredBy: RunTrigger = 'manual'): Promise<Run> {
  const actor = requireScope(context.actor, 'write');
  const input = (rawInput && typeof rawInput === 'object' ? rawInput : {}) as { strategyId?: unknown };
  if (input.strategyId === undefined || input.strategyId === null || input.strategyId === '') {
    throw new ValidationError('strategy_id is required for smart-run.', [{ path: 'strategyId', message: 'required' }]);
  }
  if (typeof input.strategyId !== 'string')
    throw new ValidationError('Invalid smart run.', [{ path: 'strategyId', message: 'must be a string' }]);
  const config = await getConfig(context, configId);
  const strategy = await getStrategy(context, input.strategyId);
  if (strategy.referenceDataId !== config.referenceDataId) {
    throw new ValidationError('Invalid smart run.', [
      { path: 'strategyId', message: "the strategy was made for another reference dataset than this config's" },
    ]);
  }
  if (!config.sourceDataId) {
    throw new ValidationError('This config has no source data to run on.', [
      { path: 'sourceDataId', message: 'the config needs source data' },
    ]);
  }
  return insertRun(context, {
    workspaceId: actor.workspaceId,
    config,
    triggeredBy,
    snapshot: {
      ...snapshotOf(config, strategy.plan, config.sourceDataId),
      reviewBand: config.reviewBand ?? strategyReviewBand(strategy),
      reviewPass: true,
    },
    strategy: { id: strategy.id, version: strategy.version },
  });
}

// ─── reading runs ───────────────────────────────────────────────────────────────────────────────────────────────

async function findRun(app: App, actor: Actor, id: string): Promise<Run> {
  const run = isUuid(id) ? await findRunRow(app.sql, actor.workspaceId, id) : undefined;
  if (!run) throw new NotFoundError('run', id);
  return run;
}

export async function getRun(context: Context, id: string): Promise<Run> {
  const actor = requireScope(context.actor, 'read');
  return findRun(context, actor, id);
}

/** The fraction of the current phase that is done, in [0, 1]. */
export function phaseProgress(run: Run): number {
  if (run.status === 'completed' || run.phase === 'done') return 1;
  if (run.phase === 'matching') return run.chunksTotal > 0 ? run.chunksDone / run.chunksTotal : 0;
  return 0;
}

const listParams = cursorParams.extend({
  configId: uuidParam.optional(),
  status: z.enum(RUN_STATUSES as [RunStatus, ...RunStatus[]]).optional(),
});

/** The runs of the workspace, newest first, optionally of one config and/or in one status. */
export async function listRuns(
  context: Context,
  params: { configId?: unknown; status?: unknown; limit?: unknown; cursor?: unknown },
): Promise<CursorPage<Run>> {
  const actor = requireScope(context.actor, 'read');
  const clean = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== ''));
  const parsed = listParams.safeParse(clean);
  if (!parsed.success) throw validationErrorFromIssues('Invalid run list parameters.', parsed.error.issues);
  const { configId, status, limit } = parsed.data;
  const after = parsed.data.cursor ? decodeCursor(parsed.data.cursor) : undefined;
  const filter = { workspaceId: actor.workspaceId, ...(configId ? { configId } : {}), ...(status ? { status } : {}) };
  // One run more than the page: it only tells whether there is a next page.
  const { runs, total } = await runsNewestFirst(context.sql, filter, after, limit + 1);
  return cursorPage(runs, limit, total);
}

// ─── cancel ─────────────────────────────────────────────────────────────────────────────────────────────────────

/** Cancels a queued, running or ai_resolving run (409 otherwise). Results so far stay; a chunk still matching is
 *  dropped when it ends, so the cancelled run's counters and results are those it had at the cancel. */
export async function cancelRun(context: Context, id: string): Promise<Run> {
  const actor = requireScope(context.actor, 'write');
  const existing = await findRun(context, actor, id);
  const cancelled = await context.sql.begin(async (tx) => {
    const run = await cancelRunRow(tx, existing.id);
    if (!run) return undefined;
    await skipPendingChunks(tx, existing.id);
    await notifyRun(tx, existing.id, 'state');
    await enqueueRunWebhooks(tx, existing.id);
    return run;
  });
  if (!cancelled) {
    const now = await findRun(context, actor, id);
    throw new ConflictError(`This run is ${now.status}; only queued, running or ai_resolving runs can be cancelled.`);
  }
  return cancelled;
}

/**
 * POST …/runs/:id/ai-resolve and GraphQL aiResolveRun: the review band's second pass again, on a completed smart
 * run (409 otherwise: the pass needs the strategy's model and a review band).
 */
export async function aiResolveRun(context: Context, id: string): Promise<Run> {
  const actor = requireScope(context.actor, 'write');
  const existing = await findRun(context, actor, id);
  const snapshot = await runSnapshot(context.sql, existing.id);
  if (!existing.strategyId || !snapshot?.reviewPass) throw new ConflictError('Only smart runs have a review pass.');
  if (!snapshot.reviewBand) throw new ConflictError('This run has no review band.');
  const queued = await context.sql.begin((tx) => queueReviewPass(tx, existing.id, 'completed'));
  if (!queued) {
    const now = await findRun(context, actor, id);
    throw new ConflictError(`This run is ${now.status}; only completed runs can be resolved again.`);
  }
  return findRun(context, actor, id);
}

// ─── results ────────────────────────────────────────────────────────────────────────────────────────────────────

const booleanParam = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

const resultFilters = z.object({
  status: z.enum(['pending', 'approved', 'rejected']).optional(),
  matched: booleanParam.optional(),
  minConfidence: decimalParam(z.number('must be a number').min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]')).optional(),
});

export type ResultFilters = z.input<typeof resultFilters>;

function parseFilters(params: Record<string, unknown>): ResultFilter {
  const clean = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== ''));
  const parsed = resultFilters.safeParse(clean);
  if (!parsed.success) throw validationErrorFromIssues('Invalid result filters.', parsed.error.issues);
  return parsed.data;
}

/** Results of a run in source order, filtered, a page at a time (limit default 50, max 500). */
export async function listResults(
  context: Context,
  runId: string,
  params: { status?: unknown; matched?: unknown; minConfidence?: unknown; page?: unknown; limit?: unknown },
): Promise<Page<RunResult>> {
  const { page, limit } = parsePage({ page: params.page ?? undefined, limit: params.limit ?? undefined }, 500, 50);
  const { data, total } = await resultsSlice(context, runId, params, (page - 1) * limit, limit);
  return { data, total, page, limit };
}

/** Results in source order after `offset`, filtered (REST pages and GraphQL connections). */
export async function resultsSlice(
  context: Context,
  runId: string,
  params: { status?: unknown; matched?: unknown; minConfidence?: unknown },
  offset: number,
  limit: number,
): Promise<{ data: RunResult[]; total: number }> {
  const actor = requireScope(context.actor, 'read');
  const run = await findRun(context, actor, runId);
  const filters = parseFilters({ status: params.status, matched: params.matched, minConfidence: params.minConfidence });
  const { results, total } = await resultsInOrder(context.sql, run.id, filters, offset, limit);
  return { data: results, total };
}

/** The best results of a run (by confidence, then source order). */
export async function topResults(context: Context, runId: string, limit = 50): Promise<RunResult[]> {
  const actor = requireScope(context.actor, 'read');
  const run = await findRun(context, actor, runId);
  return bestResults(context.sql, run.id, limit);
}

export const RESULT_CSV_COLUMNS = [
  'id',
  'document_id',
  'document_filename',
  'matched_reference_row_id',
  'matched_reference_external_id',
  'confidence',
  'status',
  'notes',
  'reviewed_at',
] as const;

/** Every result that passes the filters, as CSV in source order (streamed with a cursor). */
export async function exportResultsCsv(
  context: Context,
  runId: string,
  params: { status?: unknown; matched?: unknown; minConfidence?: unknown },
): Promise<AsyncGenerator<string>> {
  const actor = requireScope(context.actor, 'read');
  const run = await findRun(context, actor, runId);
  const filters = parseFilters(params);
  const sql = context.sql;
  return (async function* () {
    yield toCsvLine(RESULT_CSV_COLUMNS);
    for await (const results of streamResults(sql, run.id, filters)) {
      yield results
        .map((result) =>
          toCsvLine([
            result.id,
            result.documentId,
            result.documentFilename,
            result.matchedReferenceRowId,
            result.matchedReferenceExternalId,
            result.confidence,
            result.status,
            result.notes,
            result.reviewedAt?.toISOString() ?? null,
          ]),
        )
        .join('');
    }
  })();
}

export const reviewInput = z
  .object({
    status: z
      .enum(['approved', 'rejected'], 'must be approved or rejected')
      .describe(`approved: ${REVIEW_MEANING.approved} rejected: ${REVIEW_MEANING.rejected}`),
    notes: z.string().max(10_000).nullish(),
  })
  .strict();

/** Records a review decision on one result of a run. */
export async function reviewResult(context: Context, runId: string, resultId: string, rawInput: unknown): Promise<RunResult> {
  const actor = requireScope(context.actor, 'write');
  const run = await findRun(context, actor, runId);
  const parsed = reviewInput.safeParse(rawInput ?? {});
  if (!parsed.success) throw validationErrorFromIssues('Invalid review.', parsed.error.issues);
  const result = isUuid(resultId)
    ? await recordReview(context.sql, run.id, resultId, { status: parsed.data.status, notes: parsed.data.notes ?? null })
    : undefined;
  if (!result) throw new NotFoundError('result', resultId);
  return result;
}

/** One result of a run (GraphQL). */
export async function getResult(context: Context, runId: string, resultId: string): Promise<RunResult> {
  const actor = requireScope(context.actor, 'read');
  const run = await findRun(context, actor, runId);
  const result = isUuid(resultId) ? await findResult(context.sql, run.id, resultId) : undefined;
  if (!result) throw new NotFoundError('result', resultId);
  return result;
}
