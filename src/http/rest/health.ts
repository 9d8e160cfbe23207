import type { App } from '../../context';
import { ServiceUnavailableError } from '../../errors';
import type { Router } from './router';

export function registerHealthRoutes(router: Router, app: App): void {
  router.add('GET', '/healthz', async () => ({ status: 200, body: { status: 'ok' } }), { public: true });
  router.add(
    'GET',
    '/readyz',
    async () => {
      try {
        await app.sql`select 1`;
      } catch {
        throw new ServiceUnavailableError('The database is not reachable.');
      }
      return { status: 200, body: { status: 'ready', database: 'ok' } };
    },
    { public: true },
  );
}
