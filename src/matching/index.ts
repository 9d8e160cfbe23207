// Public API of the matching engine (pure: no database, no HTTP). See docs/matching-engine.md.
export type {
  Strategy,
  FuzzyAlgorithm,
  FieldMapping,
  BlockingTransform,
  BlockingKeyPart,
  BlockingKey,
  BlockingConfig,
  MatchConfig,
  FellegiSunterModel,
  ModelField,
  DecidedPair,
  EngineRow,
  FieldEvidence,
  Candidate,
  RowMatch,
  SliceStats,
  SliceResult,
  BlockingStats,
} from './types';
export { TOP_CANDIDATES } from './types';
export { buildReferenceIndex, ReferenceIndex, type BuildOptions } from './index-build';
export type { ReferenceIndexData } from './index-data';
export {
  matchSlice,
  matchSliceCompact,
  expandSliceResult,
  fieldScoresAgainst,
  roundConfidence,
  sigmoid,
  logit,
  levelOf,
  scoreLogBayesFactor,
  type CompactSliceResult,
} from './match';
export { LiveReferenceIndex, type LiveMatchOptions, type RowChange } from './live-index';
export { CodePoolBuilder, poolBytes, poolString, type CodePool } from './pool';
export { resolveOneToOne, type Assignment } from './assign';
export { decidedOutcomes } from './decisions';
export { blockingStats } from './stats';
export { defaultBlockingKeys, DEFAULT_MAX_POSTINGS } from './blocking';
export { normaliseText, normaliseDate, normaliseNumber, isoDay } from './normalise';
export * from './comparators/index';
export {
  MatchWorkerPool,
  matchParallel,
  matchParallelCompact,
  mergeSliceResults,
  mergeCompactResults,
  type ParallelOptions,
} from './parallel';
