// A smart run as the service performs it: generate a strategy from samples of both tables, match every source row
// with strategy.match through the ordinary engine, send the review band through the review resolver, then
// (when the plan asks for it) resolve one-to-one over all rows.
import { buildReferenceIndex, matchSlice, resolveOneToOne, type ReferenceIndex, type RowMatch } from '../../src/matching/index';
import { generateStrategy, resolveReviewBand, type GeneratedStrategy, type LabelledPair } from '../../src/matching/smart/index';
import type { Quality } from '../engine/quality';
import { SAMPLE_LIMITS, sampleTable } from './sample';
import { scoreRows, truthSets } from './score';
import type { QualityDataset } from './types';

export interface SmartRun {
  strategy: GeneratedStrategy;
  rows: RowMatch[];
  quality: Quality;
  /** the same run before the review band went through the resolver (shows what the resolver adds) */
  qualityBeforeReview: Quality;
  generationSeconds: number;
  matchSeconds: number;
  /** rows whose confidence fell in the review band and went through the resolver */
  reviewedRows: number;
  /** share of true pairs among the candidate pairs of the strategy's blocking */
  blockingRecall: number;
  sampleSizes: { reference: number; source: number };
}

export function runSmart(dataset: QualityDataset, labels?: LabelledPair[]): SmartRun {
  const reference = sampleTable(dataset.reference, SAMPLE_LIMITS.reference);
  const source = sampleTable(dataset.source, SAMPLE_LIMITS.source);
  const generationStart = performance.now();
  const strategy = generateStrategy({ reference, source, ...(labels ? { labels } : {}) });
  const generationSeconds = (performance.now() - generationStart) / 1000;
  return {
    ...runStrategy(dataset, strategy),
    generationSeconds,
    sampleSizes: { reference: reference.rows.length, source: source.rows.length },
  };
}

/** A smart run of a strategy already generated: the engine, the review band through the resolver, one-to-one. */
export function runStrategy(dataset: QualityDataset, strategy: GeneratedStrategy): Omit<SmartRun, 'generationSeconds' | 'sampleSizes'> {
  const matchStart = performance.now();
  const index = buildReferenceIndex(dataset.reference.rows, strategy.match);
  const { rows } = matchSlice(index, dataset.source.rows);
  const qualityBeforeReview = scoreRows(rows, dataset);
  const reviewedRows = resolveReviewBand(strategy.match, strategy.reviewBand, rows, dataset.reference.rows, dataset.source.rows);
  if (strategy.match.oneToOne) applyOneToOne(rows, strategy.match.threshold);
  const matchSeconds = (performance.now() - matchStart) / 1000;
  return {
    strategy,
    rows,
    quality: scoreRows(rows, dataset),
    qualityBeforeReview,
    matchSeconds,
    reviewedRows,
    blockingRecall: blockingRecall(index, dataset),
  };
}

function blockingRecall(index: ReferenceIndex, dataset: QualityDataset): number {
  const rowOf = new Map<string, number>();
  for (let i = 0; i < index.size; i++) rowOf.set(index.referenceId(i), i);
  const collector = index.candidateCollector();
  const truth = truthSets(dataset);
  let found = 0;
  let pairs = 0;
  for (const row of dataset.source.rows) {
    const targets = truth.get(row.id);
    if (targets === undefined || targets.size === 0) continue;
    pairs += targets.size;
    const n = collector.collect(row.values);
    const candidates = new Set<number>();
    for (let c = 0; c < n; c++) candidates.add(collector.candidates[c] as number);
    for (const t of targets) if (candidates.has(rowOf.get(t) ?? -1)) found++;
  }
  return pairs === 0 ? 1 : found / pairs;
}

function applyOneToOne(rows: RowMatch[], threshold: number): void {
  const assignments = resolveOneToOne(rows, threshold);
  for (const row of rows) row.referenceRowId = assignments.get(row.sourceRowId)?.referenceRowId ?? null;
}
