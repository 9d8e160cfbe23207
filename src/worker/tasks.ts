/**
 * Every graphile-worker task of Concord: its identifier and the zod schema of its payload, for the code that queues
 * jobs (the modules, through addJob/addJobs below) and for the executors that run them (./executors.ts).
 *
 * Identifiers read `<subject>_<work>`: what the job works on, then the piece of work it is (`run_chunk` is one chunk
 * of a run). They are stored with every queued job, so renaming one needs a migration that moves the queued jobs
 * to the new name (see drizzle/*_task_identifiers).
 *
 * This file imports no module of Concord: the modules import it to queue jobs, and the executors import both.
 */
import type { CronItem } from 'graphile-worker';
import type postgres from 'postgres';
import { z } from 'zod';

const runId = z.object({ runId: z.string().uuid() });

export const taskPayloads = {
  /** Counts a run's source rows, writes its chunks and queues one run_chunk per chunk (modules/runs/execute.ts). */
  run_plan: runId,
  /** Matches one chunk of a run and writes its results (modules/runs/execute.ts). */
  run_chunk: z.object({ runId: z.string().uuid(), chunkIndex: z.number().int().min(0) }),
  /** Rescores a smart run's review band (modules/runs/review-pass.ts). */
  run_review_pass: runId,
  /** One attempt at POSTing one webhook delivery (modules/webhooks/jobs.ts). */
  webhook_delivery: z.object({ deliveryId: z.string().uuid() }),
  /** Starts the scheduled runs of the minute (modules/runs/schedule.ts). Queued by the crontab below only. */
  schedule_tick: z.object({ _cron: z.object({ ts: z.string() }) }).passthrough(),
};

export type TaskIdentifier = keyof typeof taskPayloads;
export type TaskPayload<T extends TaskIdentifier> = z.infer<(typeof taskPayloads)[T]>;

/** The tasks Concord's code queues (schedule_tick comes from graphile-worker's crontab). */
export type QueuedTask = Exclude<TaskIdentifier, 'schedule_tick'>;

/**
 * graphile-worker's crontab: the schedule tick once a minute, exactly once across all worker processes, without
 * backfill (a minute missed while no worker ran is not made up). The cron identifier predates the task's name and
 * stays: graphile-worker records the last run of each cron identifier.
 */
export const CRONTAB: CronItem[] = [
  {
    task: 'schedule_tick' satisfies TaskIdentifier,
    match: '* * * * *',
    identifier: 'concord_schedule_tick',
    options: { backfillPeriod: 0 },
  },
];

/** A job's payload as its executor sees it; throws (failing the attempt) when the job carries anything else. */
export function parsePayload<T extends TaskIdentifier>(task: T, payload: unknown): TaskPayload<T> {
  return taskPayloads[task].parse(payload) as TaskPayload<T>;
}

export interface QueuedJob<T extends QueuedTask> {
  payload: TaskPayload<T>;
  /** graphile-worker's job key: a job queued again under the same key replaces the one still waiting. */
  jobKey?: string;
}

/**
 * Queues jobs of one task in the caller's transaction, in one statement: they exist exactly when the caller's
 * changes commit (a run and its plan job, a chunk list and its chunk jobs, a delivery row and its job). Payloads
 * are checked first, so a malformed one rolls the caller's transaction back instead of queuing a job that could
 * only fail.
 */
export async function addJobs<T extends QueuedTask>(
  tx: postgres.TransactionSql,
  task: T,
  jobs: ReadonlyArray<QueuedJob<T>>,
  options: { maxAttempts: number },
): Promise<void> {
  if (jobs.length === 0) return;
  const specs = jobs.map((job) => ({ payload: parsePayload(task, job.payload), job_key: job.jobKey ?? null }));
  await tx`
    select graphile_worker.add_job(${task}, job.payload, max_attempts := ${options.maxAttempts}::int, job_key := job.job_key)
    from json_to_recordset(${tx.json(specs as never)}::json) as job(payload json, job_key text)`;
}

/** One job of `task` (see addJobs). */
export async function addJob<T extends QueuedTask>(
  tx: postgres.TransactionSql,
  task: T,
  payload: TaskPayload<T>,
  options: { maxAttempts: number; jobKey?: string },
): Promise<void> {
  await addJobs(tx, task, [{ payload, ...(options.jobKey === undefined ? {} : { jobKey: options.jobKey }) }], {
    maxAttempts: options.maxAttempts,
  });
}
