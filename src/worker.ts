import { Logger as WorkerLogger, parseCronItems, run, type JobHelpers, type Runner, type TaskList } from 'graphile-worker';
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
  let runner: Runner;
  try {
    runner = await run({
      pgPool: pool,
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
  app.logger.info({ workerId: execution.workerId, concurrency: app.settings.WORKER_CONCURRENCY }, 'worker started');
  let stopping: Promise<void> | undefined;
  return {
    workerId: execution.workerId,
    stop() {
      stopping ??= (async () => {
        await runner.stop().catch((error: unknown) => app.logger.warn({ err: error }, 'worker stop failed'));
        execution.close();
        await pool.end().catch(() => {});
      })();
      return stopping;
    },
  };
}
