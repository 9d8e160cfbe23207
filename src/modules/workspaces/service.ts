import { and, count, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { apiKeys, workspaces } from '../../db/schema';
import { ConflictError, NotFoundError, validationErrorFromIssues } from '../../errors';
import { isUuid } from '../shared/ids';
import type { Actor } from './actor';
import { cacheActor, cachedActor, forgetApiKey, forgetKeyHash } from './auth-cache';
import { SCOPES, displayPrefix, generateApiKey, hashApiKey, looksLikeApiKey, type Scope } from './keys';
import { announceRevocation } from './revocation';

export type Workspace = typeof workspaces.$inferSelect;

export const workspaceInput = z.object({ name: z.string().trim().min(1, 'name is required').max(200) }).strict();
export const apiKeyInput = z
  .object({
    scopes: z
      .array(z.enum(SCOPES, `must be one of ${SCOPES.join(', ')}`), 'must be a list of scopes')
      .min(1, 'at least one scope')
      .default([...SCOPES]),
  })
  .strict();

export async function createWorkspace(
  db: Database,
  input: unknown,
): Promise<{ workspace: Workspace; apiKey: string; prefix: string; scopes: Scope[] }> {
  const parsed = workspaceInput.safeParse(input ?? {});
  if (!parsed.success) throw validationErrorFromIssues('Invalid workspace.', parsed.error.issues);
  return db.transaction(async (tx) => {
    const [workspace] = await tx.insert(workspaces).values({ name: parsed.data.name }).returning();
    const { apiKey, prefix, scopes } = await insertApiKey(tx, workspace!.id, [...SCOPES]);
    return { workspace: workspace!, apiKey, prefix, scopes };
  });
}

export async function createApiKey(
  db: Database,
  workspaceId: string,
  input: unknown,
): Promise<{ apiKey: string; prefix: string; scopes: Scope[] }> {
  const parsed = apiKeyInput.safeParse(input ?? {});
  if (!parsed.success) throw validationErrorFromIssues('Invalid API key request.', parsed.error.issues);
  const workspace = await findWorkspace(db, workspaceId);
  return insertApiKey(db, workspace.id, [...new Set(parsed.data.scopes)]);
}

export interface WorkspaceInfo {
  id: string;
  name: string;
  createdAt: Date;
  /** Keys not revoked. */
  liveApiKeys: number;
}

/** Every workspace, newest first, with how many live keys it has (for `GET /v1/admin/workspaces` and the CLI). */
export async function listWorkspaces(db: Database): Promise<WorkspaceInfo[]> {
  return db
    .select({ id: workspaces.id, name: workspaces.name, createdAt: workspaces.createdAt, liveApiKeys: count(apiKeys.id) })
    .from(workspaces)
    .leftJoin(apiKeys, and(eq(apiKeys.workspaceId, workspaces.id), isNull(apiKeys.revokedAt)))
    .groupBy(workspaces.id)
    .orderBy(desc(workspaces.createdAt), desc(workspaces.id));
}

/** A workspace as the admin REST routes and `concord workspace list --json` show it. */
export function workspaceBody(workspace: WorkspaceInfo) {
  return { id: workspace.id, name: workspace.name, created_at: workspace.createdAt.toISOString(), live_api_keys: workspace.liveApiKeys };
}

/**
 * The workspace an operator names on the command line: its id, or its name when no workspace has that id. Names
 * are not unique: a name several workspaces share is a 409 listing their ids.
 */
export async function findWorkspaceByIdOrName(db: Database, idOrName: string): Promise<Workspace> {
  if (isUuid(idOrName)) {
    const byId = await db.query.workspaces.findFirst({ where: { id: idOrName } });
    if (byId) return byId;
  }
  const named = await db.select().from(workspaces).where(eq(workspaces.name, idOrName.trim())).orderBy(workspaces.createdAt);
  if (named.length > 1) {
    throw new ConflictError(
      `${named.length} workspaces are named "${idOrName.trim()}" (${named.map((w) => w.id).join(', ')}): give the id of the one you mean.`,
    );
  }
  if (!named[0])
    throw new NotFoundError(
      'workspace',
      idOrName,
      `No workspace has the id or name "${idOrName}" (npm run cli -- workspace list shows them).`,
    );
  return named[0];
}

async function findWorkspace(db: Database, workspaceId: string): Promise<Workspace> {
  const workspace = isUuid(workspaceId) ? await db.query.workspaces.findFirst({ where: { id: workspaceId } }) : undefined;
  if (!workspace) throw new NotFoundError('workspace', workspaceId, 'No workspace with this ID exists.');
  return workspace;
}

async function insertApiKey(db: Pick<Database, 'insert'>, workspaceId: string, scopes: Scope[]) {
  const apiKey = generateApiKey();
  const prefix = displayPrefix(apiKey);
  await db.insert(apiKeys).values({ workspaceId, keyHash: hashApiKey(apiKey), prefix, scopes });
  return { apiKey, prefix, scopes };
}

export interface ApiKeyInfo {
  prefix: string;
  scopes: Scope[];
  createdAt: Date;
  revokedAt: Date | null;
  rateLimitPerMinute: number | null;
}

/** A workspace's keys, newest first, revoked ones included (the secrets are never stored, only their hashes). */
export async function listApiKeys(db: Database, workspaceId: string): Promise<ApiKeyInfo[]> {
  const workspace = await findWorkspace(db, workspaceId);
  const rows = await db
    .select({
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
      rateLimitPerMinute: apiKeys.rateLimitPerMinute,
    })
    .from(apiKeys)
    .where(eq(apiKeys.workspaceId, workspace.id))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  return rows.map((row) => ({ ...row, scopes: row.scopes as Scope[] }));
}

/** An API key as the admin REST routes and `concord key list --json` show it (snake_case, no secret). */
export function apiKeyBody(key: ApiKeyInfo) {
  return {
    prefix: key.prefix,
    scopes: key.scopes,
    created_at: key.createdAt.toISOString(),
    revoked_at: key.revokedAt?.toISOString() ?? null,
    rate_limit_per_minute: key.rateLimitPerMinute,
  };
}

/**
 * Revokes the workspace's key with this prefix: it is refused from then on, and its running subscriptions end with
 * an error, in every server process (see revocation.ts; at the latest after AUTH_CACHE_MS). Revoking a revoked key
 * again changes nothing. Several live keys with the same prefix (1 in 2^35 per pair) are a 409: the prefix does
 * not say which one is meant.
 */
export async function revokeApiKey(db: Database, workspaceId: string, prefix: string): Promise<{ prefix: string; revokedAt: Date }> {
  const workspace = await findWorkspace(db, workspaceId);
  const matching = await db
    .select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspace.id), eq(apiKeys.prefix, prefix)))
    .orderBy(desc(apiKeys.revokedAt));
  const live = matching.filter((key) => key.revokedAt === null);
  if (matching.length === 0) throw new NotFoundError('API key', prefix, 'No API key with this prefix exists in this workspace.');
  if (live.length > 1)
    throw new ConflictError('Several live keys of this workspace share this prefix, so it does not say which one to revoke.');
  const key = live[0];
  if (key === undefined) return { prefix, revokedAt: matching[0]!.revokedAt! };
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, key.id), isNull(apiKeys.revokedAt)))
    .returning({ revokedAt: apiKeys.revokedAt });
  forgetApiKey(key.id);
  await announceRevocation(db, key.id);
  return { prefix, revokedAt: revoked?.revokedAt ?? new Date() };
}

/** The actor of a bearer key, or null when the key is unknown or revoked (lookups cached: see auth-cache.ts). */
export async function authenticate(db: Database, key: string): Promise<Actor | null> {
  if (!looksLikeApiKey(key)) return null;
  const keyHash = hashApiKey(key);
  const cached = cachedActor(keyHash);
  if (cached) return cached;
  const actor = await lookUpKey(db, keyHash);
  if (actor) cacheActor(keyHash, actor);
  else forgetKeyHash(keyHash);
  return actor;
}

async function lookUpKey(db: Database, keyHash: string): Promise<Actor | null> {
  const [row] = await db
    .select({ id: apiKeys.id, workspaceId: apiKeys.workspaceId, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .limit(1);
  if (!row) return null;
  return { workspaceId: row.workspaceId, apiKeyId: row.id, scopes: new Set(row.scopes as Scope[]) };
}

export async function getWorkspace(db: Database, actor: Actor): Promise<Workspace> {
  const workspace = await db.query.workspaces.findFirst({ where: { id: actor.workspaceId } });
  if (!workspace) throw new NotFoundError('workspace');
  return workspace;
}

/** First start of a fresh database: one workspace `default` and one key, printed once by the caller. */
export async function ensureDefaultWorkspace(db: Database): Promise<{ workspace: Workspace; apiKey: string } | null> {
  const existing = await db.select({ id: workspaces.id }).from(workspaces).limit(1);
  if (existing.length) return null;
  const { workspace, apiKey } = await createWorkspace(db, { name: 'default' });
  return { workspace, apiKey };
}
