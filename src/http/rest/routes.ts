import type { App } from '../../context';
import type { DatasetKind } from '../../db/schema';
import { DATASET_PATHS } from '../../modules/datasets/body';
import { MAX_QUERIES, MAX_SUGGEST_RESULTS } from '../../modules/reconciliation/service';
import { RUN_STATUSES } from '../../modules/runs/service';
import { DELIVERY_STATUSES } from '../../modules/webhooks/validation';
import { cursorQuery, pageQuery } from '../openapi/parameters';
import type { Tag } from '../openapi/tags';
import * as admin from './admin';
import * as configs from './configs';
import { datasetHandlers, referenceRowHandlers } from './datasets';
import * as operations from './operations';
import * as reconcile from './reconcile';
import type { Access, OperationDescription, RestHandler, RestRoute } from './router';
import * as match from './match';
import * as runs from './runs';
import * as strategies from './strategies';
import * as webhooks from './webhooks';

/**
 * Every route of the HTTP API but GraphQL (`/graphql`) and the static pages: the REST API under /v1, provisioning,
 * health, metrics and the OpenAPI document. Each entry says who may call it (`access`), what answers it (`handler`,
 * in the file of its resource) and how the OpenAPI document describes it (`openapi`); the document is built from this
 * table, so a route cannot be served undocumented. Order matters: the first route whose pattern matches a path wins.
 */
export function restRoutes(app: App): RestRoute[] {
  const routes: RestRoute[] = [
    route('GET', '/healthz', 'public', operations.liveness, {
      summary: 'Liveness',
      tags: ['Operations'],
      success: { status: 200, schema: 'Health', description: 'Alive.' },
    }),
    route('GET', '/readyz', 'public', operations.readiness, {
      summary: 'Readiness (database reachable)',
      tags: ['Operations'],
      success: { status: 200, schema: 'Ready', description: 'Ready.' },
      errors: [503],
    }),
    route('GET', '/metrics', 'admin', operations.metrics(app), {
      summary: 'Prometheus metrics (Bearer ADMIN_TOKEN when ADMIN_TOKEN is set)',
      tags: ['Operations'],
      success: { status: 200, text: 'text/plain; version=0.0.4', description: 'Prometheus text format.' },
    }),

    route('POST', '/v1/admin/workspaces', 'admin', admin.createWorkspace, {
      summary: 'Create a workspace and its first API key',
      tags: ['Admin'],
      body: { schema: 'WorkspaceInput', required: true },
      success: { status: 201, schema: 'WorkspaceCreated', description: 'The workspace and its key (shown once).' },
    }),
    route('GET', '/v1/admin/workspaces', 'admin', admin.listWorkspaces, {
      summary: 'List the workspaces (ids, names, live key counts; never a key)',
      tags: ['Admin'],
      success: { status: 200, schema: 'WorkspaceList', description: 'Every workspace, newest first (no paging).' },
    }),
    route('POST', '/v1/admin/workspaces/:id/api-keys', 'admin', admin.createApiKey, {
      summary: 'Create an API key in a workspace',
      tags: ['Admin'],
      body: { schema: 'ApiKeyInput' },
      success: { status: 201, schema: 'ApiKeyCreated', description: 'The key (shown once).' },
      errors: [404],
    }),
    route('GET', '/v1/admin/workspaces/:id/api-keys', 'admin', admin.listApiKeys, {
      summary: "List a workspace's API keys (prefixes, scopes, revocation; never the secrets)",
      tags: ['Admin'],
      success: { status: 200, schema: 'ApiKeyList', description: 'Newest first, revoked keys included.' },
      errors: [404],
    }),
    route('DELETE', '/v1/admin/workspaces/:id/api-keys/:prefix', 'admin', admin.revokeApiKey, {
      summary: 'Revoke an API key (refused at once by every server process; its running subscriptions end with unauthorized)',
      tags: ['Admin'],
      success: { status: 200, schema: 'ApiKeyRevoked', description: 'Revoked (again: the first revocation time).' },
      errors: [404, 409],
    }),
    route('PUT', '/v1/admin/workspaces/:id/api-keys/:prefix/rate-limit', 'admin', admin.setRateLimit, {
      summary: "Set one API key's rate limit (null: the default, 0: unlimited)",
      tags: ['Admin'],
      body: { schema: 'RateLimitInput', required: true },
      success: { status: 200, schema: 'RateLimit', description: 'The new limit.' },
      errors: [404],
    }),

    ...datasetRoutes('reference'),
    ...datasetRoutes('source'),

    route('GET', '/v1/matching/configs', 'key', configs.list, {
      summary: 'List matching configs',
      tags: ['Configs'],
      query: cursorQuery,
      success: { status: 200, schema: 'ConfigPage', description: 'A page.' },
    }),
    route('POST', '/v1/matching/configs', 'key', configs.create, {
      summary: 'Create a matching config',
      tags: ['Configs'],
      body: { schema: 'ConfigInput', required: true },
      success: { status: 201, schema: 'Config', description: 'The config.' },
    }),
    route('GET', '/v1/matching/configs/:id', 'key', configs.get, {
      summary: 'Get a config',
      tags: ['Configs'],
      success: { status: 200, schema: 'Config', description: 'The config.' },
    }),
    route('PUT', '/v1/matching/configs/:id', 'key', configs.replace, {
      summary: 'Replace a config (id, created_at, updated_at and links of a GET body are ignored)',
      tags: ['Configs'],
      body: { schema: 'ConfigInput', required: true },
      success: { status: 200, schema: 'Config', description: 'The config.' },
    }),
    route('PATCH', '/v1/matching/configs/:id', 'key', configs.update, {
      summary: 'Update some fields of a config',
      tags: ['Configs'],
      body: { schema: 'ConfigPatch', required: true },
      success: { status: 200, schema: 'Config', description: 'The config.' },
    }),
    route('DELETE', '/v1/matching/configs/:id', 'key', configs.remove, {
      summary: 'Delete a config (past runs are kept)',
      tags: ['Configs'],
      success: { status: 200, schema: 'Deleted', description: 'Deleted.' },
    }),

    route('POST', '/v1/matching/configs/:id/run', 'key', runs.start, {
      summary: "Queue a run over the config's source data, another source table, or inline documents",
      tags: ['Runs'],
      body: { schema: 'RunInput' },
      success: { status: 202, schema: 'Run', description: 'The queued run.' },
      errors: [409],
    }),
    route('POST', '/v1/matching/configs/:id/smart-run', 'key', runs.startSmart, {
      summary: 'Queue a run with a generated strategy',
      tags: ['Runs'],
      body: { schema: 'SmartRunInput', required: true },
      success: { status: 202, schema: 'Run', description: 'The queued run.' },
      errors: [409],
    }),
    route('POST', '/v1/matching/configs/:id/match', 'key', match.matchNow, {
      summary: "Match 1–100 records now against the config's reference data (its mappings, or a strategy's); needs the read scope",
      tags: ['Match now'],
      body: { schema: 'MatchInput', required: true },
      readsOnly: true,
      success: { status: 200, schema: 'MatchResultList', description: 'One result per record, in order.' },
      errors: [503],
    }),
    route('GET', '/v1/matching/runs', 'key', runs.list, {
      summary: 'Runs of the workspace, newest first',
      tags: ['Runs'],
      query: [
        { name: 'config_id', schema: { type: 'string', format: 'uuid' } },
        { name: 'status', schema: { type: 'string', enum: [...RUN_STATUSES] } },
        ...cursorQuery,
      ],
      success: { status: 200, schema: 'RunPage', description: 'A page.' },
    }),
    route('GET', '/v1/matching/runs/:id', 'key', runs.get, {
      summary: 'A run and its top 50 results',
      tags: ['Runs'],
      success: { status: 200, schema: 'RunDetail', description: 'The run.' },
    }),
    route('GET', '/v1/matching/runs/:id/progress', 'key', runs.progress, {
      summary: 'Progress of a run',
      tags: ['Runs'],
      success: { status: 200, schema: 'Progress', description: 'Progress.' },
    }),
    route('POST', '/v1/matching/runs/:id/cancel', 'key', runs.cancel, {
      summary: 'Cancel a queued or running run (partial results are kept)',
      tags: ['Runs'],
      success: { status: 200, schema: 'Run', description: 'The cancelled run.' },
      errors: [409],
    }),
    route('POST', '/v1/matching/runs/:id/ai-resolve', 'key', runs.aiResolve, {
      summary: "Run the review band's second pass again on a completed smart run",
      tags: ['Runs'],
      success: { status: 202, schema: 'Run', description: 'The run, now ai_resolving.' },
      errors: [409],
    }),
    route('GET', '/v1/matching/runs/:id/results', 'key', runs.results, {
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
    }),
    route('POST', '/v1/matching/runs/:run_id/results/:result_id/review', 'key', runs.review, {
      summary: "Approve (right as shown) or reject (wrong as shown) a result; the body's status says what each means",
      tags: ['Results'],
      body: { schema: 'ReviewInput', required: true },
      success: { status: 200, schema: 'Result', description: 'The result.' },
    }),

    route('POST', '/v1/matching/strategies/generate', 'key', strategies.generate, {
      summary: 'Generate a strategy from the data (profiling, mappings, blocking by measurement, Fellegi–Sunter weights)',
      tags: ['Strategies'],
      body: { schema: 'StrategyGenerateInput', required: true },
      success: { status: 201, schema: 'Strategy', description: 'The strategy (version 1).' },
    }),
    route('GET', '/v1/matching/strategies', 'key', strategies.list, {
      summary: 'Strategies of the workspace, newest first',
      tags: ['Strategies'],
      query: [
        { name: 'config_id', schema: { type: 'string', format: 'uuid' }, description: 'Only those generated for this config.' },
        ...cursorQuery,
      ],
      success: { status: 200, schema: 'StrategyPage', description: 'A page.' },
    }),
    route('GET', '/v1/matching/strategies/:id', 'key', strategies.get, {
      summary: 'Get a strategy',
      tags: ['Strategies'],
      success: { status: 200, schema: 'Strategy', description: 'The strategy.' },
    }),
    route('PATCH', '/v1/matching/strategies/:id', 'key', strategies.update, {
      summary: 'Edit a strategy (a new version; a prompt or learn_from_reviews regenerates it)',
      tags: ['Strategies'],
      body: { schema: 'StrategyPatch', required: true },
      success: { status: 200, schema: 'Strategy', description: 'The new version.' },
      errors: [409],
    }),

    ...reconciliationRoutes(),

    route('POST', '/v1/webhooks', 'key', webhooks.create, {
      summary: 'Create a webhook endpoint (the answer carries its signing secret, shown once)',
      tags: ['Webhooks'],
      body: { schema: 'WebhookInput', required: true },
      success: { status: 201, schema: 'WebhookCreated', description: 'The endpoint and its secret.' },
    }),
    route('GET', '/v1/webhooks', 'key', webhooks.list, {
      summary: 'List webhook endpoints',
      tags: ['Webhooks'],
      query: cursorQuery,
      success: { status: 200, schema: 'WebhookPage', description: 'A page.' },
    }),
    route('GET', '/v1/webhooks/:id', 'key', webhooks.get, {
      summary: 'Get a webhook endpoint',
      tags: ['Webhooks'],
      success: { status: 200, schema: 'Webhook', description: 'The endpoint.' },
    }),
    route('PATCH', '/v1/webhooks/:id', 'key', webhooks.update, {
      summary: 'Change the URL, events or active flag of a webhook endpoint',
      tags: ['Webhooks'],
      body: { schema: 'WebhookPatch', required: true },
      success: { status: 200, schema: 'Webhook', description: 'The endpoint.' },
    }),
    route('DELETE', '/v1/webhooks/:id', 'key', webhooks.remove, {
      summary: 'Delete a webhook endpoint and its delivery log',
      tags: ['Webhooks'],
      success: { status: 200, schema: 'Deleted', description: 'Deleted.' },
    }),
    route('POST', '/v1/webhooks/:id/test', 'key', webhooks.test, {
      summary: 'Send a signed webhook.test event to the endpoint now and tell how it went (not queued, retried or logged)',
      tags: ['Webhooks'],
      success: { status: 200, schema: 'WebhookTestResult', description: 'The outcome of the one attempt.' },
    }),
    route('GET', '/v1/webhooks/:id/deliveries', 'key', webhooks.deliveries, {
      summary: 'The delivery log of a webhook endpoint, newest first',
      tags: ['Webhooks'],
      query: [{ name: 'status', schema: { type: 'string', enum: [...DELIVERY_STATUSES] } }, ...cursorQuery],
      success: { status: 200, schema: 'WebhookDeliveryPage', description: 'A page.' },
    }),

    route(
      'GET',
      '/v1/openapi.json',
      'public',
      operations.openApiDocument(() => routes),
      {
        summary: 'This document',
        tags: ['Operations'],
        success: { status: 200, description: 'OpenAPI 3.1.' },
      },
    ),
  ];
  return routes;
}

/** One entry of the table: method, path, who may call it, its handler, and its description in the document. */
function route(
  method: RestRoute['method'],
  pattern: string,
  access: Access,
  handler: RestHandler,
  openapi: OperationDescription,
): RestRoute {
  return { method, pattern, access, handler, openapi };
}

/**
 * The routes of one kind of table, under its path and under its older alias (`/v1/matching/…`, summaries marked
 * "(alias)").
 */
function datasetRoutes(kind: DatasetKind): RestRoute[] {
  const handlers = datasetHandlers(kind);
  const tags: Tag[] = [kind === 'reference' ? 'Reference data' : 'Source data'];
  const noun = kind === 'reference' ? 'reference table' : 'source table';
  return DATASET_PATHS[kind].flatMap((base, index): RestRoute[] => {
    const aka = index > 0 ? ' (alias)' : '';
    return [
      route('POST', base, 'key', handlers.create, {
        summary: `Create a ${noun} from an upload (multipart) or JSON rows${aka}`,
        tags,
        query: [
          {
            name: 'trim',
            schema: { type: 'string', enum: ['true', 'false'] },
            description: 'trim=false keeps white space around column names and values (multipart uploads; JSON bodies use the trim field).',
          },
        ],
        body: { schema: 'DatasetJsonInput', multipart: 'DatasetMultipartInput', required: true },
        success: { status: 201, schema: 'Table', description: 'The table.' },
        errors: [413, 415],
      }),
      route('GET', base, 'key', handlers.list, {
        summary: `List ${noun}s${aka}`,
        tags,
        query: pageQuery(100, 20),
        success: { status: 200, schema: 'TablePage', description: 'A page.' },
      }),
      route('GET', `${base}/:id`, 'key', handlers.get, {
        summary: `Get a ${noun}${aka}`,
        tags,
        success: { status: 200, schema: 'Table', description: 'The table.' },
      }),
      route('DELETE', `${base}/:id`, 'key', handlers.remove, {
        summary: `Delete a ${noun}${aka} (409 while a config or an unfinished run uses it)`,
        tags,
        success: { status: 200, schema: 'Deleted', description: 'Deleted.' },
        errors: [409],
      }),
      route('GET', `${base}/:id/rows`, 'key', handlers.rows, {
        summary: `Rows of a ${noun}${aka}`,
        tags,
        query: pageQuery(500, 100),
        success: { status: 200, schema: 'RowPage', description: 'A page of rows.' },
      }),
      route('GET', `${base}/:id/export`, 'key', handlers.exportCsv, {
        summary: `The rows of a ${noun} as CSV${aka}`,
        tags,
        success: { status: 200, csv: true, description: 'CSV.' },
      }),
      ...(kind === 'reference' ? referenceRowRoutes(base, aka, tags) : []),
    ];
  });
}

/**
 * The reconciliation service of a config (W3C Reconciliation Service API v0.2): one service URL, and the preview,
 * suggest and property proposal URLs its manifest announces. `read-key` routes: a read key in the header or a
 * read-only key in the `key` parameter; JSONP with `callback` on GET; CORS for any origin.
 */
function reconciliationRoutes(): RestRoute[] {
  const tags: Tag[] = ['Reconciliation'];
  const callback = {
    name: 'callback',
    schema: { type: 'string', maxLength: 128 },
    description: 'JSONP: the answer is `callback(…)` as application/javascript.',
  };
  const strategy = {
    name: 'strategy_id',
    schema: { type: 'string', format: 'uuid' },
    description:
      "Match with this smart strategy's mappings and model instead of the config's (a strategy of the config's reference data, else 400; another workspace's or none, 404). Part of the service URL: the manifest's URLs carry it.",
  };
  const suggestPaging = [
    { name: 'limit', schema: { type: 'integer', minimum: 1, maximum: MAX_SUGGEST_RESULTS, default: 10 } },
    { name: 'cursor', schema: { type: 'integer', minimum: 0, default: 0 }, description: 'How many matches to skip.' },
  ];
  const serviceQuery = [
    strategy,
    {
      name: 'queries',
      schema: { type: 'string' },
      description: `A batch of reconciliation queries (JSON, at most ${MAX_QUERIES}): answers the result batch.`,
    },
    {
      name: 'extend',
      schema: { type: 'string' },
      description: 'A data extension query (JSON `{ids, properties}`): answers the reference columns of those rows.',
    },
    callback,
  ];
  return [
    route('GET', '/v1/reconcile/:config_id', 'read-key', reconcile.service, {
      summary: 'The reconciliation service of a config: its manifest (no parameters), a batch of queries, or a data extension',
      tags,
      query: serviceQuery,
      success: {
        status: 200,
        schema: 'ReconciliationAnswer',
        text: 'application/javascript',
        description: 'The manifest, the result batch (`queries`) or the extension (`extend`); JSONP with `callback`.',
      },
      errors: [503],
    }),
    route('POST', '/v1/reconcile/:config_id', 'read-key', reconcile.service, {
      summary: 'The reconciliation service of a config: a batch of queries or a data extension as form fields (how OpenRefine sends them)',
      tags,
      query: [strategy],
      body: { schema: 'ReconciliationForm', required: true, form: true },
      success: { status: 200, schema: 'ReconciliationAnswer', description: 'The result batch (`queries`) or the extension (`extend`).' },
      errors: [503],
    }),
    route('GET', '/v1/reconcile/:config_id/preview', 'read-key', reconcile.previewCard, {
      summary: "An HTML card of one reference row (the manifest's preview and view URL)",
      tags,
      query: [{ name: 'id', schema: { type: 'string' }, description: 'The external id of the reference row (required).' }, strategy],
      success: {
        status: 200,
        text: 'text/html',
        description: 'A small HTML page, every value escaped, scripts forbidden by its Content-Security-Policy.',
      },
    }),
    route('GET', '/v1/reconcile/:config_id/suggest/entity', 'read-key', reconcile.suggestEntity, {
      summary: "Reference rows whose name starts with a prefix (the manifest's suggest.entity service)",
      tags,
      query: [
        { name: 'prefix', schema: { type: 'string', minLength: 1 }, description: 'Required; case-insensitive.' },
        ...suggestPaging,
        strategy,
        callback,
      ],
      success: {
        status: 200,
        schema: 'ReconciliationSuggestEntities',
        text: 'application/javascript',
        description: 'Matches in file order; JSONP with `callback`.',
      },
      errors: [503],
    }),
    route('GET', '/v1/reconcile/:config_id/suggest/property', 'read-key', reconcile.suggestProperty, {
      summary: "Properties a reconciliation query may use, by prefix (the manifest's suggest.property service)",
      tags,
      query: [
        {
          name: 'prefix',
          schema: { type: 'string', minLength: 1 },
          description: 'Required; case-insensitive, on the id or a compared reference column.',
        },
        ...suggestPaging,
        strategy,
        callback,
      ],
      success: {
        status: 200,
        schema: 'ReconciliationSuggestProperties',
        text: 'application/javascript',
        description:
          "The mappings' source columns, in mapping order, each described by the reference columns it is compared with; JSONP with `callback`.",
      },
    }),
    route('GET', '/v1/reconcile/:config_id/propose_properties', 'read-key', reconcile.propose, {
      summary: "The properties data extension can fetch: the reference table's columns (the manifest's extend.propose_properties service)",
      tags,
      query: [
        { name: 'type', schema: { type: 'string' } },
        { name: 'limit', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        strategy,
        callback,
      ],
      success: {
        status: 200,
        schema: 'ReconciliationPropertyProposal',
        text: 'application/javascript',
        description: 'The columns; JSONP with `callback`.',
      },
    }),
  ];
}

/** Live reference data: row writes by external id (src/modules/datasets/rows.ts). Source data takes none. */
function referenceRowRoutes(base: string, aka: string, tags: Tag[]): RestRoute[] {
  return [
    route('POST', `${base}/:id/rows`, 'key', referenceRowHandlers.upsert, {
      summary:
        `Upsert 1 to 10,000 rows by external id, all or nothing: a JSON array or NDJSON (by Content-Type); bumps the version once${aka}. ` +
        'Unknown columns are a 400 naming them; source data is a 409.',
      tags,
      body: { schema: 'ReferenceRowsInput', ndjson: true, required: true },
      success: { status: 200, schema: 'RowsWritten', description: 'The new version and what changed.' },
      errors: [409, 413, 415],
    }),
    route('PATCH', `${base}/:id/rows/:external_id`, 'key', referenceRowHandlers.patch, {
      summary: `Change some columns of one row (merged; the id column cannot change); bumps the version${aka}`,
      tags,
      body: { schema: 'ReferenceRowPatch', required: true },
      success: { status: 200, schema: 'RowWritten', description: 'The new version and the row.' },
      errors: [409],
    }),
    route('DELETE', `${base}/:id/rows/:external_id`, 'key', referenceRowHandlers.remove, {
      summary: `Delete one row (404 when absent); bumps the version${aka}`,
      tags,
      success: { status: 200, schema: 'RowDeleted', description: 'The new version and the deleted row.' },
      errors: [409],
    }),
  ];
}
