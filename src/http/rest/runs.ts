import {
  aiResolveRun,
  cancelRun,
  exportResultsCsv,
  getRun,
  listResults,
  listRuns,
  reviewResult,
  smartRun,
  startRun,
  topResults,
} from '../../modules/runs/service';
import { progressBody, resultBody, runBody } from '../../modules/runs/body';
import { ValidationError } from '../../errors';
import { keysToCamel } from '../../modules/shared/key-case';
import { cursorPagination, numberedPagination } from './pagination';
import type { RestHandler, RestRequest } from './router';

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

export const start: RestHandler = async (request) => ({
  status: 202,
  body: runBody(await startRun(request.context, request.params.id!, await runInputBody(request), 'manual')),
});

export const startSmart: RestHandler = async (request) => ({
  status: 202,
  body: runBody(await smartRun(request.context, request.params.id!, keysToCamel(await request.json()), 'manual')),
});

export const list: RestHandler = async (request) => {
  const page = await listRuns(request.context, {
    configId: request.query.get('config_id') ?? undefined,
    status: request.query.get('status') ?? undefined,
    limit: request.query.get('limit') ?? undefined,
    cursor: request.query.get('cursor') ?? undefined,
  });
  return { status: 200, body: { data: page.data.map(runBody), pagination: cursorPagination(page) } };
};

/** The run and its 50 most confident results. */
export const get: RestHandler = async (request) => {
  const run = await getRun(request.context, request.params.id!);
  const results = await topResults(request.context, run.id, 50);
  return { status: 200, body: { ...runBody(run), results: results.map(resultBody) } };
};

export const progress: RestHandler = async (request) => ({
  status: 200,
  body: progressBody(await getRun(request.context, request.params.id!)),
});

export const cancel: RestHandler = async (request) => ({
  status: 200,
  body: runBody(await cancelRun(request.context, request.params.id!)),
});

export const aiResolve: RestHandler = async (request) => ({
  status: 202,
  body: runBody(await aiResolveRun(request.context, request.params.id!)),
});

/** JSON pages, or the whole filtered list as CSV (`format=csv`). */
export const results: RestHandler = async (request) => {
  const filters = {
    status: request.query.get('status') ?? undefined,
    matched: request.query.get('matched') ?? undefined,
    minConfidence: request.query.get('min_confidence') ?? undefined,
  };
  const format = request.query.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv')
    throw new ValidationError(`format must be "json" or "csv", not "${format.slice(0, 40)}".`, [
      { path: 'format', message: 'must be json or csv' },
    ]);
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
  return { status: 200, body: { data: page.data.map(resultBody), pagination: numberedPagination(page) } };
};

export const review: RestHandler = async (request) => ({
  status: 200,
  body: resultBody(
    await reviewResult(request.context, request.params.run_id!, request.params.result_id!, keysToCamel(await request.json())),
  ),
});
