import { createHash } from 'node:crypto';
import type { Context } from '../../context';
import { strategies, type RunSnapshot } from '../../db/schema';
import { NotFoundError } from '../../errors';
import { getConfig } from '../configs/service';
import { requireScope } from '../workspaces/actor';

export type Strategy = typeof strategies.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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

/**
 * Stores a strategy whose plan is a MatchConfig (the strategies issue adds generation; until then tests and
 * operators create strategies with this). The plan is used as given by smart runs of the config.
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
      name: input.name ?? 'strategy',
      version: input.version ?? 1,
      versionHash: createHash('sha256').update(canonical(input.plan)).digest('hex').slice(0, 16),
      plan: input.plan,
    })
    .returning();
  return created!;
}

/** A strategy of the caller's workspace (404 otherwise). */
export async function getStrategy(context: Context, id: string): Promise<Strategy> {
  const actor = requireScope(context.actor, 'read');
  const strategy = UUID.test(id) ? await context.db.query.strategies.findFirst({ where: { id, workspaceId: actor.workspaceId } }) : undefined;
  if (!strategy) throw new NotFoundError('strategy', id);
  return strategy;
}
