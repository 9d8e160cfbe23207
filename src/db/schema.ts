import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  json,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow();

export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** SHA-256 of the whole key, hex: keys are random 32-byte secrets, so a fast hash is enough. */
    keyHash: text('key_hash').notNull(),
    /** The first characters of the key, shown to people to tell keys apart. */
    prefix: text('prefix').notNull(),
    scopes: text('scopes').array().notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
    /** Requests per minute for this key (REST, GraphQL, subscription starts); null → RATE_LIMIT_PER_MINUTE, 0 → unlimited. */
    rateLimitPerMinute: integer('rate_limit_per_minute'),
  },
  (t) => [uniqueIndex('api_keys_key_hash_idx').on(t.keyHash)],
);

export type DatasetKind = 'reference' | 'source';
export type ColumnType = 'string' | 'number' | 'date' | 'boolean';
export interface DatasetColumn {
  name: string;
  type: ColumnType;
}

export const datasets = pgTable(
  'datasets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<DatasetKind>().notNull(),
    name: text('name').notNull(),
    sourceType: text('source_type').$type<'csv' | 'json' | 'ndjson'>().notNull(),
    status: text('status').$type<'ready'>().notNull().default('ready'),
    rowCount: integer('row_count').notNull().default(0),
    columns: jsonb('columns').$type<DatasetColumn[]>().notNull(),
    idColumn: text('id_column'),
    filenameColumn: text('filename_column'),
    /**
     * Bumped once per row write request (src/modules/datasets/row-changes.ts); 1 after the upload. A bigint read as a
     * JS number: 2^53 writes are out of reach.
     */
    version: bigint('version', { mode: 'number' }).notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [index('datasets_workspace_kind_idx').on(t.workspaceId, t.kind, t.createdAt)],
);

export const datasetRows = pgTable(
  'dataset_rows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    /** 1-based position of the row in the uploaded file: gives a stable order for paging and chunking. */
    position: integer('position').notNull(),
    externalId: text('external_id').notNull(),
    filename: text('filename'),
    values: jsonb('values').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [
    uniqueIndex('dataset_rows_position_idx').on(t.datasetId, t.position),
    uniqueIndex('dataset_rows_external_id_idx').on(t.datasetId, t.externalId),
  ],
);

/**
 * Every row change of a reference dataset since its upload, one record per row and write request (version), in the
 * transaction that made it (src/modules/datasets/row-changes.ts). Consumers catch up with changesSince; runs rewind
 * the current rows to the version they planned against with `previous_values` / `previous_position` (the row before
 * the change; null when the change created it). Old records are pruned (see pruneRowChanges).
 */
export const referenceRowChanges = pgTable(
  'reference_row_changes',
  {
    /** Orders the changes of one version (a row can change once per version, but order keeps replays exact). */
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    version: bigint('version', { mode: 'number' }).notNull(),
    op: text('op').$type<'upsert' | 'delete'>().notNull(),
    /** dataset_rows.id (no foreign key: a deleted row keeps its records). */
    rowId: uuid('row_id').notNull(),
    externalId: text('external_id').notNull(),
    /** The row's values after an upsert; null for a delete. */
    values: jsonb('values').$type<Record<string, unknown>>(),
    previousValues: jsonb('previous_values').$type<Record<string, unknown>>(),
    previousPosition: integer('previous_position'),
    createdAt: createdAt(),
  },
  (t) => [
    index('reference_row_changes_version_idx').on(t.datasetId, t.version),
    index('reference_row_changes_row_idx').on(t.rowId),
    check('reference_row_changes_op_check', sql`${t.op} in ('upsert', 'delete')`),
  ],
);

export const matchingConfigs = pgTable(
  'matching_configs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    referenceDataId: uuid('reference_data_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'restrict' }),
    sourceDataId: uuid('source_data_id').references(() => datasets.id, { onDelete: 'restrict' }),
    fieldMappings: jsonb('field_mappings').$type<StoredFieldMapping[]>().notNull(),
    threshold: real('threshold').notNull().default(0.85),
    reviewBand: jsonb('review_band').$type<{ low: number; high: number } | null>(),
    blocking: jsonb('blocking').$type<StoredBlocking | null>(),
    oneToOne: boolean('one_to_one').notNull().default(false),
    schedule: text('schedule'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 })
      .notNull()
      .defaultNow()
      .$onUpdate(() => sql`now()`),
  },
  (t) => [index('matching_configs_workspace_idx').on(t.workspaceId, t.createdAt, t.id)],
);

/** Stored in camelCase, the engine's shape (src/matching); REST converts to snake_case at the edge. */
export interface StoredFieldMapping {
  source: string;
  target: string;
  strategy: 'exact' | 'fuzzy' | 'phonetic' | 'date_range' | 'numeric_range';
  weight: number;
  options?: Record<string, unknown>;
  /** fields over several columns (smart strategies): see FieldMapping in src/matching/types.ts */
  sourceColumns?: string[];
  targetColumns?: string[];
}
export interface StoredBlocking {
  strategy?: 'parallel' | 'ordered_fallback';
  keys?: Array<{ parts: Array<{ source: string; target: string; transform: string; length?: number }> }>;
  maxPostings?: number;
}

// ─── Runs (src/modules/runs) ────────────────────────────────────────────────────────────────────────────────────

export type RunStatus = 'queued' | 'running' | 'ai_resolving' | 'completed' | 'failed' | 'cancelled';
/** `manual`: started by a caller (REST, GraphQL, the dashboard, the CLI); `scheduled`: by the config's cron schedule. */
export type RunTrigger = 'manual' | 'scheduled';

/** What a run used, frozen when it was created (the config may change or be deleted afterwards). */
export interface RunSnapshot {
  /** The engine's configuration (src/matching MatchConfig). */
  match: {
    fieldMappings: StoredFieldMapping[];
    threshold: number;
    blocking?: StoredBlocking;
    oneToOne?: boolean;
    /** Smart runs: the strategy's Fellegi–Sunter model (src/matching MatchConfig.model). */
    model?: unknown;
    /** Smart runs of a version that learnt from reviews: the decisions it keeps (MatchConfig.decisions). */
    decisions?: unknown;
  };
  referenceDataId: string;
  /** The source dataset; null when the run's documents were sent inline (run_documents). */
  sourceDataId: string | null;
  reviewBand: { low: number; high: number } | null;
  /** Smart runs: results in the review band get the second pass (status ai_resolving) before the run completes. */
  reviewPass?: boolean;
  configName: string;
}

const timestamp3 = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** A minimal strategy: a versioned, stored plan (a MatchConfig). The strategies issue adds generation and editing. */
export const strategies = pgTable(
  'strategies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    matchingConfigId: uuid('matching_config_id').references(() => matchingConfigs.id, { onDelete: 'set null' }),
    referenceDataId: uuid('reference_data_id').notNull(),
    name: text('name').notNull().default('strategy'),
    version: integer('version').notNull().default(1),
    versionHash: text('version_hash').notNull(),
    /** The engine configuration a smart run executes (MatchConfig, with the Fellegi–Sunter model when generated). */
    plan: jsonb('plan').$type<RunSnapshot['match']>().notNull(),
    sourceDataId: uuid('source_data_id'),
    userPrompt: text('user_prompt'),
    /** Profiles, per-mapping rationales, m/u tables, threshold rule: what generation measured and decided. */
    details: jsonb('details').$type<Record<string, unknown>>(),
    /** Reviewed results the weights of this version were fitted to. */
    labelsUsed: integer('labels_used').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp3('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('strategies_workspace_idx').on(t.workspaceId, t.createdAt),
    index('strategies_config_idx').on(t.matchingConfigId, t.createdAt),
  ],
);

export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** No foreign key: past runs outlive their config. */
    matchingConfigId: uuid('matching_config_id').notNull(),
    strategyId: uuid('strategy_id'),
    strategyVersion: integer('strategy_version'),
    /** The version of the reference dataset the run matches against, set when it is planned (null before). */
    referenceVersion: bigint('reference_version', { mode: 'number' }),
    status: text('status').$type<RunStatus>().notNull().default('queued'),
    triggeredBy: text('triggered_by').$type<RunTrigger>().notNull(),
    snapshot: jsonb('snapshot').$type<RunSnapshot>().notNull(),
    /** queued | planning | matching | assigning | finalising | done */
    phase: text('phase').notNull().default('queued'),
    rowsTotal: integer('rows_total'),
    rowsProcessed: integer('rows_processed'),
    rowsMatched: integer('rows_matched'),
    /** Σ confidence of matched rows so far (avg_confidence = confidence_sum / rows_matched). */
    confidenceSum: doublePrecision('confidence_sum').notNull().default(0),
    avgConfidence: doublePrecision('avg_confidence'),
    chunksTotal: integer('chunks_total').notNull().default(0),
    chunksDone: integer('chunks_done').notNull().default(0),
    /** When the last progress event of this run went out (throttles progress across all worker processes). */
    progressNotifiedAt: timestamp3('progress_notified_at'),
    /** Bumped by every update: subscribers drop events older than what they have seen. */
    version: integer('version').notNull().default(1),
    startedAt: timestamp3('started_at'),
    completedAt: timestamp3('completed_at'),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: timestamp3('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('runs_workspace_idx').on(t.workspaceId, t.createdAt, t.id),
    index('runs_config_idx').on(t.matchingConfigId, t.createdAt),
    check('runs_triggered_by_check', sql`${t.triggeredBy} in ('manual', 'scheduled')`),
  ],
);

export const runChunks = pgTable(
  'run_chunks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    chunkIndex: integer('chunk_index').notNull(),
    /** Source rows with firstPosition ≤ position ≤ lastPosition. */
    firstPosition: integer('first_position').notNull(),
    lastPosition: integer('last_position').notNull(),
    /** pending | running | done | skipped */
    status: text('status').notNull().default('pending'),
    workerId: text('worker_id'),
    attempts: integer('attempts').notNull().default(0),
    rowsProcessed: integer('rows_processed'),
    rowsMatched: integer('rows_matched'),
    startedAt: timestamp3('started_at'),
    completedAt: timestamp3('completed_at'),
    error: text('error'),
  },
  (t) => [uniqueIndex('run_chunks_run_idx').on(t.runId, t.chunkIndex), index('run_chunks_completed_idx').on(t.completedAt)],
);

/** Documents sent inline with POST …/run, owned by the run. */
export const runDocuments = pgTable(
  'run_documents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    externalId: text('external_id').notNull(),
    filename: text('filename'),
    values: jsonb('values').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [uniqueIndex('run_documents_position_idx').on(t.runId, t.position)],
);

export interface StoredEvidence {
  source: string;
  target: string;
  strategy: string;
  score: number | null;
  sourceValue: unknown;
  referenceValue: unknown;
}

export const runResults = pgTable(
  'run_results',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    /** dataset_rows.id or run_documents.id (no foreign key: results outlive a deleted dataset). */
    sourceRowId: uuid('source_row_id').notNull(),
    position: integer('position').notNull(),
    documentId: text('document_id').notNull(),
    documentFilename: text('document_filename'),
    matchedReferenceRowId: uuid('matched_reference_row_id'),
    matchedReferenceExternalId: text('matched_reference_external_id'),
    confidence: doublePrecision('confidence').notNull(),
    status: text('status').$type<'pending' | 'approved' | 'rejected'>().notNull().default('pending'),
    evidence: jsonb('evidence').$type<StoredEvidence[]>().notNull(),
    candidates: jsonb('candidates').$type<Array<{ referenceRowId: string; confidence: number }>>().notNull(),
    notes: text('notes'),
    reviewedAt: timestamp3('reviewed_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('run_results_source_idx').on(t.runId, t.sourceRowId),
    index('run_results_position_idx').on(t.runId, t.position),
    index('run_results_confidence_idx').on(t.runId, t.confidence),
  ],
);

/**
 * Fixed one-minute windows of requests per API key (src/modules/limits/rate-limit.ts); rows older than the window are
 * purged. UNLOGGED (migration limits_unlogged): disposable counters, no WAL flush per request.
 */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    apiKeyId: uuid('api_key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
    hits: integer('hits').notNull(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.windowStart] }), index('rate_limit_counters_window_idx').on(t.windowStart)],
);

/**
 * REST writes sent with an `Idempotency-Key` (src/modules/limits/idempotency.ts): the first response is kept 24 h and
 * replayed to the same API key only. `json`, not `jsonb`: a replay returns the stored body byte for byte (jsonb would
 * reorder its keys).
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** The API key that sent the request: another key (even of the same workspace) neither sees nor reuses the row. */
    apiKeyId: uuid('api_key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** SHA-256 (hex) of method, path and body. */
    requestHash: text('request_hash').notNull(),
    status: text('status').$type<'in_progress' | 'completed'>().notNull().default('in_progress'),
    responseStatus: integer('response_status'),
    responseHeaders: json('response_headers').$type<Record<string, string>>(),
    responseBody: json('response_body'),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] }), index('idempotency_keys_created_idx').on(t.createdAt)],
);

/**
 * Live worker processes (`hostname:pid`) and their graphile-worker worker ids, refreshed by a heartbeat. When a
 * process stops beating (killed, machine lost), another process unlocks its jobs so its chunks run elsewhere at
 * once instead of after graphile-worker's 4-hour lock timeout.
 */
export const workerProcesses = pgTable('worker_processes', {
  id: text('id').primaryKey(),
  graphileWorkerIds: text('graphile_worker_ids').array().notNull(),
  startedAt: timestamp3('started_at').notNull().defaultNow(),
  seenAt: timestamp3('seen_at').notNull().defaultNow(),
});

export type WebhookEvent = 'run.completed' | 'run.failed' | 'run.cancelled';

/** Per-workspace webhook endpoints; `secret` signs deliveries (HMAC-SHA256) and is shown once at creation. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    secret: text('secret').notNull(),
    events: jsonb('events').$type<WebhookEvent[]>().notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index('webhook_endpoints_workspace_idx').on(t.workspaceId, t.createdAt)],
);

/** One event for one endpoint; graphile-worker attempts it until delivered or out of attempts. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    workspaceId: uuid('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    event: text('event').$type<WebhookEvent>().notNull(),
    runId: uuid('run_id'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** pending | delivered | failed */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    lastAttemptAt: timestamp3('last_attempt_at'),
    deliveredAt: timestamp3('delivered_at'),
  },
  (t) => [
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
    uniqueIndex('webhook_deliveries_event_idx').on(t.endpointId, t.event, t.runId),
  ],
);
