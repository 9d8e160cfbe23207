// Comparator per kind of field: the engine strategy and options, the agreement levels the Fellegi–Sunter model
// discretises its score into (minimum scores, descending; the last level, 0, is "anything else"), and the
// blocking transforms worth measuring for it.

import { MAX_PART_LENGTH } from '../blocking';
import { codeRarity, MIN_SHARED_SCORE, UNRELATED_SCORE } from '../comparators/codes';
import type { BlockingTransform, FieldMapping } from '../types';
import type { FieldKindName } from './kinds';

export interface ComparatorChoice {
  strategy: FieldMapping['strategy'];
  options?: FieldMapping['options'];
  levels: number[];
  /** plain-language name of the comparator and why it fits the kind */
  describe: string;
  blocking: Array<{ transform: BlockingTransform; length?: number }>;
  /** a level matches reach no more often than chance, and the level it is pooled with (best-candidate.ts) */
  chanceLevel?: { level: number; pooledWith: number };
  /** the model interpolates the log BF between levels (ModelField.interpolate) */
  interpolate?: true;
}

const JW_LEVELS = [1, 0.92, 0.85, 0.7, 0];
const EDIT_LEVELS = [1, 0.8, 0.65, 0];
const TOKEN_SET_LEVELS = [1, 0.9, 0.75, 0.5, 0];
const TFIDF_LEVELS = [0.95, 0.8, 0.6, 0.35, 0];
const RECORD_TEXT_LEVELS = [0.8, 0.65, 0.5, 0.35, 0.2, 0];
/** The rarity of the rarest compatible code; only common ones compatible; codes on both sides, unrelated; a
 *  sibling's (codes.ts). */
const CODE_LEVELS = [0.8, 0.6, 0.35, MIN_SHARED_SCORE, UNRELATED_SCORE, 0];
/** Holders between one row and two: the level above it is a code no other reference row has. */
const UNIQUE_CODE_HOLDERS = 1.5;

/** CODE_LEVELS with a first level for a code only one reference row holds (of `rowsWithCodes`, the rows the IDF is
 *  counted over). Its rarity depends on the table's size (0.90 at 5,000 rows, 0.92 at 20,000), so it is computed,
 *  and left out where it would not stand clear of the next level. Walmart-Amazon: a unique shared code is a
 *  match 93 % of the time, one that 2–7 rows hold 56 %; one level for both gave a unique model number a log BF of
 *  only 1.9. */
export function codeLevels(rowsWithCodes: number): number[] {
  const unique = codeRarity(rowsWithCodes, UNIQUE_CODE_HOLDERS);
  return unique >= (CODE_LEVELS[0] as number) + 0.05 ? [Math.round(unique * 1000) / 1000, ...CODE_LEVELS] : CODE_LEVELS;
}
/** Every shared unit agrees; some agree and some do not; none agree. */
const QUANTITY_LEVELS = [1, 0.5, 0];

export const DEFAULT_DATE_TOLERANCE_DAYS = 30;
export const DEFAULT_PRICE_TOLERANCE_PCT = 10;
export const DEFAULT_NUMBER_TOLERANCE_PCT = 5;

export interface ChoiceOverrides {
  exact?: boolean;
  toleranceDays?: number;
  /** the columns' numeric dates are month-first (03/25/2020) */
  monthFirst?: boolean;
  tolerancePct?: number;
  /** a window of expected differences source − reference learnt from the data (offsets.ts), in the kind's unit:
   *  days for dates, years for years, percent of the larger magnitude for prices and numbers */
  window?: { min: number; max: number };
  /** codes: the reference rows with codes that rarity is counted over (codeLevels) */
  rowsWithCodes?: number;
}

export function chooseComparator(kind: FieldKindName, overrides: ChoiceOverrides = {}): ComparatorChoice {
  if (overrides.exact)
    return { strategy: 'exact', levels: [1, 0], describe: 'exact comparison (as instructed)', blocking: [{ transform: 'exact' }] };
  switch (kind) {
    case 'person_name':
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'jaro_winkler' },
        levels: JW_LEVELS,
        describe: 'person name → Jaro–Winkler (typos, transpositions), Double Metaphone codes for blocking (spelling variants)',
        blocking: [
          { transform: 'exact' },
          { transform: 'phonetic' },
          { transform: 'prefix', length: 2 },
          { transform: 'prefix', length: 4 },
        ],
      };
    case 'short_text':
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'jaro_winkler' },
        levels: JW_LEVELS,
        describe: 'short text → Jaro–Winkler',
        blocking: [{ transform: 'exact' }, { transform: 'tokens' }, { transform: 'phonetic' }, { transform: 'prefix', length: 3 }],
      };
    case 'authors':
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'token_set' },
        levels: TOKEN_SET_LEVELS,
        interpolate: true,
        describe: 'list of names → token set similarity (order and extra names do not matter)',
        blocking: [{ transform: 'tokens' }, { transform: 'phonetic' }],
      };
    case 'title':
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'token_set' },
        levels: TOKEN_SET_LEVELS,
        interpolate: true,
        describe: 'title → token set similarity (word order and extra words tolerated)',
        blocking: [{ transform: 'tokens' }, { transform: 'prefix', length: 6 }],
      };
    case 'free_text':
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'tfidf_cosine' },
        levels: TFIDF_LEVELS,
        interpolate: true,
        describe: 'long text → TF-IDF cosine (rare shared words weigh most)',
        blocking: [{ transform: 'tokens' }],
      };
    case 'record_text':
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'tfidf_cosine' },
        levels: RECORD_TEXT_LEVELS,
        interpolate: true,
        describe: 'whole record → TF-IDF cosine over every text column (rare words weigh most, wherever they stand)',
        blocking: [{ transform: 'tokens' }],
      };
    case 'codes': {
      const levels = codeLevels(overrides.rowsWithCodes ?? 0);
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'codes' },
        levels,
        chanceLevel: { level: levels.length - 1, pooledWith: levels.length - 2 },
        describe:
          "codes anywhere in the record → the rarest code both share or one begins (case, hyphens, spaces and slashes folded); a sibling's code (the same but for its last characters) counts against",
        blocking: [{ transform: 'tokens' }],
      };
    }
    case 'abbreviated_text':
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'abbreviation' },
        levels: [0.9, 0.7, 0.5, 0.3, 0],
        describe:
          'short text with abbreviated or truncated words → share of characters in words that agree as equal, prefixes or abbreviations ("cnsltng" / consulting), noise around them not counted',
        blocking: [{ transform: 'tokens' }],
      };
    case 'quantities':
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'quantities' },
        levels: QUANTITY_LEVELS,
        describe:
          'amounts with units anywhere in the record ("8gb", "10 oz", "2 pack") → do the units both state agree; a different amount counts against',
        blocking: [{ transform: 'tokens' }],
      };
    case 'identifier':
    case 'code':
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'levenshtein' },
        levels: EDIT_LEVELS,
        describe: `${kind === 'identifier' ? 'identifier' : 'code'} → Levenshtein (a mistyped character still counts partly)`,
        blocking: [{ transform: 'exact' }, { transform: 'prefix', length: 3 }, { transform: 'qgrams', length: 3 }],
      };
    case 'email':
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'levenshtein' },
        levels: [1, 0.9, 0.75, 0],
        describe: 'email → normalised text, exact or Levenshtein',
        blocking: [{ transform: 'exact' }, { transform: 'tokens' }],
      };
    case 'phone':
      return {
        strategy: 'fuzzy',
        options: { algorithm: 'levenshtein' },
        levels: [1, 0.85, 0.7, 0],
        describe: 'phone number → normalised text (digits, separators as spaces) compared with Levenshtein',
        blocking: [{ transform: 'exact' }, { transform: 'tokens' }],
      };
    case 'category':
    case 'boolean':
      return { strategy: 'exact', levels: [1, 0], describe: `${kind} → exact`, blocking: [{ transform: 'exact' }] };
    case 'date': {
      const nearby = nearbyKey(overrides.window);
      const monthFirst = overrides.monthFirst ? ', numeric dates read month-first (the column has dates such as 03/25/2020)' : '';
      const window = overrides.window;
      if (window !== undefined)
        return {
          strategy: 'date_range',
          options: { minDifferenceDays: window.min, maxDifferenceDays: window.max, ...(overrides.monthFirst ? { monthFirst: true } : {}) },
          levels: [1, 0.9, 0.5, 0],
          describe: `date → date_range with a window learnt from the data: the source ${windowLevels(window, ' days', 'same day')}${monthFirst}`,
          blocking: [{ transform: 'exact' }, ...nearby],
        };
      const toleranceDays = overrides.toleranceDays ?? DEFAULT_DATE_TOLERANCE_DAYS;
      return {
        strategy: 'date_range',
        options: { toleranceDays, ...(overrides.monthFirst ? { monthFirst: true } : {}) },
        levels: [1, 0.9, 0.5, 0],
        describe: `date → date_range (same day; within ${round1(toleranceDays / 5)} days; within ${toleranceDays} days)${monthFirst}`,
        blocking: [{ transform: 'exact' }, ...nearby],
      };
    }
    case 'year':
      if (overrides.window !== undefined)
        return {
          strategy: 'numeric_range',
          options: { minDifference: overrides.window.min, maxDifference: overrides.window.max },
          levels: [1, 0.5, 0],
          describe: `year → numeric_range with a window learnt from the data: the source ${windowLevels(overrides.window, ' years', 'same year', [1, 0.5])}`,
          blocking: [{ transform: 'exact' }],
        };
      return {
        strategy: 'numeric_range',
        options: { tolerance: 1 },
        levels: [1, 0.5, 0],
        describe: 'year → numeric_range (same year; one year apart)',
        blocking: [{ transform: 'exact' }],
      };
    case 'price':
    case 'number': {
      if (overrides.window !== undefined)
        return {
          strategy: 'numeric_range',
          options: { minDifferencePct: overrides.window.min, maxDifferencePct: overrides.window.max },
          levels: [1, 0.9, 0.5, 0],
          describe: `${kind} → numeric_range with a window learnt from the data: the source ${windowLevels(overrides.window, '%', 'equal')}`,
          blocking: [{ transform: 'exact' }],
        };
      const tolerancePct = overrides.tolerancePct ?? (kind === 'price' ? DEFAULT_PRICE_TOLERANCE_PCT : DEFAULT_NUMBER_TOLERANCE_PCT);
      return {
        strategy: 'numeric_range',
        options: { tolerancePct },
        levels: [1, 0.9, 0.5, 0],
        describe: `${kind} → numeric_range (equal; within ${round1(tolerancePct / 5)}%; within ${tolerancePct}%)`,
        blocking: [{ transform: 'exact' }],
      };
    }
  }
}

/** A date field's nearby key: as wide as the learnt window reaches from 0 (or the transform's default), and none
 *  past the width a config may state (MAX_PART_LENGTH; a wider one would also pair far too many rows). */
function nearbyKey(window: { min: number; max: number } | undefined): ComparatorChoice['blocking'] {
  if (window === undefined) return [{ transform: 'nearby' }];
  const width = Math.max(1, Math.ceil(Math.max(Math.abs(window.min), Math.abs(window.max))));
  return width <= MAX_PART_LENGTH ? [{ transform: 'nearby', length: width }] : [];
}

/** The differences source − reference each level of a window takes (ranges.ts: score 1 at the window's point
 *  nearest 0, falling to 0.5 at its ends): "same day; −1 to 2 days; −3 to 10 days" and the like. */
function windowLevels(window: { min: number; max: number }, unit: string, best: string, levels = [1, 0.9, 0.5]): string {
  const centre = Math.min(Math.max(0, window.min), window.max);
  const within = (score: number) => {
    const share = 2 * (1 - score); // the score falls by 0.5 over the whole extent on each side
    return `${round1(centre - share * (centre - window.min))} to ${round1(centre + share * (window.max - centre))}${unit}`;
  };
  return `minus the reference is ${window.min} to ${window.max}${unit} (${levels
    .map((score) => (score === 1 ? (centre === 0 ? best : `exactly ${centre}${unit}`) : within(score)))
    .join('; ')})`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
