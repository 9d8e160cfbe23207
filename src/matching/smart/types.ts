// Contract of strategy generation (smart runs). Pure: no database, no HTTP. The service samples the datasets,
// calls generateStrategy, stores the result, and a smart run executes `match` with the ordinary engine; the
// review band goes through a ReviewResolver.

import type { EngineRow, MatchConfig, RowMatch } from '../types';

export type ColumnType = 'string' | 'number' | 'date' | 'boolean';

export interface ColumnInfo {
  name: string;
  type: ColumnType;
}

export interface SampledTable {
  columns: ColumnInfo[];
  /** A deterministic sample (the service passes at most a few thousand rows). */
  rows: EngineRow[];
  /** The upload's own id column (`id_column`): row identity, never compared. */
  idColumn?: string;
  /** Rows of the whole table when `rows` is a sample of it (scales the prior and the stop-key limit); default
   *  rows.length. */
  rowCount?: number;
}

/** A reviewed result: the values of the source row and of the reference row it was (or was not) matched to. */
export interface LabelledPair {
  source: Record<string, unknown>;
  reference: Record<string, unknown>;
  /** approved = true, rejected = false */
  match: boolean;
  /** The rows' ids, where they are dataset rows: the plan then keeps the decision (MatchConfig.decisions). */
  sourceRowId?: string;
  referenceRowId?: string;
  /** The review said more than `match: false` on the pair: the source row has no match at all (an approved result
   *  without a match). The plan keeps it as such. */
  rowHasNoMatch?: boolean;
}

export interface GenerateStrategyInput {
  reference: SampledTable;
  /** Absent: the source is assumed to have the reference's columns (mappings by identical names). */
  source?: SampledTable;
  userPrompt?: string;
  labels?: LabelledPair[];
}

/** What a generated strategy says about one mapping (shown to users; `rationale` is plain language with figures). */
export interface MappingExplanation {
  source: string;
  target: string;
  /** person_name, free_text, code, date, number, price, email, phone, … */
  kind: string;
  rationale: string;
  [detail: string]: unknown;
}

export interface GeneratedStrategy {
  /** What a smart run executes: mappings, blocking, threshold and (when fitted) the probabilistic model. */
  match: MatchConfig;
  reviewBand: { low: number; high: number };
  mappings: MappingExplanation[];
  /** Profiles and measurements generation rests on (JSON-serialisable). */
  details: Record<string, unknown>;
  labelsUsed: number;
}

/** Thrown for a user_prompt instruction generation does not understand; `message` says which and what is. */
export class PromptNotUnderstoodError extends Error {
  constructor(
    message: string,
    readonly instructions: string[],
  ) {
    super(message);
    this.name = 'PromptNotUnderstoodError';
  }
}

/** The costlier second pass over review-band rows (status ai_resolving). */
export interface ReviewResolver {
  /** Rescores one source row against the reference rows of its candidates; same shape as the engine's results. */
  resolve(source: EngineRow, candidates: EngineRow[]): RowMatch;
}

export type GenerateStrategy = (input: GenerateStrategyInput) => GeneratedStrategy;
/** Built once per run from the whole reference table (e.g. for the whole record's IDF) and the run's source rows
 *  (`source`: more documents of the word IDFs, ReviewStatistics.addSource). */
export type CreateReviewResolver = (match: MatchConfig, reference: Iterable<EngineRow>, source?: Iterable<EngineRow>) => ReviewResolver;
