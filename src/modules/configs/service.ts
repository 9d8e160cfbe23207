import { and, eq } from 'drizzle-orm';
import type { App, Context } from '../../context';
import { matchingConfigs, type DatasetKind } from '../../db/schema';
import { ValidationError, validationErrorFromIssues, NotFoundError } from '../../errors';
import type { MatchConfig } from '../../matching/types';
import { requireScope, type Actor } from '../workspaces/actor';
import { type CursorPage, cursorParams, newestFirstPage } from '../shared/pagination';
import { isUuid } from '../shared/ids';
import { datasetForField } from '../datasets/service';
import {
  checkColumns,
  parseConfigFields,
  withDefaults,
  type ConfigDatasets,
  type ConfigValues,
  type Issue,
  type ParsedConfig,
} from './validation';

export type MatchingConfig = typeof matchingConfigs.$inferSelect;

const INVALID = 'Invalid matching config.';

/** The stored row of one config of the caller's workspace (404 otherwise). What a run loads. */
export async function getConfig(context: Context, id: string): Promise<MatchingConfig> {
  const actor = requireScope(context.actor, 'read');
  return findConfig(context, actor, id);
}

async function findConfig(context: Context, actor: Actor, id: string): Promise<MatchingConfig> {
  const config = isUuid(id)
    ? await context.db.query.matchingConfigs.findFirst({ where: { id, workspaceId: actor.workspaceId } })
    : undefined;
  if (!config) throw new NotFoundError('matching config', id);
  return config;
}

/** The engine's configuration of a stored config (src/matching `MatchConfig`). */
export function toMatchConfig(config: MatchingConfig): MatchConfig {
  return {
    fieldMappings: config.fieldMappings as MatchConfig['fieldMappings'],
    threshold: config.threshold,
    ...(config.blocking ? { blocking: config.blocking as MatchConfig['blocking'] } : {}),
    oneToOne: config.oneToOne,
  };
}

/** Loads the datasets the values name; a missing one (or one of the wrong kind) is an issue on its id field. */
async function loadDatasets(context: Context, actor: Actor, values: Partial<ConfigValues>, issues: Issue[]): Promise<ConfigDatasets> {
  const result: ConfigDatasets = {};
  const load = async (field: 'referenceDataId' | 'sourceDataId', kind: DatasetKind) => {
    const id = values[field];
    if (!id) return;
    const found = await datasetForField(context, actor.workspaceId, id, kind);
    if ('problem' in found) issues.push({ path: [field], message: found.problem });
    else result[kind] = found.dataset;
  };
  await Promise.all([load('referenceDataId', 'reference'), load('sourceDataId', 'source')]);
  return result;
}

/** The checks that need the database, on the values to store; throws every issue found so far and now. */
async function validate(
  context: Context,
  actor: Actor,
  parsed: ParsedConfig,
  values: Partial<ConfigValues>,
  issues: Issue[],
): Promise<ConfigValues> {
  const found = await loadDatasets(context, actor, values, issues);
  checkColumns(parsed, values, found, issues);
  if (issues.length) throw validationErrorFromIssues(INVALID, issues);
  return values as ConfigValues;
}

function immutableReference(existing: MatchingConfig, values: Partial<ConfigValues>, issues: Issue[]): void {
  if (values.referenceDataId !== undefined && values.referenceDataId.toLowerCase() !== existing.referenceDataId) {
    issues.push({ path: ['referenceDataId'], message: 'cannot be changed after the config is created; create a new config instead' });
  }
}

function storedValues(config: MatchingConfig): ConfigValues {
  return {
    name: config.name,
    referenceDataId: config.referenceDataId,
    sourceDataId: config.sourceDataId,
    fieldMappings: config.fieldMappings,
    threshold: config.threshold,
    reviewBand: config.reviewBand,
    blocking: config.blocking,
    oneToOne: config.oneToOne,
    schedule: config.schedule,
  };
}

/**
 * Creates a config from camelCase input (`name`, `referenceDataId`, `fieldMappings` required). Dataset ids inside the
 * body that do not exist in the workspace are a 400 validation_error on that field (404 is for the URL's resource).
 */
export async function createConfig(context: Context, input: unknown): Promise<MatchingConfig> {
  const actor = requireScope(context.actor, 'write');
  const issues: Issue[] = [];
  const parsed = parseConfigFields(input, ['name', 'referenceDataId', 'fieldMappings'], issues);
  const values = await validate(context, actor, parsed, withDefaults(parsed.values), issues);
  const [created] = await context.db
    .insert(matchingConfigs)
    .values({ ...values, workspaceId: actor.workspaceId })
    .returning()
    .catch(datasetGone);
  return created!;
}

/**
 * PUT: the body is the whole config; omitted optional fields go back to their defaults. `referenceDataId` may be
 * omitted (it cannot change); a different one is a validation error.
 */
export async function replaceConfig(context: Context, id: string, input: unknown): Promise<MatchingConfig> {
  const actor = requireScope(context.actor, 'write');
  const existing = await findConfig(context, actor, id);
  const issues: Issue[] = [];
  const parsed = parseConfigFields(input, ['name', 'fieldMappings'], issues);
  immutableReference(existing, parsed.values, issues);
  const values = await validate(
    context,
    actor,
    parsed,
    withDefaults({ ...parsed.values, referenceDataId: existing.referenceDataId }),
    issues,
  );
  return save(context, existing, values);
}

/**
 * PATCH: the given top-level fields replace the stored ones (`fieldMappings` and `blocking` as a whole); `null`
 * clears an optional field. The merged config is validated as a whole.
 */
export async function updateConfig(context: Context, id: string, input: unknown): Promise<MatchingConfig> {
  const actor = requireScope(context.actor, 'write');
  const existing = await findConfig(context, actor, id);
  const issues: Issue[] = [];
  const parsed = parseConfigFields(input, [], issues);
  immutableReference(existing, parsed.values, issues);
  const merged = { ...storedValues(existing), ...parsed.values, referenceDataId: existing.referenceDataId };
  const values = await validate(context, actor, parsed, merged, issues);
  return save(context, existing, values);
}

/** A dataset deleted between the checks and the write trips the foreign key: the same answer as a missing one. */
function datasetGone(error: unknown): never {
  const cause =
    (error as { cause?: { code?: string; constraint_name?: string } }).cause ?? (error as { code?: string; constraint_name?: string });
  if (cause?.code === '23503' && cause.constraint_name?.includes('_data_id_')) {
    const field = cause.constraint_name.includes('source_data') ? 'sourceDataId' : 'referenceDataId';
    throw new ValidationError(INVALID, [{ path: field, message: 'the dataset was deleted meanwhile' }]);
  }
  throw error;
}

async function save(context: Context, existing: MatchingConfig, values: ConfigValues): Promise<MatchingConfig> {
  const [updated] = await context.db
    .update(matchingConfigs)
    .set(values)
    .where(and(eq(matchingConfigs.id, existing.id), eq(matchingConfigs.workspaceId, existing.workspaceId)))
    .returning()
    .catch(datasetGone);
  if (!updated) throw new NotFoundError('matching config', existing.id);
  return updated;
}

/** Deletes a config. Runs (when they exist) keep their own snapshot of the config they used. */
export async function deleteConfig(context: Context, id: string): Promise<void> {
  const actor = requireScope(context.actor, 'write');
  const existing = await findConfig(context, actor, id);
  await context.db
    .delete(matchingConfigs)
    .where(and(eq(matchingConfigs.id, existing.id), eq(matchingConfigs.workspaceId, actor.workspaceId)));
}

/** The configs of the workspace, newest first, `limit` (default 20, max 100) at a time after `cursor`. */
export async function listConfigs(context: Context, params: { limit?: unknown; cursor?: unknown }): Promise<CursorPage<MatchingConfig>> {
  const actor = requireScope(context.actor, 'read');
  const parsed = cursorParams.safeParse({ limit: params.limit ?? undefined, cursor: params.cursor ?? undefined });
  if (!parsed.success) throw validationErrorFromIssues('Invalid pagination.', parsed.error.issues);
  const { limit } = parsed.data;
  return newestFirstPage(context.db, matchingConfigs, eq(matchingConfigs.workspaceId, actor.workspaceId), parsed.data.cursor, limit);
}

/** Every config with a cron schedule, of every workspace (the scheduler's tick; no caller, so no actor). */
export async function scheduledConfigs(app: App): Promise<MatchingConfig[]> {
  return app.db.query.matchingConfigs.findMany({ where: { schedule: { isNotNull: true } } });
}
