import type { App } from '../../context';
import { apiKeyBody, createApiKey, createWorkspace, listApiKeys, listWorkspaces, revokeApiKey, workspaceBody } from '../../modules/workspaces/service';
import { requireAdminToken } from '../admin-token';
import type { RestRequest, Router } from './router';

/** Provisioning, guarded by ADMIN_TOKEN (not by an API key: there is no workspace yet). */
export function registerAdminRoutes(router: Router, app: App): void {
  const requireAdmin = (request: RestRequest) => requireAdminToken(app.settings.ADMIN_TOKEN, request.raw.headers);

  router.add(
    'POST',
    '/v1/admin/workspaces',
    async (request) => {
      requireAdmin(request);
      const { workspace, apiKey, prefix, scopes } = await createWorkspace(app.db, await request.json());
      return {
        status: 201,
        body: { workspace: { id: workspace.id, name: workspace.name, created_at: workspace.createdAt.toISOString() }, api_key: apiKey, prefix, scopes },
      };
    },
    { public: true },
  );

  router.add(
    'GET',
    '/v1/admin/workspaces',
    async (request) => {
      requireAdmin(request);
      return { status: 200, body: { data: (await listWorkspaces(app.db)).map(workspaceBody) } };
    },
    { public: true },
  );

  router.add(
    'POST',
    '/v1/admin/workspaces/:id/api-keys',
    async (request) => {
      requireAdmin(request);
      const { apiKey, prefix, scopes } = await createApiKey(app.db, request.params.id!, await request.json());
      return { status: 201, body: { api_key: apiKey, prefix, scopes } };
    },
    { public: true },
  );

  router.add(
    'GET',
    '/v1/admin/workspaces/:id/api-keys',
    async (request) => {
      requireAdmin(request);
      const keys = await listApiKeys(app.db, request.params.id!);
      return {
        status: 200,
        body: {
          data: keys.map(apiKeyBody),
        },
      };
    },
    { public: true },
  );

  router.add(
    'DELETE',
    '/v1/admin/workspaces/:id/api-keys/:prefix',
    async (request) => {
      requireAdmin(request);
      const revoked = await revokeApiKey(app.db, request.params.id!, request.params.prefix!);
      return { status: 200, body: { prefix: revoked.prefix, revoked_at: revoked.revokedAt.toISOString() } };
    },
    { public: true },
  );
}
