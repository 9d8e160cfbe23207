// What matching writes while it runs, kept apart from the index it reads. A reference index (index-build.ts) is
// immutable once built: its data are typed arrays, shared by worker threads and by concurrent requests of a serving
// process (warm indexes). Matching needs scratch state besides: the field scorers' prepared source values and
// kernel buffers, the candidate collector's marks, the WebAssembly ingest and row-scoring buffers. That state lives
// here, one MatchState per index per thread (a module-level WeakMap is per thread: each worker thread loads its own
// copy of this module). matchSliceCompact runs synchronously from start to end, so the calls of one thread never
// interleave on one state.

import { CandidateCollector } from './blocking';
import { FieldScorer, type FieldColumnData } from './fields';
import type { ReferenceIndexData, ReferenceIndexView } from './index-data';
import { compositesOf } from './normalised-row';
import { RowIngest } from './row-ingest';
import { RowScorer } from './row-scorer';

export class MatchState {
  /** One scorer per field mapping, over the index's columns, with this thread's buffers. */
  readonly fields: FieldScorer[];
  private collector: CandidateCollector | undefined;
  private ingest: RowIngest | null | undefined;
  private scorer: RowScorer | null | undefined;

  constructor(private readonly index: ReferenceIndexView) {
    const data = index.data;
    this.fields = data.config.fieldMappings.map(
      (m, i) => new FieldScorer(m, data.fields[i] as FieldColumnData, data.texts, data.textStride),
    );
  }

  /** Candidate collection scratch. */
  candidateCollector(): CandidateCollector {
    const { data } = this.index;
    this.collector ??= new CandidateCollector(data.blocking, data.size, compositesOf(data.config.fieldMappings, 'source'));
    return this.collector;
  }

  /** Normalises and hashes batches of source rows in WebAssembly when the config allows (row-ingest.ts); made at the
   *  first match; null when it does not apply. */
  sourceIngest(): RowIngest | null {
    if (this.ingest === undefined) this.ingest = RowIngest.create(this.index.data.config.fieldMappings, this.index.data.blocking, 'source');
    return this.ingest;
  }

  /** Scores a row's candidates in one WebAssembly call when the config allows (row-scorer.ts); made at the first
   *  match; null when it does not apply. */
  rowScorer(): RowScorer | null {
    if (this.scorer === undefined) this.scorer = RowScorer.create(this.index);
    return this.scorer;
  }
}

const states = new WeakMap<ReferenceIndexData, MatchState>();

/** This thread's matching state for an index (keyed by its immutable data, so every view of the data shares it). */
export function matchStateOf(index: ReferenceIndexView): MatchState {
  let state = states.get(index.data);
  if (!state) {
    state = new MatchState(index);
    states.set(index.data, state);
  }
  return state;
}
