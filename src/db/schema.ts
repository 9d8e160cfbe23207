import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
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
}
export interface StoredBlocking {
  strategy?: 'parallel' | 'ordered_fallback';
  keys?: Array<{ parts: Array<{ source: string; target: string; transform: string; length?: number }> }>;
  maxPostings?: number;
}
