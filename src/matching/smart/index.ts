// Smart strategies: generation from the data (no labels needed) and the review-band resolver. See docs/matching-engine.md.
export { generateStrategy } from './generate';
export { createReviewResolver, ReviewStatistics } from './review';
export { resolveReviewBand } from './decided-confidences';
export { parsePrompt, UNDERSTOOD_INSTRUCTIONS, type PromptDirectives } from './prompt';
export {
  PromptNotUnderstoodError,
  type ColumnType,
  type ColumnInfo,
  type SampledTable,
  type LabelledPair,
  type GenerateStrategyInput,
  type MappingExplanation,
  type GeneratedStrategy,
  type ReviewResolver,
  type GenerateStrategy,
  type CreateReviewResolver,
} from './types';
