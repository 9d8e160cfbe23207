import { describe, expect, it } from 'vitest';
import { runUpdates } from '../../src/events/run-updates';
import type { RunState } from '../../src/events/run-events';
import { state, streamOf } from '../support/run-states';

async function collect(updates: AsyncGenerator<RunState>): Promise<string[]> {
  const out: string[] = [];
  for await (const run of updates) out.push(`${run.id}@${run.version} ${run.status}`);
  return out;
}

describe('runUpdates (runUpdated)', () => {
  it('sends the current state, then newer ones in order, and ends after a terminal state', async () => {
    const stream = streamOf([
      { kind: 'progress', run: state('a', 1) }, // not newer than the current state
      { kind: 'progress', run: state('a', 2) },
      { kind: 'resync' },
      { kind: 'progress', run: state('a', 3) }, // already sent by the resync's re-read
      { kind: 'state', run: state('a', 5, 'completed') },
      { kind: 'state', run: state('a', 6, 'failed') }, // after the end
    ]);
    const updates = runUpdates(stream, state('a', 1), async () => state('a', 4));
    expect(await collect(updates)).toEqual(['a@1 running', 'a@2 running', 'a@4 running', 'a@5 completed']);
    expect(stream.closed).toBe(true);
  });

  it('ends at once on a run that has already ended', async () => {
    const stream = streamOf([{ kind: 'state', run: state('a', 4, 'cancelled') }]);
    expect(await collect(runUpdates(stream, state('a', 3, 'completed'), async () => state('a', 3, 'completed')))).toEqual([
      'a@3 completed',
    ]);
    expect(stream.closed).toBe(true);
  });
});
