// Public configuration and result types of the matching engine (camelCase; the REST layer maps snake_case onto these).

export type Strategy = 'exact' | 'fuzzy' | 'phonetic' | 'date_range' | 'numeric_range';
export type FuzzyAlgorithm =
  | 'jaro_winkler'
  | 'levenshtein'
  | 'damerau_levenshtein'
  | 'token_set'
  | 'tfidf_cosine'
  | 'codes'
  | 'quantities'
  | 'abbreviation';

export interface FieldMapping {
  /** source column name */
  source: string;
  /** reference column name */
  target: string;
  strategy: Strategy;
  /** weights of a config sum to 1 (the engine renormalises anyway: docs/matching-engine.md, "Confidence and missing values") */
  weight: number;
  options?: {
    algorithm?: FuzzyAlgorithm;
    toleranceDays?: number;
    /** date_range: read numeric dates that could be either (03/05/2020) month-first on both sides */
    monthFirst?: boolean;
    tolerance?: number;
    tolerancePct?: number;
    /** date_range, instead of toleranceDays: the source date is expected between minDifferenceDays and
     *  maxDifferenceDays days after the reference date (negative: before); see comparators/ranges.ts */
    minDifferenceDays?: number;
    maxDifferenceDays?: number;
    /** numeric_range, instead of a tolerance: source − reference is expected in [minDifference, maxDifference]
     *  and/or in [minDifferencePct, maxDifferencePct] percent of the larger magnitude (both: the more permissive) */
    minDifference?: number;
    maxDifference?: number;
    minDifferencePct?: number;
    maxDifferencePct?: number;
  };
  /** A field over several columns (whole-record text, codes found in any column): their texts joined by a space.
   *  `source` / `target` then only name the field (its label in evidence and blocking keys). */
  sourceColumns?: string[];
  targetColumns?: string[];
}

export type BlockingTransform = 'exact' | 'tokens' | 'qgrams' | 'phonetic' | 'prefix' | 'nearby';

export interface BlockingKeyPart {
  source: string;
  target: string;
  transform: BlockingTransform;
  /** prefix length (default 4), q of q-grams (default 3), or nearby's width (days for dates, default 3; percent for
   *  numbers, default 2) */
  length?: number;
}

/** A key is the conjunction of its parts: two rows share the key when every part yields a common value. */
export interface BlockingKey {
  parts: BlockingKeyPart[];
}

export interface BlockingConfig {
  strategy?: 'parallel' | 'ordered_fallback';
  keys?: BlockingKey[];
  /** postings longer than this are dropped as stop-keys (default DEFAULT_MAX_POSTINGS) */
  maxPostings?: number;
}

/** One field of a Fellegi–Sunter model, aligned with `fieldMappings` by position. A pair's comparator score
 *  falls in the first level whose minimum it reaches (`levels` descending; the last is usually 0, "else"). */
export interface ModelField {
  /** minimum comparator score of each level, descending */
  levels: number[];
  /** natural log of the Bayes factor m/u of each level (same length as `levels`) */
  logBayesFactors: number[];
  /** P(level | match) and P(level | non-match), kept for explanations */
  m?: number[];
  u?: number[];
  /** The log BF rises linearly from each level's midpoint to the next (the top level's is flat above its own,
   *  the bottom level's below its own), instead of one step per level: for scores where each further shared word
   *  counts (TF-IDF cosine, token set), so two candidates in one level still rank by how close they are. */
  interpolate?: boolean;
  /** The review pass only (smart/identical.ts): identical normalised values as evidence of their own, for fields
   *  whose top level also takes values that differ (token_set, abbreviations, phonetic codes) */
  identical?: { m: number; u: number; logBayesFactor: number };
}

/** A probabilistic scoring model: confidence = posterior match probability
 *  sigmoid(logit(prior) + Σ log BF of each field present on both sides). A score below every level, or a field
 *  without a model entry, counts as Bayes factor 1. */
export interface FellegiSunterModel {
  kind: 'fellegi_sunter';
  /** prior probability that a blocked candidate pair is a match */
  prior: number;
  fields: ModelField[];
  /** Distinctiveness: a candidate's log-odds minus the best other candidate's of the same source row (no other
   *  candidate: above every level; behind another: the last level). A match usually stands out from the rest; the
   *  best of several similar non-matches does not. */
  margin?: { levels: number[]; logBayesFactors: number[] };
  /** whole-record TF-IDF cosine levels for the review pass (not used by the engine) */
  record?: ModelField & { columns?: Array<{ source: string; target: string }> };
  /** variant words for the review pass (smart/variants.ts: a word pair that tells the reference's siblings apart,
   *  one word on each side, scores 0; a variant word in common 1); not used by the engine */
  variants?: ModelField & { columns: Array<{ source: string; target: string }> };
}

export interface MatchConfig {
  fieldMappings: FieldMapping[];
  threshold: number;
  blocking?: BlockingConfig;
  oneToOne?: boolean;
  /** When present, confidence is the model's posterior match probability instead of the weighted average. */
  model?: FellegiSunterModel;
  /** Review decisions the plan keeps (decisions.ts), latest first: results follow them whatever the scores say. */
  decisions?: DecidedPair[];
}

/** A reviewer's verdict (by Concord row id) on one pair of rows, or that a source row has no match at all. */
export type DecidedPair =
  /** match true: the pair is a match; false: it is not */
  | { sourceRowId: string; referenceRowId: string; match: boolean }
  /** the source row has no match in the reference (an approved result without a match) */
  | { sourceRowId: string; referenceRowId: null; match: false };

/** id: Concord's row id; ids are compared as strings (JS `<`, i.e. UTF-16 code units) to break ties. */
export interface EngineRow {
  id: string;
  values: Record<string, unknown>;
}

export interface FieldEvidence {
  source: string;
  target: string;
  strategy: Strategy;
  /** null when the value is missing on either side (the field did not count) */
  score: number | null;
  sourceValue: unknown;
  referenceValue: unknown;
}

export interface Candidate {
  referenceRowId: string;
  confidence: number;
  /** Per mapping (as RowMatch.evidence's scores; null: did not count), only when the match was asked for them
   *  (LiveReferenceIndex.match's candidateFieldScores); the best candidate's equal its evidence scores. */
  fieldScores?: Array<number | null>;
}

export interface RowMatch {
  sourceRowId: string;
  /** best candidate when its confidence reaches the threshold, else null */
  referenceRowId: string | null;
  /** best candidate's confidence (also when below the threshold); 0 when there is no candidate */
  confidence: number;
  /** per mapping, against the best candidate (empty when there is no candidate) */
  evidence: FieldEvidence[];
  /** top TOP_CANDIDATES candidates, best first (ties: smaller reference row id first) */
  candidates: Candidate[];
}

/** How many candidates a row's result keeps (RowMatch.candidates): the length of every top list of the engine. */
export const TOP_CANDIDATES = 5;

export interface SliceStats {
  rowsProcessed: number;
  rowsMatched: number;
  confidenceSum: number;
  pairsCompared: number;
}

export interface SliceResult {
  rows: RowMatch[];
  stats: SliceStats;
}

export interface BlockingStats {
  sourceRows: number;
  referenceRows: number;
  /** candidate pairs the blocking produces (each is compared once) */
  pairs: number;
  /** 1 − pairs / (|source| · |reference|) */
  reductionRatio: number;
  /** source rows for which blocking found no candidate */
  rowsWithoutCandidates: number;
  /** lookups that hit a stop-key (a posting list dropped for exceeding maxPostings) */
  stopKeyHits: number;
}
