import { describe, expect, it } from 'vitest';
import { runFeed } from '../../src/events/run-feed';
import type { RunEvent, RunEventStream, RunState } from '../../src/events/run-events';

function state(id: string, version: number, status: RunState['status'] = 'running'): RunState {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, version));
  return {
    id, workspaceId: 'w', matchingConfigId: 'c', strategyId: null, strategyVersion: null, referenceVersion: null, status, triggeredBy: 'manual', phase: 'matching',
    rowsTotal: 100, rowsProcessed: version * 10, rowsMatched: 0, avgConfidence: null, chunksTotal: 10, chunksDone: version,
    version, startedAt: at, completedAt: null, error: null, createdAt: at, updatedAt: at,
  };
}

function streamOf(events: RunEvent[]): RunEventStream & { closed: boolean } {
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

async function collect(feed: AsyncGenerator<RunState>): Promise<string[]> {
  const out: string[] = [];
  for await (const run of feed) out.push(`${run.id}@${run.version}`);
  return out;
}

describe('runFeed (runsUpdated)', () => {
  it('after a resync, sends the runs it missed, then skips events older than what it sent', async () => {
    const rereads: Date[] = [];
    const stream = streamOf([
      { kind: 'state', run: state('a', 1) },
      { kind: 'resync' },
      { kind: 'progress', run: state('a', 3) }, // already sent by the resync
      { kind: 'state', run: state('a', 4, 'completed') },
      { kind: 'progress', run: state('b', 2) }, // older than the resync's b@3
    ]);
    const feed = runFeed(stream, async (since) => {
      rereads.push(since);
      return [state('a', 3), state('b', 3)];
    });
    expect(await collect(feed)).toEqual(['a@1', 'a@3', 'b@3', 'a@4']);
    // Re-read from the later of the subscription's start and the last change seen, minus the margin (5 s by default).
    expect(rereads).toHaveLength(1);
    expect(Math.abs(rereads[0]!.getTime() - (Date.now() - 5000))).toBeLessThan(2000);
    expect(stream.closed).toBe(true);
  });

  it('never repeats a version, whichever way it arrives', async () => {
    const stream = streamOf([{ kind: 'state', run: state('a', 2) }, { kind: 'state', run: state('a', 2) }, { kind: 'resync' }]);
    const feed = runFeed(stream, async () => [state('a', 2)]);
    expect(await collect(feed)).toEqual(['a@2']);
  });
});
