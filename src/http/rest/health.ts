import type { App } from '../../context';
import { ServiceUnavailableError } from '../../errors';
import type { Router } from './router';

export function registerHealthRoutes(router: Router, app: App): void {
  router.add('GET', '/healthz', async () => ({ status: 200, body: { status: 'ok' } }), { public: true });
  router.add(
    'GET',
    '/readyz',
    async () => {
      // Not ready while Postgres is down or restarting (queries fail fast then: connection refused); a database that
      // hangs counts as down after 2 s rather than holding the probe.
      try {
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref());
        await Promise.race([app.sql`select 1`, timeout]);
      } catch {
        throw new ServiceUnavailableError('The database is not reachable.');
      }
      return { status: 200, body: { status: 'ready', database: 'ok' } };
    },
    { public: true },
  );
}
