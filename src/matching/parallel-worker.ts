// Worker thread of MatchWorkerPool: wraps the shared index data once, then matches every slice it is sent.
import { parentPort, workerData } from 'node:worker_threads';
import { ReferenceIndex, type ReferenceIndexData } from './index-build';
import { matchSlice } from './match';
import type { EngineRow } from './types';

const index = ReferenceIndex.fromData((workerData as { index: ReferenceIndexData }).index);

parentPort?.on('message', (rows: EngineRow[]) => {
  parentPort?.postMessage(matchSlice(index, rows));
});
