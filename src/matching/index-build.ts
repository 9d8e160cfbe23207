// The reference index: built once from the reference rows and a config, then used read-only to match any number
// of source slices. All of its data are typed arrays (optionally on SharedArrayBuffers), so it can be handed to
// worker threads without copying (`index.data` → `ReferenceIndex.fromData` in the worker).

import { BlockingIndexBuilder, type CandidateCollector, blockingBytes, columnsRead, resolveBlocking } from './blocking';
import { FieldColumnBuilder, type FieldScorer, fieldColumnBytes, fieldKind } from './fields';
import { buildIdLookup, findRowById } from './id-lookup';
import { CodePoolBuilder, comparePoolValues, poolBytes, poolString } from './pool';
import { compositesOf, NormalisedRow } from './normalised-row';
import { RowIngest } from './row-ingest';
import type { ReferenceIndexData, ReferenceIndexView } from './index-data';
import type { RowScorer } from './row-scorer';
import { matchStateOf } from './match-state';
import type { EngineRow, FieldMapping, MatchConfig } from './types';

export interface BuildOptions {
  /** Allocate every array on SharedArrayBuffers, so worker threads can share the index (see parallel.ts). */
  shared?: boolean;
  /** Build rows of ASCII text in WebAssembly when the config allows (row-ingest.ts). Default true; false keeps
   *  the JavaScript row loop (tests compare the two). */
  rowIngest?: boolean;
  /** Also make the row-by-id table (id-lookup.ts) now, on the building thread, for an index that will follow row
   *  changes (live-index.ts); without it `rowOf` makes the table at its first call. */
  idLookup?: boolean;
}

/**
 * A built reference index: immutable once made (its data are typed arrays, frozen in shape; nothing here changes
 * while matching), so one index can serve concurrent requests and be shared with worker threads. What matching
 * writes (scorer buffers, candidate marks, WebAssembly scratch) is per thread, in match-state.ts; the accessors
 * below hand out this thread's.
 */
export class ReferenceIndex implements ReferenceIndexView {
  readonly size: number;
  readonly config: MatchConfig;
  /** Sum of the index's array sizes in bytes (≈ its memory footprint; for a bounded index cache). */
  readonly estimatedBytes: number;

  constructor(readonly data: ReferenceIndexData) {
    Object.freeze(data);
    this.size = data.size;
    this.config = data.config;
    this.estimatedBytes =
      poolBytes(data.ids) +
      poolBytes(data.texts) +
      data.fields.reduce((s, f) => s + fieldColumnBytes(f), 0) +
      blockingBytes(data.blocking) +
      (data.idSlots?.byteLength ?? 0);
    Object.freeze(this);
  }

  /** Rebuild the index object around data received from another thread (no copy when the arrays are shared). */
  static fromData(data: ReferenceIndexData): ReferenceIndex {
    return new ReferenceIndex(data);
  }

  /** This thread's field scorers over the index (match-state.ts). */
  get fields(): FieldScorer[] {
    return matchStateOf(this).fields;
  }

  referenceId(row: number): string {
    return poolString(this.data.ids, row);
  }

  /** The row of reference id `id`, or -1. */
  rowOf(id: string): number {
    let slots = this.data.idSlots ?? lateIdSlots.get(this.data);
    if (slots === undefined) {
      slots = buildIdLookup(this.data.ids, this.size);
      lateIdSlots.set(this.data, slots);
    }
    return findRowById(this.data.ids, slots, id);
  }

  /** Compares two reference rows' ids as strings (code-unit order, like JS `<`). */
  compareIds(a: number, b: number): number {
    return comparePoolValues(this.data.ids, a, b);
  }

  /** This thread's candidate collection scratch. */
  candidateCollector(): CandidateCollector {
    return matchStateOf(this).candidateCollector();
  }

  /** This thread's WebAssembly source-row ingest (row-ingest.ts); null when the config does not allow it. */
  sourceIngest(): RowIngest | null {
    return matchStateOf(this).sourceIngest();
  }

  /** This thread's WebAssembly row scorer (row-scorer.ts); null when the config does not allow it. */
  rowScorer(): RowScorer | null {
    return matchStateOf(this).rowScorer();
  }
}

/** Row-by-id tables made after the build (the index data are frozen), by index data. */
const lateIdSlots = new WeakMap<ReferenceIndexData, Int32Array>();

export function buildReferenceIndex(rows: Iterable<EngineRow>, config: MatchConfig, options: BuildOptions = {}): ReferenceIndex {
  const shared = options.shared ?? false;
  const mappings = config.fieldMappings ?? [];
  const ids = new CodePoolBuilder();
  // Jaro–Winkler reads the texts in WebAssembly (see comparators/jaro-winkler-kernel.ts): build them there.
  const inKernel = mappings.some((m) => fieldKind(m) === 'jaro_winkler');
  const texts = inKernel ? CodePoolBuilder.inKernelMemory() : new CodePoolBuilder();
  let textStride = 0;
  const columns = mappings.map((m) => {
    const kind = fieldKind(m);
    return new FieldColumnBuilder(kind, texts, FieldColumnBuilder.isTextKind(kind) ? textStride++ : -1, m.options?.monthFirst === true);
  });
  const resolvedBlocking = resolveBlocking(config.blocking, mappings);
  const blocking = new BlockingIndexBuilder(resolvedBlocking);
  const cells = new NormalisedRow(columnsRead(mappings, resolvedBlocking.keys, 'target'), compositesOf(mappings, 'target'));
  const ingest = options.rowIngest === false ? null : RowIngest.create(mappings, resolvedBlocking, 'target');
  const size =
    ingest === null
      ? addRows(rows, mappings, cells, ids, columns, blocking)
      : ingest.addRows(rows, { ids, texts, columns, blocking }, (row) => addRow(row, mappings, cells, ids, columns, blocking));
  const textPool = inKernel ? texts.finishInKernelMemory(shared) : texts.finish(shared);
  const idPool = ids.finish(shared);
  return new ReferenceIndex({
    config: { ...config, fieldMappings: mappings },
    size,
    ids: idPool,
    ...(options.idLookup ? { idSlots: buildIdLookup(idPool, size, shared) } : {}),
    fields: columns.map((c) => c.finish(shared)),
    texts: textPool,
    textStride,
    blocking: blocking.finish(shared, textPool.memory),
  });
}

/** The row loop of buildReferenceIndex, on its own: V8 optimises it while it runs (on-stack replacement), and the
 *  finishing code after it, never run before, deoptimised that code on the way out. Returns the row count. */
function addRows(
  rows: Iterable<EngineRow>,
  mappings: FieldMapping[],
  cells: NormalisedRow,
  ids: CodePoolBuilder,
  columns: FieldColumnBuilder[],
  blocking: BlockingIndexBuilder,
): number {
  let size = 0;
  for (const row of rows) {
    addRow(row, mappings, cells, ids, columns, blocking);
    size++;
  }
  return size;
}

function addRow(
  row: EngineRow,
  mappings: FieldMapping[],
  cells: NormalisedRow,
  ids: CodePoolBuilder,
  columns: FieldColumnBuilder[],
  blocking: BlockingIndexBuilder,
): void {
  cells.reset(row.values);
  ids.push(String(row.id));
  for (let f = 0; f < mappings.length; f++) {
    const target = (mappings[f] as FieldMapping).target;
    (columns[f] as FieldColumnBuilder).add(cells.raw(target), cells.text(target));
  }
  blocking.add(cells);
}
