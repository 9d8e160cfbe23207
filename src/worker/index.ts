import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger as WorkerLogger, parseCronItems, run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import type { App } from '../context';
import { reconnectDelay } from '../db/client';
import { createExecutionContext } from '../modules/runs/execute';
import { taskList } from './executors';
import { handBackJobs } from './handback';
import { startHeartbeat } from './heartbeat';
import { CRONTAB, type TaskIdentifier } from './tasks';

export interface RunningWorker {
  /** `hostname:pid`, recorded on every chunk this process takes. */
  workerId: string;
  /**
   * Stops taking jobs and lets running ones finish for `graceMs` (default: settings.SHUTDOWN_GRACE_MS); jobs still
   * running then are handed back (see handBackJobs) and the returned promise resolves without waiting for them: the
   * caller is expected to exit the process. Resolves with the number of jobs handed back.
   */
  stop(options?: { graceMs?: number }): Promise<{ handedBack: number }>;
}

export interface WorkerOptions {
  /** The Postgres to work on; default: settings.DATABASE_URL. */
  databaseUrl?: string;
  workerId?: string;
  /** Fire the once-a-minute schedule tick (default true). */
  schedules?: boolean;
}

/** The jobs a runner of this process takes: webhook deliveries get a runner (and job slots) of their own. */
const DELIVERY_TASKS: ReadonlySet<string> = new Set<TaskIdentifier>(['webhook_delivery']);

interface RunnerSpec {
  name: string;
  tasks: TaskList;
  concurrency: number;
  parsedCronItems: ReturnType<typeof parseCronItems>;
}

/**
 * Concord's graphile-worker runners, on one pg.Pool of their own (with an error handler, ended after the runners
 * stop, so a Postgres shutdown cannot crash the process): one for runs (plan, chunks, review pass, schedule tick)
 * with WORKER_CONCURRENCY slots, and one for webhook deliveries with WEBHOOK_CONCURRENCY slots, so a slow endpoint
 * (up to 10 s an attempt) never holds a slot a run chunk is waiting for. graphile-worker only fetches jobs whose
 * task is in the runner's task list. Each runner is supervised: graphile-worker keeps polling through a lost
 * database, but a job it cannot mark complete or failed (Postgres away at that moment) shuts its pool down; the
 * supervisor then hands that runner's jobs back and starts a new runner, with exponential backoff until Postgres
 * answers again.
 */
export async function startWorker(app: App, options: WorkerOptions = {}): Promise<RunningWorker> {
  const connectionString = options.databaseUrl ?? app.settings.DATABASE_URL;
  if (!connectionString) throw new Error('startWorker needs a database URL');
  const execution = createExecutionContext(app, options.workerId, connectionString);
  const { WORKER_CONCURRENCY, WEBHOOK_CONCURRENCY } = app.settings;
  const pool = new pg.Pool({ connectionString, max: WORKER_CONCURRENCY + WEBHOOK_CONCURRENCY + 6, application_name: 'concord-worker' });
  pool.on('error', (error) => app.logger.warn({ err: error }, 'worker pool: idle connection error'));
  pool.on('connect', (client) => client.on('error', (error) => app.logger.warn({ err: error }, 'worker pool: connection error')));
  const tasks = taskList(app, execution);
  const pick = (keep: (name: string) => boolean): TaskList => Object.fromEntries(Object.entries(tasks).filter(([name]) => keep(name)));
  const specs: RunnerSpec[] = [
    {
      name: 'runs',
      tasks: pick((name) => !DELIVERY_TASKS.has(name)),
      concurrency: WORKER_CONCURRENCY,
      parsedCronItems: options.schedules === false ? [] : parseCronItems(CRONTAB),
    },
    { name: 'webhooks', tasks: pick((name) => DELIVERY_TASKS.has(name)), concurrency: WEBHOOK_CONCURRENCY, parsedCronItems: [] },
  ];
  // graphile-worker's worker ids of this process, for the heartbeat and hand-backs: jobs are locked by a worker's id
  // or (when fetched for the pool) by the pool's id.
  const allIds = new Set<string>();
  const runners: SupervisedRunner[] = [];
  try {
    for (const spec of specs) runners.push(await superviseRunner(app, pool, spec, allIds, execution.workerId));
  } catch (error) {
    for (const runner of runners) await runner.stop().catch(() => {});
    await pool.end().catch(() => {});
    throw error;
  }
  const heartbeat = startHeartbeat(app, execution.workerId, allIds);
  app.logger.info(
    { workerId: execution.workerId, concurrency: WORKER_CONCURRENCY, webhookConcurrency: WEBHOOK_CONCURRENCY },
    'worker started',
  );
  let stopped: Promise<{ handedBack: number }> | undefined;
  return {
    workerId: execution.workerId,
    stop(stopOptions = {}) {
      stopped ??= (async () => {
        const graceMs = stopOptions.graceMs ?? app.settings.SHUTDOWN_GRACE_MS;
        // Each runner stops fetching jobs at once; stop() resolves when its running jobs are done.
        const graceful = Promise.all(runners.map((runner) => runner.stop())).then(() => true);
        let timer: NodeJS.Timeout | undefined;
        const graceOver = new Promise<false>((resolve) => {
          timer = setTimeout(resolve, graceMs, false);
        });
        const finished = await Promise.race([graceful, graceOver]);
        clearTimeout(timer);
        let handedBack = 0;
        if (!finished) {
          handedBack = await handBackJobs(app.sql, [...allIds]).catch((error: unknown) => {
            app.logger.warn({ err: error }, 'could not hand back the running jobs; the heartbeat of another worker will');
            return 0;
          });
          app.logger.info({ jobs: handedBack }, 'handed back the running jobs');
        }
        await heartbeat.stop();
        execution.close();
        // With jobs still running the pool cannot drain: do not wait for it (the process is about to exit).
        if (finished) await pool.end().catch(() => {});
        else void pool.end().catch(() => {});
        return { handedBack };
      })();
      return stopped;
    },
  };
}

interface SupervisedRunner {
  /** Stops fetching jobs; resolves when the running ones are done and the supervisor has ended. */
  stop(): Promise<void>;
}

/** One graphile-worker runner, restarted (after handing its jobs back) whenever it stops without being asked. */
async function superviseRunner(
  app: App,
  pool: pg.Pool,
  spec: RunnerSpec,
  allIds: Set<string>,
  workerId: string,
): Promise<SupervisedRunner> {
  const logger = new WorkerLogger((scope) => (level, message, meta) => {
    const log = app.logger.child({ component: 'graphile-worker', runner: spec.name, ...scope });
    if (level === 'error') log.error(meta ?? {}, message);
    else if (level === 'warning') log.warn(meta ?? {}, message);
    else log.debug(meta ?? {}, message);
  });
  let runnerIds = new Set<string>();
  const events = new EventEmitter() as WorkerEvents;
  const record = (id: string) => {
    allIds.add(id);
    runnerIds.add(id);
  };
  events.on('pool:create', ({ workerPool }) => record(workerPool.id));
  events.on('worker:create', ({ worker }) => record(worker.workerId));
  const startRunner = (): Promise<Runner> => {
    runnerIds = new Set();
    return run({
      pgPool: pool,
      events,
      taskList: spec.tasks,
      concurrency: spec.concurrency,
      noHandleSignals: true,
      pollInterval: 1000,
      logger,
      parsedCronItems: spec.parsedCronItems,
      preset: {
        worker: {
          // Batched completion (no delay): a job that cannot be marked complete/failed shuts the pool down (which the
          // supervisor below restarts) instead of an unhandled promise rejection that would crash the process.
          completeJobBatchDelay: 0,
          failJobBatchDelay: 0,
          // Our own stop() hands jobs back at SHUTDOWN_GRACE_MS, before graphile-worker would fail them with a delay.
          gracefulShutdownAbortTimeout: 60_000,
        },
      },
    });
  };
  let runner = await startRunner();
  let stopping = false;
  const supervised = (async () => {
    for (let failures = 0; !stopping; ) {
      await runner.promise.catch((error: unknown) => app.logger.warn({ err: error, runner: spec.name }, 'worker runner failed'));
      if (stopping) return;
      const orphaned = [...runnerIds];
      app.logger.warn({ workerId, runner: spec.name }, 'worker runner stopped unexpectedly; restarting it');
      for (;;) {
        await sleep(reconnectDelay(failures++) * 1000);
        if (stopping) return;
        try {
          const released = await handBackJobs(app.sql, orphaned);
          if (released) app.logger.info({ jobs: released, runner: spec.name }, 'handed back the jobs of the stopped runner');
          runner = await startRunner();
          failures = 0;
          if (stopping) {
            await runner.stop().catch(() => {});
            return;
          }
          app.logger.info({ workerId, runner: spec.name }, 'worker runner restarted');
          break;
        } catch (error) {
          app.logger.warn({ err: error, failures, runner: spec.name }, 'worker runner restart failed; retrying');
        }
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      await runner.stop().catch((error: unknown) => app.logger.warn({ err: error, runner: spec.name }, 'worker stop failed'));
      // The supervisor ends once the runner's promise settles, which it does not while jobs still run.
      await supervised;
    },
  };
}
