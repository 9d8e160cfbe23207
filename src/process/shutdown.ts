import type { Logger } from '../logger';

export interface ShutdownOptions {
  /**
   * Hard limit: when the steps have not finished this long after the signal, the process exits with code 1 anyway
   * (orchestrators usually SIGKILL at 10 s; better to exit on our own terms). Default 9500 ms.
   */
  deadlineMs?: number;
  /** Written to stdout once every step is done, before exiting with code 0. */
  farewell?: string;
}

/**
 * On the first SIGTERM or SIGINT, runs the steps in order (a failing step is logged, the next still runs) and exits
 * with code 0; a second signal is ignored. Steps can be added while the process starts.
 */
export function handleShutdownSignals(logger: Logger, steps: Array<() => Promise<unknown>>, options: ShutdownOptions = {}): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ signal, ms: Date.now() - started }, 'shutdown took too long; exiting anyway');
      process.exit(1);
    }, options.deadlineMs ?? 9500).unref();
    for (const step of steps) await step().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
    logger.info({ ms: Date.now() - started }, 'shut down');
    if (options.farewell) process.stdout.write(`${options.farewell}\n`);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
