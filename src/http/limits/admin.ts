import type { App } from '../../context';
import { setApiKeyRateLimit } from '../../modules/limits/service';
import { requireAdminToken } from '../admin-token';
import { keysToCamel } from '../../modules/key-case';
import type { Router } from '../rest/router';

/**
 * `PUT /v1/admin/workspaces/:id/api-keys/:prefix/rate-limit` with `{"rate_limit_per_minute": 1200 | 0 | null}`:
 * one key's budget, guarded by ADMIN_TOKEN like the other admin routes.
 */
export function registerLimitAdminRoutes(router: Router, app: App): void {
  router.add(
    'PUT',
    '/v1/admin/workspaces/:id/api-keys/:prefix/rate-limit',
    async (request) => {
      requireAdminToken(app.settings.ADMIN_TOKEN, request.raw.headers);
      const result = await setApiKeyRateLimit(app.sql, request.params.id!, request.params.prefix!, keysToCamel(await request.json()));
      return { status: 200, body: { prefix: result.prefix, rate_limit_per_minute: result.rateLimitPerMinute } };
    },
    { public: true },
  );
}
