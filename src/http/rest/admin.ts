import type { App } from '../../context';
import { UnauthorizedError } from '../../errors';
import { bearerToken } from '../../context';
import { secretsEqual } from '../../modules/workspaces/keys';
import { createApiKey, createWorkspace } from '../../modules/workspaces/service';
import type { RestRequest, Router } from './router';

/** Provisioning, guarded by ADMIN_TOKEN (not by an API key: there is no workspace yet). */
export function registerAdminRoutes(router: Router, app: App): void {
  const requireAdmin = (request: RestRequest) => {
    const token = bearerToken(request.raw.headers.authorization);
    const expected = app.settings.ADMIN_TOKEN;
    if (!expected || !token || !secretsEqual(token, expected)) throw new UnauthorizedError('Missing or invalid admin token.');
  };

  router.add(
    'POST',
    '/v1/admin/workspaces',
    async (request) => {
      requireAdmin(request);
      const { workspace, apiKey } = await createWorkspace(app.db, await request.json());
      return {
        status: 201,
        body: { workspace: { id: workspace.id, name: workspace.name, created_at: workspace.createdAt.toISOString() }, api_key: apiKey },
      };
    },
    { public: true },
  );

  router.add(
    'POST',
    '/v1/admin/workspaces/:id/api-keys',
    async (request) => {
      requireAdmin(request);
      const { apiKey, scopes } = await createApiKey(app.db, request.params.id!, await request.json());
      return { status: 201, body: { api_key: apiKey, scopes } };
    },
    { public: true },
  );
}
