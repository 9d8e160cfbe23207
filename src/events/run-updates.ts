/**
 * The stream behind `runUpdated`: one run's state as it is when the subscription starts, then every newer state,
 * ending after a terminal state. After a reconnection of the LISTEN connection (NOTIFYs sent while it was down are
 * lost) the run is read again. States arrive in version order: an event older than what was sent is dropped.
 */
import { TERMINAL_STATUSES, type RunEventStream, type RunState } from './run-events';

/**
 * `current` must be read after `stream` was opened, so no change falls between the two. `reread()` gives the run's
 * state now (getRun in production). The iterator closes the stream when it ends.
 */
export async function* runUpdates(stream: RunEventStream, current: RunState, reread: () => Promise<RunState>): AsyncGenerator<RunState> {
  let latest = current;
  try {
    yield latest;
    if (TERMINAL_STATUSES.has(latest.status)) return;
    for await (const event of stream) {
      const run = event.kind === 'resync' ? await reread() : event.run;
      if (run.version <= latest.version) continue;
      latest = run;
      yield latest;
      if (TERMINAL_STATUSES.has(latest.status)) return;
    }
  } finally {
    stream.close();
  }
}
