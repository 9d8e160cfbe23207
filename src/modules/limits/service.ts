import { z } from 'zod';
import type postgres from 'postgres';
import { ConflictError, NotFoundError, validationErrorFromIssues } from '../../errors';
import { isUuid } from '../shared/ids';

export const rateLimitInput = z
  .object({
    rateLimitPerMinute: z.number().int('must be an integer').min(0, 'must be 0 (unlimited) or more').max(1_000_000_000).nullable(),
  })
  .strict();

/**
 * Sets one API key's requests per minute (`null`: back to RATE_LIMIT_PER_MINUTE, `0`: unlimited). The key is named by
 * its workspace and its display prefix (`ck_` and 6 characters, as shown when it was created). Applies from the next
 * request, in every server process.
 */
export async function setApiKeyRateLimit(
  sql: postgres.Sql,
  workspaceId: string,
  prefix: string,
  input: unknown,
): Promise<{ prefix: string; rateLimitPerMinute: number | null }> {
  const parsed = rateLimitInput.safeParse(input ?? {});
  if (!parsed.success) throw validationErrorFromIssues('Invalid rate limit.', parsed.error.issues);
  if (!isUuid(workspaceId)) throw new NotFoundError('API key', prefix, 'No API key with this prefix exists in this workspace.');
  const updated = await sql<Array<{ prefix: string }>>`
    update api_keys set rate_limit_per_minute = ${parsed.data.rateLimitPerMinute}
    where workspace_id = ${workspaceId} and prefix = ${prefix} and revoked_at is null
      and (select count(*) from api_keys where workspace_id = ${workspaceId} and prefix = ${prefix} and revoked_at is null) = 1
    returning prefix`;
  if (updated.length) return { prefix, rateLimitPerMinute: parsed.data.rateLimitPerMinute };
  const [{ count } = { count: 0 }] = await sql<Array<{ count: number }>>`
    select count(*)::int as count from api_keys where workspace_id = ${workspaceId} and prefix = ${prefix} and revoked_at is null`;
  if (count > 1) throw new ConflictError('Several keys of this workspace share this prefix; revoke and recreate one of them.');
  throw new NotFoundError('API key', prefix, 'No API key with this prefix exists in this workspace.');
}
