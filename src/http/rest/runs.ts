import {
  aiResolveRun,
  cancelRun,
  exportResultsCsv,
  getRun,
  listResults,
  listRuns,
  phaseProgress,
  reviewResult,
  smartRun,
  startRun,
  topResults,
  type Run,
  type RunResult,
} from '../../modules/runs/service';
import { ValidationError } from '../../errors';
import { keysToCamel, cursorPagination } from './case';
import type { RestRequest, Router } from './router';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The run object of the reference page (plus `strategy_id`, `strategy_version` for smart runs). */
export function runBody(run: Run) {
  return {
    id: run.id,
    matching_config_id: run.matchingConfigId,
    status: run.status,
    triggered_by: run.triggeredBy,
    rows_processed: run.rowsProcessed,
    rows_matched: run.rowsMatched,
    avg_confidence: run.avgConfidence,
    started_at: iso(run.startedAt),
    completed_at: iso(run.completedAt),
    error: run.error,
    created_at: run.createdAt.toISOString(),
    ...(run.strategyId ? { strategy_id: run.strategyId, strategy_version: run.strategyVersion } : {}),
    links: {
      self: `/v1/matching/runs/${run.id}`,
      config: `/v1/matching/configs/${run.matchingConfigId}`,
    },
  };
}

export function progressBody(run: Run) {
  return {
    run_id: run.id,
    status: run.status,
    phase: run.phase,
    phase_progress: phaseProgress(run),
    rows_total: run.rowsTotal,
    rows_processed: run.rowsProcessed,
    rows_matched: run.rowsMatched,
    avg_confidence: run.avgConfidence,
    updated_at: run.updatedAt.toISOString(),
  };
}

/** A result; evidence and candidate keys are ours, the values inside evidence are the rows' own. */
export function resultBody(result: RunResult) {
  return {
    id: result.id,
    document_id: result.documentId,
    document_filename: result.documentFilename,
    matched_reference_row_id: result.matchedReferenceRowId,
    matched_reference_external_id: result.matchedReferenceExternalId,
    confidence: result.confidence,
    status: result.status,
    evidence: result.evidence.map((item) => ({
      source_field: item.source,
      target_field: item.target,
      strategy: item.strategy,
      score: item.score,
      source_value: item.sourceValue,
      reference_value: item.referenceValue,
    })),
    candidates: result.candidates.map((candidate) => ({ reference_row_id: candidate.referenceRowId, confidence: candidate.confidence })),
    notes: result.notes,
    reviewed_at: iso(result.reviewedAt),
  };
}

/** Run bodies: our keys to camelCase, except inline documents' `values` (user column names) which stay as sent. */
async function runInputBody(request: RestRequest): Promise<unknown> {
  const body = await request.json();
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const { documents, ...rest } = body as Record<string, unknown>;
  const converted = keysToCamel(rest) as Record<string, unknown>;
  if (documents === undefined) return converted;
  if (!Array.isArray(documents)) return { ...converted, documents };
  return {
    ...converted,
    documents: documents.map((document) => {
      if (!document || typeof document !== 'object' || Array.isArray(document)) return document;
      const { values, ...fields } = document as Record<string, unknown>;
      return { ...(keysToCamel(fields) as object), ...(values === undefined ? {} : { values }) };
    }),
  };
}

export function registerRunRoutes(router: Router): void {
  router.add('POST', '/v1/matching/configs/:id/run', async (request) => ({
    status: 202,
    body: runBody(await startRun(request.context, request.params.id!, await runInputBody(request), 'manual')),
  }));
  router.add('POST', '/v1/matching/configs/:id/smart-run', async (request) => ({
    status: 202,
    body: runBody(await smartRun(request.context, request.params.id!, keysToCamel(await request.json()), 'manual')),
  }));
  router.add('GET', '/v1/matching/runs', async (request) => {
    const page = await listRuns(request.context, {
      configId: request.query.get('config_id') ?? undefined,
      status: request.query.get('status') ?? undefined,
      limit: request.query.get('limit') ?? undefined,
      cursor: request.query.get('cursor') ?? undefined,
    });
    return {
      status: 200,
      body: {
        data: page.data.map(runBody),
        pagination: cursorPagination(page),
      },
    };
  });
  router.add('GET', '/v1/matching/runs/:id', async (request) => {
    const run = await getRun(request.context, request.params.id!);
    const results = await topResults(request.context, run.id, 50);
    return { status: 200, body: { ...runBody(run), results: results.map(resultBody) } };
  });
  router.add('GET', '/v1/matching/runs/:id/progress', async (request) => ({
    status: 200,
    body: progressBody(await getRun(request.context, request.params.id!)),
  }));
  router.add('POST', '/v1/matching/runs/:id/cancel', async (request) => ({
    status: 200,
    body: runBody(await cancelRun(request.context, request.params.id!)),
  }));
  router.add('POST', '/v1/matching/runs/:id/ai-resolve', async (request) => ({
    status: 202,
    body: runBody(await aiResolveRun(request.context, request.params.id!)),
  }));
  router.add('GET', '/v1/matching/runs/:id/results', async (request) => {
    const filters = {
      status: request.query.get('status') ?? undefined,
      matched: request.query.get('matched') ?? undefined,
      minConfidence: request.query.get('min_confidence') ?? undefined,
    };
    const format = request.query.get('format') ?? 'json';
    if (format !== 'json' && format !== 'csv') throw new ValidationError(`format must be "json" or "csv", not "${format.slice(0, 40)}".`, [{ path: 'format', message: 'must be json or csv' }]);
    if (format === 'csv') {
      const stream = await exportResultsCsv(request.context, request.params.id!, filters);
      return {
        status: 200,
        stream,
        contentType: 'text/csv; charset=utf-8',
        headers: { 'content-disposition': `attachment; filename="run-${request.params.id}-results.csv"` },
      };
    }
    const page = await listResults(request.context, request.params.id!, {
      ...filters,
      page: request.query.get('page') ?? undefined,
      limit: request.query.get('limit') ?? undefined,
    });
    return { status: 200, body: { data: page.data.map(resultBody), pagination: { total: page.total, page: page.page, limit: page.limit } } };
  });
  router.add('POST', '/v1/matching/runs/:run_id/results/:result_id/review', async (request) => ({
    status: 200,
    body: resultBody(await reviewResult(request.context, request.params.run_id!, request.params.result_id!, keysToCamel(await request.json()))),
  }));
}
