// A reference index that follows changes of its reference rows without a rebuild per change (issue 21): the index
// built at some version (the base, never modified) plus
//   - tombstones: base rows deleted or replaced since (a byte per base row), left out of the base's candidates;
//   - an overlay: a small index built from the current values of every row upserted since the base was built.
// A record is matched against both and the two top lists are merged (confidence descending, ties to the smaller
// reference id, as the engine ranks), the evidence coming from the side of the best candidate.
//
// The overlay is built with the base's config. That gives a rebuild's scores for every comparator whose score
// depends only on the two values compared; tfidf_cosine also depends on the corpus (its IDF table), so a config
// with such a field cannot follow changes this way (`followsChanges` is false: rebuild instead). What a rebuild
// could still do otherwise is drop a blocking key that the added rows push past `maxPostings` (a stop-key); the
// overlay keeps it (at worst a few more candidates, never fewer). The caller rebuilds in the background once the
// overlay passes a bound (a large overlay costs its build at every change), and the rebuild resets both.
//
// A LiveReferenceIndex is immutable: `apply` returns a new one (sharing the base), so requests in flight keep the
// version they started with.

import { fieldKind } from './fields';
import { buildReferenceIndex, type ReferenceIndex } from './index-build';
import { expandSliceResult, fieldScoresAgainst, matchSliceCompact, type MatchOptions } from './match';
import { TOP_CANDIDATES, type Candidate, type EngineRow, type RowMatch, type SliceResult } from './types';

export interface RowChange {
  op: 'upsert' | 'delete';
  /** The reference row id (the same id for every version of the row). */
  rowId: string;
  /** An upsert's values (every column). */
  values?: Record<string, unknown>;
}

export class LiveReferenceIndex {
  private constructor(
    readonly base: ReferenceIndex,
    /** 1 = the base row is deleted or replaced by an overlay row */
    private readonly removed: Uint8Array | null,
    /** rows upserted since the base was built, by id, with their current values, in first-upsert order */
    private readonly upserted: ReadonlyMap<string, EngineRow>,
    private readonly overlay: ReferenceIndex | null,
  ) {}

  static of(base: ReferenceIndex): LiveReferenceIndex {
    return new LiveReferenceIndex(base, null, new Map(), null);
  }

  /** Whether this config's scores allow following changes with an overlay (see the head of this file). */
  static followsChanges(base: ReferenceIndex): boolean {
    return !base.config.fieldMappings.some((mapping) => fieldKind(mapping) === 'tfidf_cosine');
  }

  /** Rows in the overlay: the caller rebuilds past its bound. */
  get overlaySize(): number {
    return this.upserted.size;
  }

  get size(): number {
    return this.base.size;
  }

  get estimatedBytes(): number {
    return this.base.estimatedBytes + (this.removed?.byteLength ?? 0) + (this.overlay?.estimatedBytes ?? 0);
  }

  /** The index with `changes` applied, oldest first (a row changed twice takes its last change). */
  apply(changes: readonly RowChange[]): LiveReferenceIndex {
    if (changes.length === 0) return this;
    const removed = this.removed === null ? new Uint8Array(this.base.size) : this.removed.slice();
    const upserted = new Map(this.upserted);
    for (const change of changes) {
      const row = this.base.rowOf(change.rowId);
      if (row >= 0) removed[row] = 1;
      if (change.op === 'delete') upserted.delete(change.rowId);
      else upserted.set(change.rowId, { id: change.rowId, values: change.values ?? {} });
    }
    const overlay = upserted.size === 0 ? null : buildReferenceIndex(upserted.values(), this.base.config);
    return new LiveReferenceIndex(this.base, removed, upserted, overlay);
  }

  /** Matches source rows as matchSlice over a rebuild of the current rows would. */
  match(sourceRows: EngineRow[], options: LiveMatchOptions = {}): SliceResult {
    const scores = options.candidateFieldScores === true;
    const fromBase = matchSide(this.base, sourceRows, this.removed === null ? {} : { exclude: this.removed }, scores);
    if (this.overlay === null) return fromBase;
    const fromOverlay = matchSide(this.overlay, sourceRows, {}, scores);
    const threshold = Number.isFinite(this.base.config.threshold) ? this.base.config.threshold : 0;
    const rows = fromBase.rows.map((row, i) => mergeMatches(row, fromOverlay.rows[i] as RowMatch, threshold));
    let rowsMatched = 0;
    let confidenceSum = 0;
    for (const row of rows) {
      if (row.candidates.length > 0) confidenceSum += row.confidence;
      if (row.referenceRowId !== null) rowsMatched++;
    }
    return {
      rows,
      stats: {
        rowsProcessed: sourceRows.length,
        rowsMatched,
        confidenceSum,
        pairsCompared: fromBase.stats.pairsCompared + fromOverlay.stats.pairsCompared,
      },
    };
  }
}

export interface LiveMatchOptions {
  /** Give every candidate its per-field scores (Candidate.fieldScores), not only the best (its evidence). */
  candidateFieldScores?: boolean;
}

/** matchSlice on one side (base or overlay); with `fieldScores`, each candidate's field scores, taken while its row
 *  number in that side's index is still known (an overlay's candidate is scored against the overlay). */
function matchSide(index: ReferenceIndex, sourceRows: EngineRow[], options: MatchOptions, fieldScores: boolean): SliceResult {
  const compact = matchSliceCompact(index, sourceRows, options);
  const result = expandSliceResult(index, sourceRows, compact);
  if (!fieldScores) return result;
  result.rows.forEach((row, r) => {
    const top = r * TOP_CANDIDATES;
    const scores = fieldScoresAgainst(index, sourceRows[r] as EngineRow, compact.topRows.subarray(top, top + row.candidates.length));
    row.candidates.forEach((candidate, k) => {
      candidate.fieldScores = scores[k];
    });
  });
  return result;
}

/** Ranks as the engine does: confidence descending, ties to the smaller id (code-unit order). */
function better(a: Candidate, b: Candidate): number {
  if (a.confidence !== b.confidence) return b.confidence - a.confidence;
  return a.referenceRowId < b.referenceRowId ? -1 : a.referenceRowId > b.referenceRowId ? 1 : 0;
}

function mergeMatches(base: RowMatch, overlay: RowMatch, threshold: number): RowMatch {
  if (overlay.candidates.length === 0) return base;
  if (base.candidates.length === 0) return overlay;
  const candidates = [...base.candidates, ...overlay.candidates].sort(better).slice(0, TOP_CANDIDATES);
  const best = candidates[0] as Candidate;
  const from = best.referenceRowId === base.candidates[0]?.referenceRowId ? base : overlay;
  return {
    sourceRowId: base.sourceRowId,
    referenceRowId: best.confidence >= threshold ? best.referenceRowId : null,
    confidence: best.confidence,
    evidence: from.evidence,
    candidates,
  };
}
