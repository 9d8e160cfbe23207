/**
 * Strategies: plans for smart runs generated from the data (src/matching/smart), stored, versioned and edited.
 * Generation samples both datasets, gathers the review decisions made on earlier runs against the same reference
 * data (labels), and runs the generator on a worker thread.
 */
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Context } from '../../context';
import { strategies, type RunSnapshot } from '../../db/schema';
import { ConflictError, NotFoundError, ValidationError, validationErrorFromIssues, type ErrorDetail } from '../../errors';
import type { GeneratedStrategy, GenerateStrategyInput } from '../../matching/smart';
import { runOnThread, siblingModule } from '../../process/threads';
import { getConfig, type MatchingConfig } from '../configs/service';
import { datasetForField, type Dataset } from '../datasets/service';
import { type CursorPage, cursorParams, newestFirstPage } from '../shared/pagination';
import { isUuid, uuidParam } from '../shared/ids';
import { requireScope, type Actor } from '../workspaces/actor';
import { reviewLabels, SAMPLE_LIMITS, sampleTable } from './store';

export type Strategy = typeof strategies.$inferSelect;
export type ReviewBand = { low: number; high: number };

const INVALID = 'Invalid strategy.';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A digest of what a smart run executes: equal plans (and review bands) have equal hashes, across versions too. */
function versionHash(plan: unknown, reviewBand: ReviewBand | null): string {
  return createHash('sha256').update(canonical({ plan, reviewBand })).digest('hex').slice(0, 16);
}

/** The review band a strategy recommends (details.reviewBand), or null. */
export function strategyReviewBand(strategy: Strategy): ReviewBand | null {
  const band = strategy.details?.reviewBand as ReviewBand | undefined;
  return band && typeof band.low === 'number' && typeof band.high === 'number' ? band : null;
}

/**
 * Stores a strategy with a plan given as is (operators and tests; generation goes through generateStrategy).
 */
export async function createStrategy(
  context: Context,
  input: { matchingConfigId: string; plan: RunSnapshot['match']; name?: string; version?: number },
): Promise<Strategy> {
  const actor = requireScope(context.actor, 'write');
  const config = await getConfig(context, input.matchingConfigId);
  const [created] = await context.db
    .insert(strategies)
    .values({
      workspaceId: actor.workspaceId,
      matchingConfigId: config.id,
      referenceDataId: config.referenceDataId,
      sourceDataId: config.sourceDataId,
      name: input.name ?? 'strategy',
      version: input.version ?? 1,
      versionHash: versionHash(input.plan, null),
      plan: input.plan,
    })
    .returning();
  return created!;
}

/** A strategy of the caller's workspace (404 otherwise). */
export async function getStrategy(context: Context, id: string): Promise<Strategy> {
  const actor = requireScope(context.actor, 'read');
  return findStrategy(context, actor, id);
}

async function findStrategy(context: Context, actor: Actor, id: string): Promise<Strategy> {
  const strategy = isUuid(id) ? await context.db.query.strategies.findFirst({ where: { id, workspaceId: actor.workspaceId } }) : undefined;
  if (!strategy) throw new NotFoundError('strategy', id);
  return strategy;
}

// ─── generation ─────────────────────────────────────────────────────────────────────────────────────────────────

export const generateInput = z
  .object({
    referenceDataId: uuidParam.optional(),
    sourceDataId: uuidParam.nullish(),
    matchingConfigId: uuidParam.optional(),
    userPrompt: z.string().max(2000, 'at most 2000 characters').nullish(),
    name: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters').optional(),
    /** Fit the weights to the review decisions made on earlier runs against this reference data (default true). */
    useReviews: z.boolean('must be a boolean').default(true),
  })
  .strict()
  .refine((input) => input.referenceDataId || input.matchingConfigId, {
    message: 'give reference_data_id or matching_config_id',
    path: ['referenceDataId'],
  });

export type GenerateInput = z.input<typeof generateInput>;

interface Sources {
  config: MatchingConfig | null;
  reference: Dataset;
  source: Dataset | null;
}

async function findDataset(context: Context, actor: Actor, id: string, kind: 'reference' | 'source', path: string, issues: ErrorDetail[]) {
  const found = await datasetForField(context, actor.workspaceId, id, kind);
  if ('dataset' in found) return found.dataset;
  issues.push({ path, message: found.problem });
  return undefined;
}

/** The config and datasets a generation names; ids that do not resolve in the workspace are 400s on their field. */
async function resolveSources(context: Context, actor: Actor, input: z.output<typeof generateInput>): Promise<Sources> {
  const issues: ErrorDetail[] = [];
  let config: MatchingConfig | null = null;
  if (input.matchingConfigId) {
    config =
      (await context.db.query.matchingConfigs.findFirst({ where: { id: input.matchingConfigId, workspaceId: actor.workspaceId } })) ?? null;
    if (!config)
      throw new ValidationError(INVALID, [{ path: 'matchingConfigId', message: 'no matching config with this id in your workspace' }]);
    if (input.referenceDataId && input.referenceDataId !== config.referenceDataId) {
      throw new ValidationError(INVALID, [{ path: 'referenceDataId', message: "differs from the matching config's reference data" }]);
    }
  }
  const referenceId = input.referenceDataId ?? config!.referenceDataId;
  const sourceId = input.sourceDataId === undefined ? (config?.sourceDataId ?? null) : input.sourceDataId;
  const [reference, source] = await Promise.all([
    findDataset(context, actor, referenceId, 'reference', 'referenceDataId', issues),
    sourceId ? findDataset(context, actor, sourceId, 'source', 'sourceDataId', issues) : Promise.resolve(null),
  ]);
  if (issues.length) throw new ValidationError(INVALID, issues);
  return { config, reference: reference!, source: source ?? null };
}

/** Runs the generator on a worker thread; a prompt it does not understand is a 400 on `userPrompt`. */
async function generate(input: GenerateStrategyInput): Promise<GeneratedStrategy> {
  try {
    return await runOnThread<GeneratedStrategy>(siblingModule(import.meta.url, 'generate-thread'), input);
  } catch (error) {
    const failure = error as { prompt?: boolean; message?: string };
    if (failure?.prompt)
      throw new ValidationError(failure.message ?? 'The prompt was not understood.', [
        { path: 'userPrompt', message: failure.message ?? 'not understood' },
      ]);
    throw error instanceof Error ? error : new Error(failure?.message ?? 'strategy generation failed');
  }
}

async function generateFor(context: Context, actor: Actor, sources: Sources, userPrompt: string | null, useReviews: boolean) {
  const [reference, source, labels] = await Promise.all([
    sampleTable(context.sql, sources.reference, SAMPLE_LIMITS.reference),
    sources.source ? sampleTable(context.sql, sources.source, SAMPLE_LIMITS.source) : Promise.resolve(undefined),
    useReviews ? reviewLabels(context.sql, actor.workspaceId, sources.reference.id) : Promise.resolve([]),
  ]);
  if (reference.rows.length === 0)
    throw new ValidationError(INVALID, [{ path: 'referenceDataId', message: 'the reference data has no rows' }]);
  return generate({
    reference,
    ...(source && source.rows.length ? { source } : {}),
    ...(userPrompt ? { userPrompt } : {}),
    ...(labels.length ? { labels } : {}),
  });
}

function storedFields(generated: GeneratedStrategy) {
  const details = { ...generated.details, mappings: generated.mappings, reviewBand: generated.reviewBand };
  return {
    plan: generated.match as RunSnapshot['match'],
    details,
    labelsUsed: generated.labelsUsed,
    versionHash: versionHash(generated.match, generated.reviewBand),
  };
}

/** POST /v1/matching/strategies/generate and GraphQL generateStrategy. Deterministic for the same data. */
export async function generateStrategy(context: Context, rawInput: unknown): Promise<Strategy> {
  const actor = requireScope(context.actor, 'write');
  const parsed = generateInput.safeParse(rawInput ?? {});
  if (!parsed.success) throw validationErrorFromIssues(INVALID, parsed.error.issues);
  const input = parsed.data;
  const sources = await resolveSources(context, actor, input);
  const generated = await generateFor(context, actor, sources, input.userPrompt ?? null, input.useReviews);
  const [created] = await context.db
    .insert(strategies)
    .values({
      workspaceId: actor.workspaceId,
      matchingConfigId: sources.config?.id ?? null,
      referenceDataId: sources.reference.id,
      sourceDataId: sources.source?.id ?? null,
      name: input.name ?? `strategy for ${sources.reference.name}`,
      userPrompt: input.userPrompt ?? null,
      version: 1,
      ...storedFields(generated),
    })
    .returning();
  return created!;
}

// ─── editing ────────────────────────────────────────────────────────────────────────────────────────────────────

const probability = z.number('must be a number').min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]');

export const updateInput = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters').optional(),
    threshold: probability.optional(),
    reviewBand: z
      .object({ low: probability, high: probability })
      .strict()
      .refine((band) => band.low <= band.high, { message: 'low must not exceed high', path: ['low'] })
      .optional(),
    /** Regenerate with this prompt (null clears it). */
    userPrompt: z.string().max(2000, 'at most 2000 characters').nullish(),
    /** Regenerate from the same datasets, fitting the weights to the review decisions made so far. */
    learnFromReviews: z.boolean('must be a boolean').optional(),
  })
  .strict();

export type UpdateInput = z.input<typeof updateInput>;

/**
 * PATCH: every change makes a new version (version + 1, a new version_hash when the plan changed). A new prompt or
 * `learn_from_reviews: true` regenerates from the strategy's datasets with the labels gathered so far; `threshold`
 * and `review_band` then apply on top.
 */
export async function updateStrategy(context: Context, id: string, rawInput: unknown): Promise<Strategy> {
  const actor = requireScope(context.actor, 'write');
  const existing = await findStrategy(context, actor, id);
  const parsed = updateInput.safeParse(rawInput ?? {});
  if (!parsed.success) throw validationErrorFromIssues(INVALID, parsed.error.issues);
  const input = parsed.data;
  if (Object.keys(input).length === 0) throw new ValidationError(INVALID, [{ path: '', message: 'nothing to change' }]);

  let plan = existing.plan;
  let details = existing.details ?? {};
  let labelsUsed = existing.labelsUsed;
  const userPrompt = input.userPrompt === undefined ? existing.userPrompt : input.userPrompt;
  if (input.userPrompt !== undefined || input.learnFromReviews) {
    const sources = await sourcesOf(context, actor, existing);
    const regenerated = storedFields(await generateFor(context, actor, sources, userPrompt ?? null, input.learnFromReviews ?? true));
    ({ plan, details, labelsUsed } = regenerated);
  }
  if (input.threshold !== undefined) plan = { ...plan, threshold: input.threshold };
  if (input.reviewBand !== undefined) details = { ...details, reviewBand: input.reviewBand };
  const band = (details as { reviewBand?: ReviewBand }).reviewBand ?? null;

  const [updated] = await context.db
    .update(strategies)
    .set({
      name: input.name ?? existing.name,
      userPrompt: userPrompt ?? null,
      plan,
      details,
      labelsUsed,
      version: existing.version + 1,
      versionHash: versionHash(plan, band),
      updatedAt: new Date(),
    })
    // The version in the condition makes concurrent edits serialise: the loser finds no row and gets a 409.
    .where(and(eq(strategies.id, existing.id), eq(strategies.version, existing.version)))
    .returning();
  if (!updated) throw new ConflictError('The strategy was changed meanwhile; fetch it and try again.');
  return updated;
}

async function sourcesOf(context: Context, actor: Actor, strategy: Strategy): Promise<Sources> {
  const issues: ErrorDetail[] = [];
  const [reference, source] = await Promise.all([
    findDataset(context, actor, strategy.referenceDataId, 'reference', 'referenceDataId', issues),
    strategy.sourceDataId ? findDataset(context, actor, strategy.sourceDataId, 'source', 'sourceDataId', issues) : Promise.resolve(null),
  ]);
  if (issues.length) throw new ValidationError('The datasets this strategy was generated from are gone; generate a new one.', issues);
  return { config: null, reference: reference!, source: source ?? null };
}

// ─── listing ────────────────────────────────────────────────────────────────────────────────────────────────────

const listParams = cursorParams.extend({ configId: uuidParam.optional() });

/** GET /v1/matching/strategies?config_id: newest first, cursor pagination. */
export async function listStrategies(
  context: Context,
  params: { configId?: unknown; limit?: unknown; cursor?: unknown },
): Promise<CursorPage<Strategy>> {
  const actor = requireScope(context.actor, 'read');
  const parsed = listParams.safeParse({
    configId: params.configId ?? undefined,
    limit: params.limit ?? undefined,
    cursor: params.cursor ?? undefined,
  });
  if (!parsed.success) throw validationErrorFromIssues('Invalid list parameters.', parsed.error.issues);
  const { limit, configId } = parsed.data;
  const scope = and(eq(strategies.workspaceId, actor.workspaceId), configId ? eq(strategies.matchingConfigId, configId) : undefined);
  return newestFirstPage(context.db, strategies, scope, parsed.data.cursor, limit);
}
