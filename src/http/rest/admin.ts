import { setApiKeyRateLimit } from '../../modules/limits/service';
import { keysToCamel } from '../../modules/shared/key-case';
import * as workspaces from '../../modules/workspaces/service';
import { requireAdminToken } from '../admin-token';
import type { RestHandler, RestRequest } from './router';

/** Provisioning, guarded by ADMIN_TOKEN (not by an API key: there is no workspace yet). */
const requireAdmin = (request: RestRequest) => requireAdminToken(request.context.settings.ADMIN_TOKEN, request.raw.headers);

export const createWorkspace: RestHandler = async (request) => {
  requireAdmin(request);
  const { workspace, apiKey, prefix, scopes } = await workspaces.createWorkspace(request.context.db, await request.json());
  return {
    status: 201,
    body: {
      workspace: { id: workspace.id, name: workspace.name, created_at: workspace.createdAt.toISOString() },
      api_key: apiKey,
      prefix,
      scopes,
    },
  };
};

export const listWorkspaces: RestHandler = async (request) => {
  requireAdmin(request);
  return { status: 200, body: { data: (await workspaces.listWorkspaces(request.context.db)).map(workspaces.workspaceBody) } };
};

export const createApiKey: RestHandler = async (request) => {
  requireAdmin(request);
  const { apiKey, prefix, scopes } = await workspaces.createApiKey(request.context.db, request.params.id!, await request.json());
  return { status: 201, body: { api_key: apiKey, prefix, scopes } };
};

export const listApiKeys: RestHandler = async (request) => {
  requireAdmin(request);
  const keys = await workspaces.listApiKeys(request.context.db, request.params.id!);
  return { status: 200, body: { data: keys.map(workspaces.apiKeyBody) } };
};

export const revokeApiKey: RestHandler = async (request) => {
  requireAdmin(request);
  const revoked = await workspaces.revokeApiKey(request.context.db, request.params.id!, request.params.prefix!);
  return { status: 200, body: { prefix: revoked.prefix, revoked_at: revoked.revokedAt.toISOString() } };
};

/** `{"rate_limit_per_minute": 1200 | 0 | null}`: one key's budget (0: unlimited, null: RATE_LIMIT_PER_MINUTE). */
export const setRateLimit: RestHandler = async (request) => {
  requireAdmin(request);
  const result = await setApiKeyRateLimit(
    request.context.sql,
    request.params.id!,
    request.params.prefix!,
    keysToCamel(await request.json()),
  );
  return { status: 200, body: { prefix: result.prefix, rate_limit_per_minute: result.rateLimitPerMinute } };
};
