import { EventEmitter } from 'node:events';
import { Logger as WorkerLogger, parseCronItems, run, type JobHelpers, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import { z } from 'zod';
import type { App } from './context';
import { createExecutionContext, failRun, planRun, RunFailure, runChunk, type ExecutionContext } from './modules/runs/execute';
import { scheduleTick } from './modules/runs/schedule';

export interface RunningWorker {
  /** `hostname:pid`, recorded on every chunk this process takes. */
  workerId: string;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** The Postgres to work on; default: settings.DATABASE_URL. */
  databaseUrl?: string;
  workerId?: string;
  /** Fire the once-a-minute schedule tick (default true). */
  schedules?: boolean;
}

const planPayload = z.object({ runId: z.string().uuid() });
const chunkPayload = z.object({ runId: z.string().uuid(), chunkIndex: z.number().int().min(0) });
const tickPayload = z.object({ _cron: z.object({ ts: z.string() }) }).passthrough();

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A failure of the last attempt (or a RunFailure) fails the run with the error and ends the job; earlier attempts
 * rethrow so graphile-worker retries the job (chunk writes are idempotent).
 */
async function guarded(app: App, runId: string, helpers: JobHelpers, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const final = error instanceof RunFailure || helpers.job.attempts >= helpers.job.max_attempts;
    app.logger.warn({ runId, err: error, attempt: helpers.job.attempts, final }, `${helpers.job.task_identifier} failed`);
    if (!final) throw error;
    await failRun(app, runId, `${helpers.job.task_identifier === 'run_plan' ? 'Planning' : 'Matching'} failed: ${messageOf(error)}`);
  }
}

export function taskList(app: App, execution: ExecutionContext): TaskList {
  return {
    run_plan: async (payload, helpers) => {
      const { runId } = planPayload.parse(payload);
      await guarded(app, runId, helpers, () => planRun(execution, runId));
    },
    run_chunk: async (payload, helpers) => {
      const { runId, chunkIndex } = chunkPayload.parse(payload);
      await guarded(app, runId, helpers, () => runChunk(execution, runId, chunkIndex));
    },
    deliver_webhook: async (payload, helpers) => (await import('./modules/webhooks/jobs')).deliverWebhookTask(app, payload, helpers),
    runs_schedule_tick: async (payload) => {
      const { _cron } = tickPayload.parse(payload);
      const started = await scheduleTick(app, new Date(_cron.ts));
      if (started.length) app.logger.info({ runs: started }, 'scheduled runs started');
    },
  };
}

/**
 * The graphile-worker runner with Concord's tasks, on its own pg.Pool (with an error handler, ended after the
 * runner stops, so a Postgres shutdown cannot crash the process).
 */
export async function startWorker(app: App, options: WorkerOptions = {}): Promise<RunningWorker> {
  const connectionString = options.databaseUrl ?? app.settings.DATABASE_URL;
  if (!connectionString) throw new Error('startWorker needs a database URL');
  const execution = createExecutionContext(app, options.workerId, connectionString);
  const pool = new pg.Pool({ connectionString, max: app.settings.WORKER_CONCURRENCY + 4, application_name: 'concord-worker' });
  pool.on('error', (error) => app.logger.warn({ err: error }, 'worker pool: idle connection error'));
  pool.on('connect', (client) => client.on('error', (error) => app.logger.warn({ err: error }, 'worker pool: connection error')));
  const logger = new WorkerLogger((scope) => (level, message, meta) => {
    const log = app.logger.child({ component: 'graphile-worker', ...scope });
    if (level === 'error') log.error(meta ?? {}, message);
    else if (level === 'warning') log.warn(meta ?? {}, message);
    else log.debug(meta ?? {}, message);
  });
  // graphile-worker's worker ids of this process, for the heartbeat (see below).
  const events = new EventEmitter() as WorkerEvents;
  const graphileWorkerIds = new Set<string>();
  // Jobs are locked by a worker's id or (when fetched for the pool) by the pool's id: record both.
  events.on('pool:create', ({ workerPool }) => graphileWorkerIds.add(workerPool.id));
  events.on('worker:create', ({ worker }) => graphileWorkerIds.add(worker.workerId));
  let runner: Runner;
  try {
    runner = await run({
      pgPool: pool,
      events,
      taskList: taskList(app, execution),
      concurrency: app.settings.WORKER_CONCURRENCY,
      noHandleSignals: true,
      pollInterval: 1000,
      logger,
      parsedCronItems:
        options.schedules === false
          ? []
          : parseCronItems([{ task: 'runs_schedule_tick', match: '* * * * *', identifier: 'concord_schedule_tick', options: { backfillPeriod: 0 } }]),
    });
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  const heartbeat = startHeartbeat(app, execution.workerId, graphileWorkerIds);
  app.logger.info({ workerId: execution.workerId, concurrency: app.settings.WORKER_CONCURRENCY }, 'worker started');
  let stopping: Promise<void> | undefined;
  return {
    workerId: execution.workerId,
    stop() {
      stopping ??= (async () => {
        await runner.stop().catch((error: unknown) => app.logger.warn({ err: error }, 'worker stop failed'));
        await heartbeat.stop();
        execution.close();
        await pool.end().catch(() => {});
      })();
      return stopping;
    },
  };
}

/**
 * Every process records itself (hostname:pid and its graphile-worker ids) in worker_processes and refreshes the row
 * every WORKER_STALE_SECONDS / 4. Each beat also looks for processes that stopped beating for WORKER_STALE_SECONDS
 * (killed, machine lost): their rows are removed and their jobs unlocked, so graphile-worker runs them again at
 * once (chunk writes are idempotent) instead of after its 4-hour lock timeout.
 */
function startHeartbeat(app: App, processId: string, graphileWorkerIds: ReadonlySet<string>): { stop(): Promise<void> } {
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
