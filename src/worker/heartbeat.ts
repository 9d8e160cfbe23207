import type { App } from '../context';

/**
 * Every process records itself (hostname:pid and its graphile-worker ids) in worker_processes and refreshes the row
 * every WORKER_STALE_SECONDS / 4. Each beat also looks for processes that stopped beating for WORKER_STALE_SECONDS
 * (killed, machine lost): their rows are removed and their jobs unlocked, so graphile-worker runs them again at
 * once (chunk writes are idempotent) instead of after its 4-hour lock timeout. A beat that fails (Postgres away) is
 * logged and the next one tries again.
 */
export function startHeartbeat(app: App, processId: string, graphileWorkerIds: ReadonlySet<string>): { stop(): Promise<void> } {
  const staleSeconds = app.settings.WORKER_STALE_SECONDS;
  const beat = async () => {
    const ids = [...graphileWorkerIds];
    await app.sql`
      insert into worker_processes (id, graphile_worker_ids) values (${processId}, ${ids})
      on conflict (id) do update set graphile_worker_ids = excluded.graphile_worker_ids, seen_at = now()`;
    const dead = await app.sql<{ id: string; graphile_worker_ids: string[] }[]>`
      delete from worker_processes
      where id <> ${processId} and seen_at < now() - ${staleSeconds} * interval '1 second'
      returning id, graphile_worker_ids`;
    const orphaned = dead.flatMap((row) => row.graphile_worker_ids);
    if (orphaned.length) {
      await app.sql`select graphile_worker.force_unlock_workers(${orphaned}::text[])`;
      app.logger.warn({ processes: dead.map((row) => row.id) }, 'unlocked the jobs of worker processes that stopped beating');
    }
  };
  let running = Promise.resolve();
  const tick = () => {
    running = running.then(beat).catch((error: unknown) => app.logger.warn({ err: error }, 'worker heartbeat failed'));
  };
  tick();
  const timer = setInterval(tick, Math.max(250, (staleSeconds * 1000) / 4));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await app.sql`delete from worker_processes where id = ${processId}`.catch(() => {});
    },
  };
}
