import type { Route, Router } from '../rest/router';
import { requestSchemas, responseSchemas, type JsonSchema } from './schemas';

/**
 * The OpenAPI 3.1 document of the REST API, served at `GET /v1/openapi.json`. Every route of the router is described
 * here (test/integration/openapi.test.ts fails on a route without an operation).
 */

interface Operation {
  summary: string;
  tags: string[];
  /** Admin routes (ADMIN_TOKEN), health, metrics and this document: no API key, no rate limit. */
  access?: 'key' | 'admin' | 'public';
  query?: Array<{ name: string; schema: JsonSchema; description?: string }>;
  body?: { schema: string; multipart?: string; required?: boolean };
  success: { status: number; schema?: string; description: string; csv?: boolean; text?: string };
  /** Error statuses beyond the common ones. */
  errors?: number[];
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const integer = (minimum: number, maximum?: number, fallback?: number) => ({
  type: 'integer',
  minimum,
  ...(maximum === undefined ? {} : { maximum }),
  ...(fallback === undefined ? {} : { default: fallback }),
});
const pageQuery = (max: number, fallback: number) => [
  { name: 'page', schema: integer(1, undefined, 1) },
  { name: 'limit', schema: integer(1, max, fallback) },
];
const cursorQuery = [
  { name: 'limit', schema: integer(1, 100, 20) },
  { name: 'cursor', schema: { type: 'string' }, description: 'next_cursor of the previous page.' },
];

function datasetOperations(base: string, kind: 'reference' | 'source', alias: boolean): Record<string, Operation> {
  const tags = [kind === 'reference' ? 'Reference data' : 'Source data'];
  const noun = kind === 'reference' ? 'reference table' : 'source table';
  const aka = alias ? ' (alias)' : '';
  return {
    [`POST ${base}`]: {
      summary: `Create a ${noun} from an upload (multipart) or JSON rows${aka}`,
      tags,
      query: [{ name: 'trim', schema: { type: 'string', enum: ['true', 'false'] }, description: 'trim=false keeps white space around column names and values (multipart uploads; JSON bodies use the trim field).' }],
      body: { schema: 'DatasetJsonInput', multipart: 'DatasetMultipartInput', required: true },
      success: { status: 201, schema: 'Table', description: 'The table.' },
      errors: [413, 415],
    },
    [`GET ${base}`]: { summary: `List ${noun}s${aka}`, tags, query: pageQuery(100, 20), success: { status: 200, schema: 'TablePage', description: 'A page.' } },
    [`GET ${base}/:id`]: { summary: `Get a ${noun}${aka}`, tags, success: { status: 200, schema: 'Table', description: 'The table.' } },
    [`DELETE ${base}/:id`]: {
      summary: `Delete a ${noun}${aka} (409 while a config or an unfinished run uses it)`,
      tags,
      success: { status: 200, schema: 'Deleted', description: 'Deleted.' },
      errors: [409],
    },
    [`GET ${base}/:id/rows`]: { summary: `Rows of a ${noun}${aka}`, tags, query: pageQuery(500, 100), success: { status: 200, schema: 'RowPage', description: 'A page of rows.' } },
    [`GET ${base}/:id/export`]: { summary: `The rows of a ${noun} as CSV${aka}`, tags, success: { status: 200, csv: true, description: 'CSV.' } },
  };
}

const tagDescriptions: Record<string, string> = {
  'Reference data': 'Tables of known records that source rows are matched against (uploaded as CSV, JSON or NDJSON, or sent as JSON rows).',
  'Source data': 'Tables of rows to match (documents), with an optional document id and filename column.',
  Configs: 'Matching configs: which tables, which fields compared how, threshold, review band, blocking and schedule.',
  Strategies: 'Strategies generated from the data (field mappings, blocking, weights), versioned and editable; smart runs use them.',
  Runs: 'Matching runs: queued, executed by workers, followed through their progress, cancelled.',
  Results: 'One result per source row of a run (match, confidence, evidence, candidates), and its review.',
  Webhooks: 'Endpoints that receive signed run events, and their delivery log.',
  Admin: 'Provisioning with the ADMIN_TOKEN: workspaces, API keys and their rate limits.',
  Operations: 'Health, readiness, metrics and this document.',
};

const runStatus = { type: 'string', enum: ['queued', 'running', 'ai_resolving', 'completed', 'failed', 'cancelled'] };

export const operations: Record<string, Operation> = {
  'GET /healthz': { summary: 'Liveness', tags: ['Operations'], access: 'public', success: { status: 200, schema: 'Health', description: 'Alive.' } },
  'GET /readyz': { summary: 'Readiness (database reachable)', tags: ['Operations'], access: 'public', success: { status: 200, schema: 'Ready', description: 'Ready.' }, errors: [503] },
  'GET /metrics': {
    summary: 'Prometheus metrics (Bearer ADMIN_TOKEN when ADMIN_TOKEN is set)',
    tags: ['Operations'],
    access: 'admin',
    success: { status: 200, text: 'text/plain; version=0.0.4', description: 'Prometheus text format.' },
  },
  'GET /v1/openapi.json': { summary: 'This document', tags: ['Operations'], access: 'public', success: { status: 200, description: 'OpenAPI 3.1.' } },
  'GET /v1/admin/workspaces': {
    summary: 'List the workspaces (ids, names, live key counts; never a key)',
    tags: ['Admin'],
    access: 'admin',
    success: { status: 200, schema: 'WorkspaceList', description: 'Every workspace, newest first (no paging).' },
  },
  'POST /v1/admin/workspaces': {
    summary: 'Create a workspace and its first API key',
    tags: ['Admin'],
    access: 'admin',
    body: { schema: 'WorkspaceInput', required: true },
    success: { status: 201, schema: 'WorkspaceCreated', description: 'The workspace and its key (shown once).' },
  },
  'POST /v1/admin/workspaces/:id/api-keys': {
    summary: 'Create an API key in a workspace',
    tags: ['Admin'],
    access: 'admin',
    body: { schema: 'ApiKeyInput' },
    success: { status: 201, schema: 'ApiKeyCreated', description: 'The key (shown once).' },
    errors: [404],
  },
  'GET /v1/admin/workspaces/:id/api-keys': {
    summary: "List a workspace's API keys (prefixes, scopes, revocation; never the secrets)",
    tags: ['Admin'],
    access: 'admin',
    success: { status: 200, schema: 'ApiKeyList', description: 'Newest first, revoked keys included.' },
    errors: [404],
  },
  'DELETE /v1/admin/workspaces/:id/api-keys/:prefix': {
    summary: 'Revoke an API key (refused at once by every server process; its running subscriptions end with unauthorized)',
    tags: ['Admin'],
    access: 'admin',
    success: { status: 200, schema: 'ApiKeyRevoked', description: 'Revoked (again: the first revocation time).' },
    errors: [404, 409],
  },
  'PUT /v1/admin/workspaces/:id/api-keys/:prefix/rate-limit': {
    summary: "Set one API key's rate limit (null: the default, 0: unlimited)",
    tags: ['Admin'],
    access: 'admin',
    body: { schema: 'RateLimitInput', required: true },
    success: { status: 200, schema: 'RateLimit', description: 'The new limit.' },
    errors: [404],
  },
  ...datasetOperations('/v1/reference-data', 'reference', false),
  ...datasetOperations('/v1/matching/reference-data', 'reference', true),
  ...datasetOperations('/v1/source-data', 'source', false),
  ...datasetOperations('/v1/matching/source-data', 'source', true),
  'GET /v1/matching/configs': { summary: 'List matching configs', tags: ['Configs'], query: cursorQuery, success: { status: 200, schema: 'ConfigPage', description: 'A page.' } },
  'POST /v1/matching/configs': {
    summary: 'Create a matching config',
    tags: ['Configs'],
    body: { schema: 'ConfigInput', required: true },
    success: { status: 201, schema: 'Config', description: 'The config.' },
  },
  'GET /v1/matching/configs/:id': { summary: 'Get a config', tags: ['Configs'], success: { status: 200, schema: 'Config', description: 'The config.' } },
  'PUT /v1/matching/configs/:id': {
    summary: 'Replace a config (id, created_at, updated_at and links of a GET body are ignored)',
    tags: ['Configs'],
    body: { schema: 'ConfigInput', required: true },
    success: { status: 200, schema: 'Config', description: 'The config.' },
  },
  'PATCH /v1/matching/configs/:id': {
    summary: 'Update some fields of a config',
    tags: ['Configs'],
    body: { schema: 'ConfigPatch', required: true },
    success: { status: 200, schema: 'Config', description: 'The config.' },
  },
  'DELETE /v1/matching/configs/:id': { summary: 'Delete a config (past runs are kept)', tags: ['Configs'], success: { status: 200, schema: 'Deleted', description: 'Deleted.' } },
  'POST /v1/matching/configs/:id/run': {
    summary: "Queue a run over the config's source data, another source table, or inline documents",
    tags: ['Runs'],
    body: { schema: 'RunInput' },
    success: { status: 202, schema: 'Run', description: 'The queued run.' },
    errors: [409],
  },
  'POST /v1/matching/configs/:id/smart-run': {
    summary: 'Queue a run with a generated strategy',
    tags: ['Runs'],
    body: { schema: 'SmartRunInput', required: true },
    success: { status: 202, schema: 'Run', description: 'The queued run.' },
    errors: [409],
  },
  'POST /v1/matching/strategies/generate': {
    summary: 'Generate a strategy from the data (profiling, mappings, blocking by measurement, Fellegi–Sunter weights)',
    tags: ['Strategies'],
    body: { schema: 'StrategyGenerateInput', required: true },
    success: { status: 201, schema: 'Strategy', description: 'The strategy (version 1).' },
  },
  'GET /v1/matching/strategies': {
    summary: 'Strategies of the workspace, newest first',
    tags: ['Strategies'],
    query: [{ name: 'config_id', schema: { type: 'string', format: 'uuid' }, description: 'Only those generated for this config.' }, ...cursorQuery],
    success: { status: 200, schema: 'StrategyPage', description: 'A page.' },
  },
  'GET /v1/matching/strategies/:id': { summary: 'Get a strategy', tags: ['Strategies'], success: { status: 200, schema: 'Strategy', description: 'The strategy.' } },
  'PATCH /v1/matching/strategies/:id': {
    summary: 'Edit a strategy (a new version; a prompt or learn_from_reviews regenerates it)',
    tags: ['Strategies'],
    body: { schema: 'StrategyPatch', required: true },
    success: { status: 200, schema: 'Strategy', description: 'The new version.' },
    errors: [409],
  },
  'POST /v1/matching/runs/:id/ai-resolve': {
    summary: "Run the review band's second pass again on a completed smart run",
    tags: ['Runs'],
    success: { status: 202, schema: 'Run', description: 'The run, now ai_resolving.' },
    errors: [409],
  },
  'GET /v1/matching/runs': {
    summary: 'Runs of the workspace, newest first',
    tags: ['Runs'],
    query: [{ name: 'config_id', schema: { type: 'string', format: 'uuid' } }, { name: 'status', schema: runStatus }, ...cursorQuery],
    success: { status: 200, schema: 'RunPage', description: 'A page.' },
  },
  'GET /v1/matching/runs/:id': { summary: 'A run and its top 50 results', tags: ['Runs'], success: { status: 200, schema: 'RunDetail', description: 'The run.' } },
  'GET /v1/matching/runs/:id/progress': { summary: 'Progress of a run', tags: ['Runs'], success: { status: 200, schema: 'Progress', description: 'Progress.' } },
  'POST /v1/matching/runs/:id/cancel': {
    summary: 'Cancel a queued or running run (partial results are kept)',
    tags: ['Runs'],
    success: { status: 200, schema: 'Run', description: 'The cancelled run.' },
    errors: [409],
  },
  'GET /v1/matching/runs/:id/results': {
    summary: 'Results of a run (JSON pages, or CSV with format=csv)',
    tags: ['Results'],
    query: [
      { name: 'status', schema: { type: 'string', enum: ['pending', 'approved', 'rejected'] } },
      { name: 'matched', schema: { type: 'string', enum: ['true', 'false'] } },
      { name: 'min_confidence', schema: { type: 'number', minimum: 0, maximum: 1 } },
      { name: 'format', schema: { type: 'string', enum: ['json', 'csv'] } },
      ...pageQuery(500, 50),
    ],
    success: { status: 200, schema: 'ResultPage', csv: true, description: 'A page of results, or CSV.' },
  },
  'POST /v1/matching/runs/:run_id/results/:result_id/review': {
    summary: 'Approve (right as shown) or reject (wrong as shown) a result; the body\'s status says what each means',
    tags: ['Results'],
    body: { schema: 'ReviewInput', required: true },
    success: { status: 200, schema: 'Result', description: 'The result.' },
  },
  'POST /v1/webhooks': {
    summary: 'Create a webhook endpoint (the answer carries its signing secret, shown once)',
    tags: ['Webhooks'],
    body: { schema: 'WebhookInput', required: true },
    success: { status: 201, schema: 'WebhookCreated', description: 'The endpoint and its secret.' },
  },
  'GET /v1/webhooks': { summary: 'List webhook endpoints', tags: ['Webhooks'], query: cursorQuery, success: { status: 200, schema: 'WebhookPage', description: 'A page.' } },
  'GET /v1/webhooks/:id': { summary: 'Get a webhook endpoint', tags: ['Webhooks'], success: { status: 200, schema: 'Webhook', description: 'The endpoint.' } },
  'PATCH /v1/webhooks/:id': {
    summary: 'Change the URL, events or active flag of a webhook endpoint',
    tags: ['Webhooks'],
    body: { schema: 'WebhookPatch', required: true },
    success: { status: 200, schema: 'Webhook', description: 'The endpoint.' },
  },
  'DELETE /v1/webhooks/:id': { summary: 'Delete a webhook endpoint and its delivery log', tags: ['Webhooks'], success: { status: 200, schema: 'Deleted', description: 'Deleted.' } },
  'POST /v1/webhooks/:id/test': {
    summary: 'Send a signed webhook.test event to the endpoint now and tell how it went (not queued, retried or logged)',
    tags: ['Webhooks'],
    success: { status: 200, schema: 'WebhookTestResult', description: 'The outcome of the one attempt.' },
  },
  'GET /v1/webhooks/:id/deliveries': {
    summary: 'The delivery log of a webhook endpoint, newest first',
    tags: ['Webhooks'],
    query: [{ name: 'status', schema: { type: 'string', enum: ['pending', 'delivered', 'failed'] } }, ...cursorQuery],
    success: { status: 200, schema: 'WebhookDeliveryPage', description: 'A page.' },
  },
};

export const operationKey = (route: Pick<Route, 'method' | 'pattern'>) => `${route.method} ${route.pattern}`;
export const openApiPath = (pattern: string) => pattern.replace(/:([a-z_]+)/g, '{$1}');

const rateLimitHeaders = {
  'X-RateLimit-Limit': { $ref: '#/components/headers/X-RateLimit-Limit' },
  'X-RateLimit-Remaining': { $ref: '#/components/headers/X-RateLimit-Remaining' },
  'X-RateLimit-Reset': { $ref: '#/components/headers/X-RateLimit-Reset' },
};
const requestIdHeader = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };

function errorResponse(description: string, withLimits: boolean, extra: Record<string, unknown> = {}) {
  return {
    description,
    headers: { ...requestIdHeader, ...(withLimits ? rateLimitHeaders : {}), ...extra },
    content: { 'application/json': { schema: ref('Error') } },
  };
}

/** The document for the routes of `router` (routes without a description are left out, and the test says so). */
export function buildOpenApiDocument(router: Router): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of router.list()) {
    const operation = operations[operationKey(route)];
    if (!operation) continue;
    const access = operation.access ?? 'key';
    const keyed = access === 'key';
    const write = route.method !== 'GET';
    const path = openApiPath(route.pattern);
    const parameters: unknown[] = [...route.pattern.matchAll(/:([a-z_]+)/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: match[1] === 'prefix' ? { type: 'string' } : { type: 'string', format: 'uuid' },
    }));
    for (const query of operation.query ?? []) {
      parameters.push({ name: query.name, in: 'query', required: false, schema: query.schema, ...(query.description ? { description: query.description } : {}) });
    }
    if (keyed && write) parameters.push({ $ref: '#/components/parameters/Idempotency-Key' });
    parameters.push({ $ref: '#/components/parameters/X-Request-Id' });

    const successHeaders = { ...requestIdHeader, ...(keyed ? rateLimitHeaders : {}) };
    const content: Record<string, unknown> = {};
    if (operation.success.schema) content['application/json'] = { schema: ref(operation.success.schema) };
    else if (!operation.success.csv && !operation.success.text) content['application/json'] = { schema: { type: 'object' } };
    if (operation.success.csv) content['text/csv'] = { schema: { type: 'string' } };
    if (operation.success.text) content[operation.success.text] = { schema: { type: 'string' } };
    const responses: Record<string, unknown> = {
      [String(operation.success.status)]: { description: operation.success.description, headers: successHeaders, content },
    };
    const statuses = new Set<number>(operation.errors ?? []);
    if (route.pattern.includes(':') && access === 'key') statuses.add(404);
    if (operation.body || operation.query || write || route.pattern.includes(':')) statuses.add(400);
    if (access !== 'public') statuses.add(401);
    // A JSON body of another content type (multipart uploads aside).
    if (operation.body) statuses.add(415);
    if (keyed) {
      statuses.add(403);
      statuses.add(429);
      // Writes take an Idempotency-Key: 409 while its first request is in progress, 422 when reused for another one.
      if (write) {
        statuses.add(409);
        statuses.add(422);
      }
    }
    for (const status of [...statuses].sort((a, b) => a - b)) responses[String(status)] = { $ref: `#/components/responses/${status}` };
    responses.default = { $ref: '#/components/responses/default' };

    const entry: Record<string, unknown> = {
      operationId: operationId(route),
      summary: operation.summary,
      tags: operation.tags,
      security: keyed ? [{ bearer: [] }] : access === 'admin' ? [{ adminToken: [] }] : [],
      parameters,
      responses,
    };
    if (operation.body) {
      const bodyContent: Record<string, unknown> = { 'application/json': { schema: ref(operation.body.schema) } };
      if (operation.body.multipart) bodyContent['multipart/form-data'] = { schema: ref(operation.body.multipart) };
      entry.requestBody = { required: operation.body.required ?? false, content: bodyContent };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = entry;
  }

  const intHeader = (description: string) => ({ description, schema: { type: 'integer' } });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Concord REST API',
      version: 'v1',
      // No license has been chosen for Concord yet (no LICENSE file, none in package.json): all rights reserved.
      license: { name: 'Proprietary: no license granted yet', identifier: 'LicenseRef-Proprietary' },
      description:
        'Record matching: reference and source tables, matching configs, runs and their results. GET needs an API key with scope `read`, other methods `write`. Every id is looked up in the key\'s workspace. Writes accept an `Idempotency-Key` header (replayed for 24 h). Responses to keyed requests carry `X-RateLimit-*`; a 429 carries `Retry-After`.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: Object.entries(tagDescriptions).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key of a workspace: `Authorization: Bearer ck_…`.' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN of the deployment.' },
      },
      parameters: {
        'Idempotency-Key': {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Replays the first response to a write with the same key (per API key, 24 h), after the key\'s scope is checked; 409 `conflict` while the first is still in progress, 422 `idempotency_mismatch` when the key was used with another method, path or body. Not stored: 401, 403, 400 validation_error, 413, 415, 429 and 5xx.',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
        },
        'X-Request-Id': {
          name: 'X-Request-Id',
          in: 'header',
          required: false,
          description: 'Your request id: 1 to 128 letters, digits, `. _ : -`; echoed and logged. Anything else (too long, other characters) is ignored and one is generated.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
        },
      },
      headers: {
        'X-RateLimit-Limit': intHeader('Requests per minute allowed for the key.'),
        'X-RateLimit-Remaining': intHeader('Requests left in the current window.'),
        'X-RateLimit-Reset': intHeader('Unix time (seconds) at which the window resets.'),
        'Retry-After': intHeader('Seconds to wait before retrying.'),
        'X-Request-Id': { description: 'The request id (also in error bodies and logs).', schema: { type: 'string' } },
        'WWW-Authenticate': { description: 'The accepted scheme: `Bearer`.', schema: { type: 'string', const: 'Bearer' } },
      },
      responses: {
        400: errorResponse('validation_error: the body, a parameter or the query is invalid (details list each problem).', true),
        401: errorResponse('unauthorized: missing or invalid API key (or admin token).', false, { 'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' } }),
        403: errorResponse('insufficient_scope: the key lacks the scope (read for GET, write otherwise).', true),
        404: errorResponse('not_found: no such object in the workspace.', true),
        409: errorResponse('conflict: the state does not allow it, or the first request with this Idempotency-Key is still in progress.', true),
        413: errorResponse('payload_too_large.', true),
        415: errorResponse('unsupported_media_type: a body that is not JSON (nor, for uploads, multipart/form-data).', true),
        422: errorResponse('idempotency_mismatch: this Idempotency-Key was used with another method, path or body.', true),
        429: errorResponse('rate_limited: the key used its requests of this minute.', true, { 'Retry-After': { $ref: '#/components/headers/Retry-After' } }),
        503: errorResponse('The database is not reachable.', false),
        default: errorResponse('Any other error, with the same body (500 internal_error, retryable).', false),
      },
      schemas: { ...responseSchemas, ...requestSchemas },
    },
  };
}

function operationId(route: Route): string {
  const words = route.pattern
    .replace(/^\/v1\//, '')
    .split(/[/-]/)
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `by_${part.slice(1)}` : part));
  return [route.method.toLowerCase(), ...words].join('_').replace(/_([a-z])/g, (_m, letter: string) => letter.toUpperCase());
}

/** `GET /v1/openapi.json`, public. Built once per router (the document does not change while the process runs). */
export function registerOpenApiRoute(router: Router): void {
  let document: Record<string, unknown> | undefined;
  router.add(
    'GET',
    '/v1/openapi.json',
    async () => {
      document ??= buildOpenApiDocument(router);
      return { status: 200, body: document };
    },
    { public: true },
  );
}
