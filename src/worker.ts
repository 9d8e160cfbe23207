import type { App } from './context';

export interface RunningWorker {
  stop(): Promise<void>;
}

/**
 * The job worker. Runs are not implemented yet (their issue adds the graphile-worker runner and its tasks), so for
 * now this only reports that it has nothing to do.
 */
export async function startWorker(app: App): Promise<RunningWorker> {
  app.logger.debug('worker: no tasks registered yet');
  return { stop: async () => {} };
}
