/** Run states and event streams for the unit tests of src/events (no database, no hub). */
import type { RunEvent, RunEventStream, RunState } from '../../src/events/run-events';

export function state(id: string, version: number, status: RunState['status'] = 'running'): RunState {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, version));
  return {
    id,
    workspaceId: 'w',
    matchingConfigId: 'c',
    strategyId: null,
    strategyVersion: null,
    referenceVersion: null,
    status,
    triggeredBy: 'manual',
    phase: 'matching',
    rowsTotal: 100,
    rowsProcessed: version * 10,
    rowsMatched: 0,
    avgConfidence: null,
    chunksTotal: 10,
    chunksDone: version,
    version,
    startedAt: at,
    completedAt: null,
    error: null,
    createdAt: at,
    updatedAt: at,
  };
}

export function streamOf(events: RunEvent[]): RunEventStream & { closed: boolean } {
  const queue = [...events];
  const stream = {
    closed: false,
    next: async () => (queue.length ? { value: queue.shift()!, done: false as const } : { value: undefined, done: true as const }),
    return: async () => ({ value: undefined, done: true as const }),
    close() {
      stream.closed = true;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream as RunEventStream & { closed: boolean };
}
