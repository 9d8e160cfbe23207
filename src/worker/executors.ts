import type { JobHelpers, Task, TaskList } from 'graphile-worker';
import type { App } from '../context';
import { completeRun, failRun, planRun, RunFailure, runChunk, type ExecutionContext } from '../modules/runs/execute';
import { runReviewPass } from '../modules/runs/review-pass';
import { scheduleTick } from '../modules/runs/schedule';
import { deliverWebhook } from '../modules/webhooks/jobs';
import { parsePayload, type TaskIdentifier } from './tasks';

/** How a run's failure message names the step that failed. */
const FAILED_STEP: Partial<Record<TaskIdentifier, string>> = {
  run_plan: 'Planning',
  run_chunk: 'Matching',
  run_review_pass: 'The review pass',
};

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
    const step = FAILED_STEP[helpers.job.task_identifier as TaskIdentifier] ?? 'Matching';
    await failRun(app, runId, `${step} failed: ${messageOf(error)}`);
  }
}

/** The executor of every task of tasks.ts, each checking its payload first (graphile-worker hands it over as unknown). */
export function taskList(app: App, execution: ExecutionContext): TaskList {
  const executors: Record<TaskIdentifier, Task> = {
    run_plan: async (payload, helpers) => {
      const { runId } = parsePayload('run_plan', payload);
      await guarded(app, runId, helpers, () => planRun(execution, runId));
    },
    run_chunk: async (payload, helpers) => {
      const { runId, chunkIndex } = parsePayload('run_chunk', payload);
      await guarded(app, runId, helpers, () => runChunk(execution, runId, chunkIndex));
    },
    run_review_pass: async (payload, helpers) => {
      const { runId } = parsePayload('run_review_pass', payload);
      await guarded(app, runId, helpers, () => runReviewPass(app, runId, (id) => completeRun(app, id)));
    },
    webhook_delivery: async (payload, helpers) => {
      const { deliveryId } = parsePayload('webhook_delivery', payload);
      await deliverWebhook(app, deliveryId, helpers.job.attempts, helpers.job.max_attempts);
    },
    schedule_tick: async (payload) => {
      const { _cron } = parsePayload('schedule_tick', payload);
      const started = await scheduleTick(app, new Date(_cron.ts));
      if (started.length) app.logger.info({ runs: started }, 'scheduled runs started');
    },
  };
  return executors;
}
