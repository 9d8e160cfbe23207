import { z } from 'zod';
import { configBodySchema } from '../../modules/configs/validation';
import { importOptions } from '../../modules/datasets/service';
import { reviewInput, runInput, RUN_STATUSES } from '../../modules/runs/service';
import { generateInput, updateInput } from '../../modules/strategies/service';
import { SCOPES } from '../../modules/workspaces/keys';
import { apiKeyInput, workspaceInput } from '../../modules/workspaces/service';
import { rateLimitInput } from '../../modules/limits/service';
import { DELIVERY_STATUSES, WEBHOOK_EVENTS, webhookInputSchema, webhookPatchSchema } from '../../modules/webhooks/validation';
import { snakeCase } from '../../modules/shared/key-case';

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it). */
export type JsonSchema = Record<string, unknown>;

/**
 * The services' zod schemas as JSON Schema, on the REST (snake_case) shape: the services validate the camelCase
 * shape the REST layer converts request bodies to, so property names (and `required`) are converted back here.
 * Keys of free-form objects (`values`, rows under `data`) are user column names and have no `properties`.
 */
export function fromZod(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete json.$schema;
  return snakeProperties(json) as JsonSchema;
}

function snakeProperties(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeProperties);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'properties' && inner && typeof inner === 'object') {
      out[key] = Object.fromEntries(
        Object.entries(inner as Record<string, unknown>).map(([name, schema]) => [snakeCase(name), snakeProperties(schema)]),
      );
    } else if (key === 'required' && Array.isArray(inner)) {
      out[key] = inner.map((name) => snakeCase(String(name)));
    } else if (key === 'default') {
      out[key] = snakeDefaults(inner);
    } else {
      out[key] = snakeProperties(inner);
    }
  }
  return out;
}

function snakeDefaults(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, inner]) => [snakeCase(key), inner]));
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: JsonSchema) => ({ anyOf: [schema, { type: 'null' }] });
const dateTime = { type: 'string', format: 'date-time' };
const uuid = { type: 'string', format: 'uuid' };
const object = (properties: Record<string, unknown>, required: string[] = Object.keys(properties), extra: JsonSchema = {}) => ({
  type: 'object',
  properties,
  required,
  ...extra,
});
const keyPrefix = { type: 'string', description: 'The first characters of the key (ck_ + 6), to tell keys apart.' };
const scopeList = { type: 'array', items: { enum: [...SCOPES] } };

const configBody = fromZod(configBodySchema);
const configPatch = { ...configBody, required: undefined };
delete configPatch.required;

/** Request bodies, derived from the services' zod schemas. */
export const requestSchemas = {
  ConfigInput: configBody,
  ConfigPatch: configPatch,
  RunInput: fromZod(runInput),
  ReviewInput: fromZod(reviewInput),
  DatasetJsonInput: (() => {
    const options = fromZod(importOptions);
    return {
      ...options,
      properties: {
        ...(options.properties as object),
        data: {
          type: 'array',
          minItems: 1,
          items: { type: 'object', additionalProperties: true },
          description: 'The rows; keys are column names.',
        },
      },
      required: [...((options.required as string[]) ?? []), 'data'],
    };
  })(),
  DatasetMultipartInput: (() => {
    const options = fromZod(importOptions);
    const properties = Object.fromEntries(
      Object.entries(options.properties as Record<string, JsonSchema>).map(([name, schema]) => [
        name,
        name === 'trim' ? { type: 'string', enum: ['true', 'false'] } : schema,
      ]),
    );
    return {
      type: 'object',
      description: 'The fields must come before the file part, which is streamed.',
      properties: {
        ...properties,
        file: { type: 'string', contentMediaType: 'application/octet-stream', description: 'CSV, JSON (array of objects) or NDJSON.' },
      },
      required: ['name', 'file'],
    };
  })(),
  ReferenceRowsInput: {
    type: 'array',
    minItems: 1,
    maxItems: 10_000,
    items: { type: 'object', additionalProperties: true },
    description:
      'Rows to upsert by external id, as a JSON array or as NDJSON (one object per line, Content-Type application/x-ndjson). Keys are column names of the reference data; the id column gives the external id (without an id column, the field external_id does). A column left out is null: an upsert replaces the whole row.',
  },
  ReferenceRowPatch: {
    type: 'object',
    minProperties: 1,
    additionalProperties: true,
    description: 'The columns to change (merged into the row); the id column cannot change.',
  },
  SmartRunInput: object({ strategy_id: { type: 'string' } }, ['strategy_id']),
  MatchInput: object(
    {
      records: {
        type: 'array',
        minItems: 1,
        maxItems: 100,
        items: {
          type: 'object',
          minProperties: 1,
          additionalProperties: true,
          description: "column: value, with the columns of the config's source side.",
        },
      },
      strategy_id: { type: 'string', description: "Match with this strategy's model instead of the config's own mappings." },
    },
    ['records'],
    { additionalProperties: false },
  ),
  StrategyGenerateInput: fromZod(generateInput),
  StrategyPatch: fromZod(updateInput),
  WorkspaceInput: fromZod(workspaceInput),
  ApiKeyInput: fromZod(apiKeyInput),
  RateLimitInput: fromZod(rateLimitInput),
  WebhookInput: fromZod(webhookInputSchema),
  WebhookPatch: fromZod(webhookPatchSchema),
  ReconciliationForm: object(
    {
      queries: {
        type: 'string',
        description:
          'A batch of reconciliation queries, JSON: `{"q0": {"query": "…", "properties": [{"pid": "…", "v": "…"}], "limit": 3}}`.',
      },
      extend: { type: 'string', description: 'A data extension query, JSON: `{"ids": ["…"], "properties": [{"id": "…"}]}`.' },
      strategy_id: { type: 'string', format: 'uuid', description: 'As the `strategy_id` query parameter (in one of the two only).' },
    },
    [],
  ),
} satisfies Record<string, JsonSchema>;

/** The answers of the reconciliation service, in outline: the tests validate them against the W3C schemas themselves. */
const reconciliationManifest = object(
  {
    versions: { type: 'array', items: { type: 'string' } },
    name: { type: 'string' },
    identifierSpace: { type: 'string' },
    schemaSpace: { type: 'string' },
    defaultTypes: { type: 'array', items: object({ id: { type: 'string' }, name: { type: 'string' } }) },
    view: object({ url: { type: 'string' } }),
    preview: object({ url: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' } }),
    suggest: { type: 'object' },
    extend: { type: 'object' },
  },
  ['versions', 'name', 'identifierSpace', 'schemaSpace'],
);
const reconciliationCandidate = object(
  {
    id: { type: 'string', description: "The reference row's external id." },
    name: { type: 'string', description: "The row's value in the config's name column (else its id)." },
    score: { type: 'number', description: 'Confidence × 100.' },
    match: { type: 'boolean', description: 'The best candidate, at or above the threshold.' },
    type: { type: 'array', items: object({ id: { type: 'string' }, name: { type: 'string' } }) },
    features: {
      type: 'array',
      items: object({ id: { type: 'string' }, value: { type: 'number' } }),
      description: 'Per mapping (best candidate only).',
    },
  },
  ['id', 'name', 'score', 'match'],
);
const reconciliationResults = {
  type: 'object',
  description: 'One entry per query id.',
  additionalProperties: object({ result: { type: 'array', items: reconciliationCandidate } }),
};
const reconciliationExtension = object({
  meta: { type: 'array', items: object({ id: { type: 'string' }, name: { type: 'string' } }) },
  rows: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'array', items: { type: 'object' } } } },
});

/** Response objects, written once (the REST bodies of the modules' body.ts files). */
export const responseSchemas = {
  Error: object(
    {
      statusCode: { type: 'integer' },
      code: { type: 'string', description: 'validation_error, unauthorized, insufficient_scope, not_found, conflict, rate_limited, …' },
      error: { type: 'string' },
      message: { type: 'string' },
      retryable: { type: 'boolean' },
      request_id: { type: 'string' },
      timestamp: dateTime,
      path: { type: 'string' },
      details: {
        type: 'array',
        items: object({
          path: {
            type: 'string',
            description:
              'Where in the input: field names in snake_case, items as [0], keys the client chose quoted as sent (queries["q0"].limit).',
          },
          message: { type: 'string' },
        }),
      },
    },
    ['statusCode', 'code', 'error', 'message', 'retryable', 'request_id', 'timestamp', 'path'],
    { additionalProperties: false },
  ),
  PagePagination: object({ total: { type: 'integer' }, page: { type: 'integer' }, limit: { type: 'integer' } }),
  CursorPagination: object({
    total: { type: 'integer' },
    limit: { type: 'integer' },
    has_more: { type: 'boolean' },
    next_cursor: nullable({ type: 'string' }),
  }),
  Deleted: object({ deleted: { const: true } }),
  Column: object({ name: { type: 'string' }, type: { type: 'string' } }),
  Table: object(
    {
      id: uuid,
      name: { type: 'string' },
      kind: { enum: ['reference', 'source'] },
      source_type: { type: 'string' },
      status: { type: 'string' },
      row_count: { type: 'integer' },
      columns: { type: 'array', items: ref('Column') },
      id_column: nullable({ type: 'string' }),
      version: {
        type: 'integer',
        minimum: 1,
        description:
          'Reference data: 1 after the upload, bumped once per row write request (POST …/rows, PATCH or DELETE …/rows/:external_id). Source data: always 1.',
      },
      filename_column: { ...nullable({ type: 'string' }), description: 'Source tables only.' },
      created_at: dateTime,
      links: object({ self: { type: 'string' }, rows: { type: 'string' } }),
    },
    ['id', 'name', 'kind', 'source_type', 'status', 'row_count', 'columns', 'id_column', 'version', 'created_at', 'links'],
  ),
  TablePage: object({ data: { type: 'array', items: ref('Table') }, pagination: ref('PagePagination') }),
  Row: object(
    {
      id: uuid,
      external_id: nullable({ type: 'string' }),
      document_id: { ...nullable({ type: 'string' }), description: 'Source rows only: the external id.' },
      document_filename: { ...nullable({ type: 'string' }), description: 'Source rows only.' },
      values: { type: 'object', additionalProperties: true, description: 'Column name → value.' },
    },
    ['id', 'external_id', 'values'],
  ),
  RowPage: object({ data: { type: 'array', items: ref('Row') }, pagination: ref('PagePagination') }),
  RowsWritten: object({
    reference_data_id: uuid,
    version: { type: 'integer', description: 'The version this request made (one per request).' },
    inserted: { type: 'integer', description: 'Rows whose external id was new (appended after the last row).' },
    updated: { type: 'integer', description: 'Rows whose external id existed (replaced whole; they keep their id and position).' },
    row_count: { type: 'integer' },
  }),
  RowWritten: object({ version: { type: 'integer' }, row: ref('Row') }),
  RowDeleted: object({ deleted: { const: true }, version: { type: 'integer' }, id: uuid, external_id: { type: 'string' } }),
  FieldMapping: object(
    {
      source: { type: 'string' },
      target: { type: 'string' },
      strategy: { enum: ['exact', 'fuzzy', 'phonetic', 'date_range', 'numeric_range'] },
      weight: { type: 'number' },
      options: { type: 'object' },
      source_columns: {
        type: 'array',
        items: { type: 'string' },
        description: 'Smart strategies: a field over several source columns (their texts joined); `source` names the field.',
      },
      target_columns: {
        type: 'array',
        items: { type: 'string' },
        description: 'Smart strategies: a field over several reference columns.',
      },
    },
    ['source', 'target', 'strategy', 'weight', 'options'],
  ),
  Config: object({
    id: uuid,
    name: { type: 'string' },
    reference_data_id: uuid,
    source_data_id: nullable(uuid),
    field_mappings: { type: 'array', items: ref('FieldMapping') },
    threshold: { type: 'number' },
    review_band: nullable(object({ low: { type: 'number' }, high: { type: 'number' } })),
    blocking: nullable({ type: 'object' }),
    one_to_one: { type: 'boolean' },
    schedule: nullable({ type: 'string' }),
    created_at: dateTime,
    updated_at: dateTime,
    links: object({ self: { type: 'string' }, reference_data: { type: 'string' }, source_data: { type: 'string' } }, [
      'self',
      'reference_data',
    ]),
  }),
  ConfigPage: object({ data: { type: 'array', items: ref('Config') }, pagination: ref('CursorPagination') }),
  Strategy: object({
    id: uuid,
    name: { type: 'string' },
    matching_config_id: nullable(uuid),
    reference_data_id: uuid,
    source_data_id: nullable(uuid),
    user_prompt: nullable({ type: 'string' }),
    version: { type: 'integer', minimum: 1 },
    version_hash: { type: 'string' },
    labels_used: { type: 'integer', minimum: 0 },
    field_mappings: { type: 'array', items: ref('FieldMapping') },
    threshold: { type: 'number' },
    review_band: nullable(object({ low: { type: 'number' }, high: { type: 'number' } })),
    blocking: nullable({ type: 'object' }),
    one_to_one: { type: 'boolean' },
    model: nullable({
      type: 'object',
      description:
        "The Fellegi–Sunter model: prior; per field: levels, log Bayes factors, and interpolate where the factor rises linearly between level midpoints; margin; and for the review pass, record and variants (word pairs that tell the reference's siblings apart).",
    }),
    mappings: {
      type: 'array',
      items: object({ source: { type: 'string' }, target: { type: 'string' }, kind: { type: 'string' }, rationale: { type: 'string' } }),
      description: 'Per mapping: the kind of field and a plain-language rationale with its figures.',
    },
    details: {
      type: 'object',
      description: "The generator's report (profiles, blocking measurements, threshold rule), passed through as is.",
    },
    created_at: dateTime,
    updated_at: dateTime,
    links: object(
      { self: { type: 'string' }, reference_data: { type: 'string' }, source_data: { type: 'string' }, config: { type: 'string' } },
      ['self', 'reference_data'],
    ),
  }),
  StrategyPage: object({ data: { type: 'array', items: ref('Strategy') }, pagination: ref('CursorPagination') }),
  Run: object(
    {
      id: uuid,
      matching_config_id: uuid,
      status: { enum: [...RUN_STATUSES] },
      triggered_by: {
        enum: ['manual', 'scheduled'],
        description: "manual: started by a caller (REST, GraphQL, dashboard, CLI); scheduled: by the config's cron schedule.",
      },
      rows_processed: nullable({ type: 'integer' }),
      rows_matched: nullable({ type: 'integer' }),
      avg_confidence: nullable({ type: 'number' }),
      started_at: nullable(dateTime),
      completed_at: nullable(dateTime),
      error: nullable({ type: 'string' }),
      created_at: dateTime,
      strategy_id: { type: 'string', description: 'Smart runs only.' },
      strategy_version: { type: 'integer', description: 'Smart runs only.' },
      reference_version: {
        ...nullable({ type: 'integer' }),
        description:
          'The version of the reference data the run matches against: set when the run is planned (null while queued); every chunk sees the rows as they were at this version.',
      },
      links: object({ self: { type: 'string' }, config: { type: 'string' } }),
    },
    [
      'id',
      'matching_config_id',
      'status',
      'triggered_by',
      'rows_processed',
      'rows_matched',
      'avg_confidence',
      'started_at',
      'completed_at',
      'error',
      'created_at',
      'reference_version',
      'links',
    ],
  ),
  RunDetail: {
    allOf: [ref('Run'), object({ results: { type: 'array', items: ref('Result'), description: 'Top 50 by confidence.' } })],
  },
  RunPage: object({ data: { type: 'array', items: ref('Run') }, pagination: ref('CursorPagination') }),
  Progress: object({
    run_id: uuid,
    status: { enum: [...RUN_STATUSES] },
    phase: nullable({ type: 'string' }),
    phase_progress: { type: 'number', minimum: 0, maximum: 1 },
    rows_total: nullable({ type: 'integer' }),
    rows_processed: nullable({ type: 'integer' }),
    rows_matched: nullable({ type: 'integer' }),
    avg_confidence: nullable({ type: 'number' }),
    updated_at: dateTime,
  }),
  Evidence: object({
    source_field: { type: 'string' },
    target_field: { type: 'string' },
    strategy: { type: 'string' },
    score: nullable({
      type: 'number',
      description: 'Null when the source or the reference value is missing (the field was not compared).',
    }),
    source_value: {},
    reference_value: {},
  }),
  Result: object({
    id: uuid,
    document_id: { type: 'string' },
    document_filename: nullable({ type: 'string' }),
    matched_reference_row_id: nullable(uuid),
    matched_reference_external_id: nullable({ type: 'string' }),
    confidence: nullable({ type: 'number' }),
    status: { enum: ['pending', 'approved', 'rejected'] },
    evidence: { type: 'array', items: ref('Evidence') },
    candidates: { type: 'array', items: object({ reference_row_id: uuid, confidence: { type: 'number' } }) },
    notes: nullable({ type: 'string' }),
    reviewed_at: {
      ...nullable(dateTime),
      description:
        'When it was reviewed. Null on an approved result: approved by a review decision the smart run’s strategy version keeps, made on an earlier run.',
    },
  }),
  MatchResult: object({
    matched_reference_row_id: nullable(uuid),
    matched_reference_external_id: nullable({ type: 'string' }),
    confidence: { type: 'number', description: "The best candidate's confidence (also below the threshold); 0 without any candidate." },
    matched: { type: 'boolean', description: 'The best candidate reaches the threshold.' },
    evidence: { type: 'array', items: ref('Evidence') },
    candidates: {
      type: 'array',
      maxItems: 5,
      items: object({ reference_row_id: uuid, reference_external_id: nullable({ type: 'string' }), confidence: { type: 'number' } }),
    },
  }),
  MatchResultList: object({ data: { type: 'array', items: ref('MatchResult') } }),
  ResultPage: object({ data: { type: 'array', items: ref('Result') }, pagination: ref('PagePagination') }),
  Health: object({ status: { const: 'ok' } }),
  Ready: object({ status: { const: 'ready' }, database: { const: 'ok' } }),
  WorkspaceCreated: object({
    workspace: object({ id: uuid, name: { type: 'string' }, created_at: dateTime }),
    api_key: { type: 'string', description: 'Shown once.' },
    prefix: keyPrefix,
    scopes: scopeList,
  }),
  Workspace: object({
    id: uuid,
    name: { type: 'string' },
    created_at: dateTime,
    live_api_keys: { type: 'integer', minimum: 0, description: 'Keys not revoked.' },
  }),
  WorkspaceList: object({ data: { type: 'array', items: ref('Workspace') } }),
  ApiKeyCreated: object({ api_key: { type: 'string', description: 'Shown once.' }, prefix: keyPrefix, scopes: scopeList }),
  ApiKey: object({
    prefix: keyPrefix,
    scopes: scopeList,
    created_at: dateTime,
    revoked_at: nullable(dateTime),
    rate_limit_per_minute: nullable({ type: 'integer' }),
  }),
  ApiKeyList: object({ data: { type: 'array', items: ref('ApiKey') } }),
  ApiKeyRevoked: object({ prefix: keyPrefix, revoked_at: dateTime }),
  RateLimit: object({ prefix: { type: 'string' }, rate_limit_per_minute: nullable({ type: 'integer' }) }),
  Webhook: object({
    id: uuid,
    url: { type: 'string' },
    events: { type: 'array', items: { enum: [...WEBHOOK_EVENTS] } },
    active: { type: 'boolean' },
    created_at: dateTime,
    links: object({ self: { type: 'string' }, deliveries: { type: 'string' } }),
  }),
  WebhookCreated: {
    allOf: [
      ref('Webhook'),
      object({ secret: { type: 'string', description: 'whsec_…: the HMAC-SHA256 key of the signatures. Shown once.' } }),
    ],
  },
  WebhookPage: object({ data: { type: 'array', items: ref('Webhook') }, pagination: ref('CursorPagination') }),
  WebhookEvent: object(
    {
      id: { ...uuid, description: 'The delivery id (also the Concord-Webhook-Id header); the same on every attempt.' },
      type: { enum: [...WEBHOOK_EVENTS] },
      created_at: dateTime,
      data: object({ run: ref('Run') }),
    },
    undefined,
    { description: 'The JSON body POSTed to the endpoint.' },
  ),
  WebhookDelivery: object({
    id: uuid,
    webhook_id: uuid,
    event: { enum: [...WEBHOOK_EVENTS] },
    run_id: nullable(uuid),
    status: { enum: [...DELIVERY_STATUSES] },
    attempts: { type: 'integer' },
    last_status_code: nullable({ type: 'integer' }),
    last_error: nullable({ type: 'string' }),
    created_at: dateTime,
    last_attempt_at: nullable(dateTime),
    delivered_at: nullable(dateTime),
    payload: ref('WebhookEvent'),
  }),
  WebhookTestResult: object({
    delivered: { type: 'boolean', description: 'The endpoint answered 2xx within 10 s.' },
    status_code: { ...nullable({ type: 'integer' }), description: 'null when there was no answer, or no connection was made.' },
    error: {
      ...nullable({ type: 'string' }),
      description:
        'Why the attempt failed. A URL whose host is refused (not a public address, or not in WEBHOOK_ALLOWED_HOSTS when it is set) is not connected to: the error says so, and status_code is null.',
    },
    duration_ms: { type: 'integer' },
  }),
  WebhookDeliveryPage: object({ data: { type: 'array', items: ref('WebhookDelivery') }, pagination: ref('CursorPagination') }),
  ReconciliationAnswer: { anyOf: [reconciliationExtension, reconciliationManifest, reconciliationResults] },
  ReconciliationSuggestEntities: object({ result: { type: 'array', items: object({ id: { type: 'string' }, name: { type: 'string' } }) } }),
  ReconciliationSuggestProperties: object({
    result: {
      type: 'array',
      items: object({ id: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' } }, ['id', 'name']),
    },
  }),
  ReconciliationPropertyProposal: object(
    {
      type: { type: 'string' },
      limit: { type: 'integer' },
      properties: { type: 'array', items: object({ id: { type: 'string' }, name: { type: 'string' } }) },
    },
    ['properties'],
  ),
} satisfies Record<string, JsonSchema>;

/** The name of a request body schema (`#/components/schemas/…`). */
export type RequestSchemaName = keyof typeof requestSchemas;
/** The name of a response schema (`#/components/schemas/…`). */
export type ResponseSchemaName = keyof typeof responseSchemas;
