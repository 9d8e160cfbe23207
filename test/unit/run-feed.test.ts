import { describe, expect, it } from 'vitest';
import { runFeed } from '../../src/events/run-feed';
import type { RunState } from '../../src/events/run-events';
import { state, streamOf } from '../support/run-states';

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
