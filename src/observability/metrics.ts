import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { App } from '../context';
import { RUN_STATUSES } from '../modules/runs/service';
import type { TaskIdentifier } from '../worker/tasks';

/**
 * Prometheus metrics of one server process (`GET /metrics`).
 *
 * HTTP latency is observed in-process. What lives in Postgres is read at scrape time, one query each: runs by
 * status, jobs waiting in graphile-worker's queue, and the chunks completed since the previous scrape (their
 * durations feed the chunk histogram, their rows the rows-processed counter), so the numbers cover every worker
 * process, wherever it runs. Each server process counts every chunk: aggregate chunk/row series across server
 * instances with max(), not sum().
 */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

const perApp = new WeakMap<App, Metrics>();

/** The metrics of an app, created on first use (one registry per app: test servers in one process stay apart). */
export function metricsFor(app: App): Metrics {
  const existing = perApp.get(app);
  if (existing) return existing;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'concord_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  new Gauge({
    name: 'concord_runs',
    help: 'Matching runs by status (all workspaces), read from Postgres at scrape time.',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const rows = await app.sql<{ status: string; count: string }[]>`select status, count(*)::text as count from runs group by status`;
      this.reset();
      for (const status of RUN_STATUSES) this.set({ status }, 0);
      for (const row of rows) this.set({ status: row.status }, Number(row.count));
    },
  });

  new Gauge({
    name: 'concord_queue_jobs_waiting',
    help: 'graphile-worker jobs waiting to run (not locked, attempts left, run_at reached), by task.',
    labelNames: ['task'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const task of ['run_plan', 'run_chunk'] satisfies TaskIdentifier[]) this.set({ task }, 0);
      try {
        const rows = await app.sql<{ task: string; count: string }[]>`
          select t.identifier as task, count(*)::text as count
          from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
          where j.is_available and j.run_at <= now()
          group by t.identifier`;
        for (const row of rows) this.set({ task: row.task }, Number(row.count));
      } catch (error) {
        app.logger.warn({ err: error }, 'metrics: cannot read the job queue');
      }
    },
  });

  // One read per scrape, triggered by the first of the three chunk series to be collected.
  let pending: Promise<void> | null = null;
  const collectChunks = () => {
    pending ??= readChunks()
      .catch((error: unknown) => app.logger.warn({ err: error }, 'metrics: cannot read run chunks'))
      .finally(() => setTimeout(() => (pending = null), 0));
    return pending;
  };
  const chunkDuration = new Histogram({
    name: 'concord_chunk_duration_seconds',
    help: 'Duration of completed run chunks (started_at to completed_at), observed when first scraped.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
    collect: collectChunks,
  });
  const rowsProcessed = new Counter({
    name: 'concord_rows_processed_total',
    help: 'Source rows processed by completed run chunks.',
    registers: [registry],
    collect: collectChunks,
  });
  const chunksCompleted = new Counter({
    name: 'concord_chunks_completed_total',
    help: 'Run chunks completed.',
    registers: [registry],
    collect: collectChunks,
  });
  // The chunks completed after this mark (completed_at, id) are not counted yet.
  let mark: { at: string; id: string } | null = null;
  const readChunks = async () => {
    const rows = await app.sql<{ id: string; at: string; seconds: number | null; rows: number | null }[]>`
      select id, completed_at::text as at, extract(epoch from completed_at - started_at)::float8 as seconds, rows_processed as rows
      from run_chunks
      where status = 'done' and completed_at is not null
        ${mark ? app.sql`and (completed_at, id) > (${mark.at}::timestamptz, ${mark.id}::uuid)` : app.sql``}
      order by completed_at, id
      limit 10000`;
    for (const row of rows) {
      if (row.seconds !== null && row.seconds >= 0) chunkDuration.observe(row.seconds);
      chunksCompleted.inc();
      if (row.rows) rowsProcessed.inc(row.rows);
    }
    const last = rows[rows.length - 1];
    if (last) mark = { at: last.at, id: last.id };
  };

  const metrics: Metrics = { registry, httpDuration };
  perApp.set(app, metrics);
  return metrics;
}

export function observeHttpRequest(app: App, method: string, route: string, status: number, seconds: number): void {
  metricsFor(app).httpDuration.observe({ method, route, status: String(status) }, seconds);
}
