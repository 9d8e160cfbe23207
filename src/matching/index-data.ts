// What a reference index is made of, apart from the class that builds and wraps it (index-build.ts): the row scorer
// reads an index that itself creates the scorer, so both take these declarations from here rather than each other.

import type { BlockingIndexData } from './blocking';
import type { FieldColumnData, FieldScorer } from './fields';
import type { CodePool } from './pool';
import type { MatchConfig } from './types';

/** The arrays of a reference index: all typed arrays (optionally shared), so worker threads receive them uncopied. */
export interface ReferenceIndexData {
  config: MatchConfig;
  size: number;
  ids: CodePool;
  /** Row-by-id table over `ids` (id-lookup.ts), when the build was asked for it. */
  idSlots?: Int32Array;
  fields: FieldColumnData[];
  /** row-major normalised texts of the text-kind fields: value r·textStride + slot */
  texts: CodePool;
  textStride: number;
  blocking: BlockingIndexData;
}

/** What the row scorer (row-scorer.ts) reads of a ReferenceIndex. */
export interface ReferenceIndexView {
  readonly size: number;
  readonly config: MatchConfig;
  readonly fields: FieldScorer[];
  readonly data: ReferenceIndexData;
  /** Compares two reference rows' ids as strings (code-unit order, like JS `<`). */
  compareIds(a: number, b: number): number;
}
