// The hand config through the ordinary engine: one index over all reference rows, one slice of all source rows.
import { buildReferenceIndex, matchSlice, type MatchConfig, type RowMatch } from '../../src/matching/index';
import type { Quality } from '../engine/quality';
import { scoreRows } from './score';
import type { QualityDataset } from './types';

export interface HandRun {
  rows: RowMatch[];
  quality: Quality;
  seconds: number;
}

export function runHandConfig(dataset: QualityDataset, handConfig: MatchConfig): HandRun {
  const start = performance.now();
  const index = buildReferenceIndex(dataset.reference.rows, handConfig);
  const { rows } = matchSlice(index, dataset.source.rows);
  return { rows, quality: scoreRows(rows, dataset), seconds: (performance.now() - start) / 1000 };
}
