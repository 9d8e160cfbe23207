// Worker thread of MatchWorkerPool. Messages: {index} (wrap shared index data; may come after start-up, so
// workers can boot while the index is still being built) and {rows} (match a slice with the current index).
import { parentPort, workerData } from 'node:worker_threads';
import { ReferenceIndex } from './index-build';
import type { ReferenceIndexData } from './index-data';
import { matchSliceCompact } from './match';
import type { EngineRow } from './types';

let index: ReferenceIndex | undefined;
const initial = (workerData as { index?: ReferenceIndexData } | null)?.index;
if (initial !== undefined) index = ReferenceIndex.fromData(initial);

parentPort?.on('message', (message: { index?: ReferenceIndexData; rows?: EngineRow[] }) => {
  if (message.index !== undefined) {
    index = ReferenceIndex.fromData(message.index);
    return;
  }
  if (index === undefined) throw new Error('match worker received rows before an index');
  // Results go back as compact typed arrays, transferred (not copied); the caller expands them if it needs objects.
  const result = matchSliceCompact(index, message.rows ?? []);
  parentPort?.postMessage(result, [
    result.topRows.buffer,
    result.topScores.buffer,
    result.topCount.buffer,
    result.fieldScores.buffer,
  ] as ArrayBuffer[]);
});
