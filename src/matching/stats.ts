import { blockingStatsFor } from './blocking';
import type { ReferenceIndex } from './index-build';
import type { BlockingStats, EngineRow } from './types';

/** Blocking statistics for a slice: candidate pairs, reduction ratio = 1 − pairs / (|source| · |reference|),
 *  rows without any candidate, stop-key hits. Runs only the blocking (no comparisons); slices add up. */
export function blockingStats(index: ReferenceIndex, sourceRows: EngineRow[]): BlockingStats {
  return blockingStatsFor(index.data.blocking, index.size, sourceRows);
}
