// Blocking: an inverted index from blocking-key values to reference rows, so a source row is only compared with
// rows sharing at least one key (`parallel`: union over all keys) or with the rows of the first key that yields
// any (`ordered_fallback`). Key values are hashed to 32 bits (see hash.ts) and kept as a CSR posting table:
// entryStart[e]..entryStart[e+1] in `postings`. Keys whose posting list exceeds `maxPostings` are stop-keys:
// their postings are not stored and a lookup that hits one yields nothing (and is counted).

import ngrams from 'talisman/tokenizers/ngrams/index.js';
import { metaphoneCodes } from './comparators/phonetic';
import { buildPostingTable, type PostingTable } from './blocking-finish';
import { fmix32, fnv1a, fnv1aPrefix, tableGet } from './hash';
import { isoDay, normaliseDate, normaliseNumber, tokensOf } from './normalise';
import { NormalisedRow, type Composites } from './normalised-row';
import { Growable } from './pool';
import type { BlockingConfig, BlockingKey, BlockingKeyPart, BlockingStats, EngineRow, FieldMapping } from './types';

const FNV_OFFSET = 0x811c9dc5;
export const DEFAULT_MAX_POSTINGS = 1000;
const DEFAULT_PREFIX_LENGTH = 4;
const DEFAULT_Q = 3;
/** A conjunctive key over multi-valued parts (tokens × tokens…) yields at most this many combinations per row. */
const MAX_COMBINATIONS = 64;

export type ValueKind = 'text' | 'date' | 'date_month_first' | 'number';

export interface BlockingIndexData extends PostingTable {
  strategy: 'parallel' | 'ordered_fallback';
  keys: BlockingKey[];
  /** how each part's values are read (dates and numbers are canonicalised before the transform) */
  partKinds: ValueKind[][];
  maxPostings: number;
}

/** How a mapping's column blocks by default: phonetic codes for fuzzy/phonetic text (a token without letters,
 *  such as a postcode, stands for itself), the exact normalised value otherwise (dates: the day, numbers: the
 *  number). */
function defaultPart(m: FieldMapping): BlockingKeyPart {
  return { source: m.source, target: m.target, transform: m.strategy === 'fuzzy' || m.strategy === 'phonetic' ? 'phonetic' : 'exact' };
}

/** Mappings used by the default keys: the heaviest ones (ties: mapping order). */
const DEFAULT_KEY_FIELDS = 6;

/**
 * Keys used when the config gives none.
 *   1–3 mappings: one single-field key per mapping (a record still blocks when all but one field are wrong).
 *   4+ mappings: every pair of the 6 heaviest mappings as a two-field key (15 keys for 6): a true match is found
 *   unless at most one of those fields survives intact, and two-field keys are selective, so the candidate set
 *   stays small without relying on stop-keys. On FEBRL4 (10 mappings): blocking recall 0.9996 with 84.6k pairs
 *   (of 25M); one single-field key per mapping would give recall 1 with 3.45M pairs.
 */
export function defaultBlockingKeys(mappings: FieldMapping[]): BlockingKey[] {
  const usable = mappings.filter((m) => Number.isFinite(m.weight) && m.weight > 0);
  if (usable.length <= 3) return usable.map((m) => ({ parts: [defaultPart(m)] }));
  const heaviest = usable
    .map((m, i) => ({ m, i }))
    .sort((a, b) => b.m.weight - a.m.weight || a.i - b.i)
    .slice(0, DEFAULT_KEY_FIELDS)
    .map(({ m }) => m);
  const keys: BlockingKey[] = [];
  for (let i = 0; i < heaviest.length; i++) {
    for (let j = i + 1; j < heaviest.length; j++)
      keys.push({ parts: [defaultPart(heaviest[i] as FieldMapping), defaultPart(heaviest[j] as FieldMapping)] });
  }
  return keys;
}

function valueKind(part: BlockingKeyPart, mappings: FieldMapping[]): ValueKind {
  const mapping = mappings.find((m) => m.source === part.source && m.target === part.target);
  if (mapping?.strategy === 'date_range') return mapping.options?.monthFirst === true ? 'date_month_first' : 'date';
  if (mapping?.strategy === 'numeric_range') return 'number';
  return 'text';
}

/** The values one key part yields for a row's cell (deduplicated; empty when the cell is missing). */
export function partValues(part: BlockingKeyPart, kind: ValueKind, row: NormalisedRow, column: string): string[] {
  let text: string;
  if (part.transform === 'nearby') return nearbyValues(part, kind, row.raw(column));
  if (kind === 'date' || kind === 'date_month_first') {
    const day = normaliseDate(row.raw(column), kind === 'date_month_first');
    text = day === null ? '' : isoDay(day);
  } else if (kind === 'number') {
    const n = normaliseNumber(row.raw(column));
    text = n === null ? '' : String(n);
  } else {
    text = row.text(column);
  }
  if (text === '') return [];
  switch (part.transform) {
    case 'exact':
      return [text];
    case 'prefix':
      return [text.slice(0, prefixLength(part))];
    case 'tokens':
      return unique(tokensOf(text));
    case 'qgrams': {
      const q = positive(part.length, DEFAULT_Q);
      return text.length <= q ? [text] : unique(ngrams(q, text));
    }
    case 'phonetic': {
      const codes: string[] = [];
      for (const token of tokensOf(text)) {
        const [primary, alternate] = metaphoneCodes(token);
        codes.push(primary, alternate);
      }
      return unique(codes);
    }
    default:
      return [];
  }
}

/** The largest `length` a key part takes (a prefix, q, a nearby width): what a config may state. */
export const MAX_PART_LENGTH = 100;

/** Days (dates) or percent (numbers) within which two values always share a `nearby` value, unless the part sets it. */
const DEFAULT_NEARBY_DAYS = 3;
const DEFAULT_NEARBY_PCT = 2;

/**
 * `nearby`: a date's or a number's cells on two grids of width 2w, the second shifted by w (days; for numbers, steps
 * of w % on a log scale): two values at most w apart always share a cell of one grid, values more than 2w apart
 * never do. A text column has no nearby values.
 */
function nearbyValues(part: BlockingKeyPart, kind: ValueKind, raw: unknown): string[] {
  if (kind === 'date' || kind === 'date_month_first') {
    const day = normaliseDate(raw, kind === 'date_month_first');
    if (day === null) return [];
    const w = positive(part.length, DEFAULT_NEARBY_DAYS);
    return [`a${Math.floor(day / (2 * w))}`, `b${Math.floor((day + w) / (2 * w))}`];
  }
  if (kind === 'number') {
    const n = normaliseNumber(raw);
    if (n === null) return [];
    const step = Math.log1p(positive(part.length, DEFAULT_NEARBY_PCT) / 100);
    const x = (Math.sign(n) * Math.log1p(Math.abs(n))) / step;
    return [`a${Math.floor(x / 2)}`, `b${Math.floor((x + 1) / 2)}`];
  }
  return [];
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

/** How many characters a `prefix` part keeps. */
export function prefixLength(part: BlockingKeyPart): number {
  return positive(part.length, DEFAULT_PREFIX_LENGTH);
}

function unique(values: string[]): string[] {
  return values.length < 2 ? values : [...new Set(values)];
}

const keySeeds: number[] = [];
/** FNV state after the key's number: the same value under different keys hashes differently. */
export function keySeed(keyIndex: number): number {
  return (keySeeds[keyIndex] ??= fnv1a(String(keyIndex), FNV_OFFSET));
}

/** exact / prefix on text: the part has at most one value, hashed straight from the normalised text (no arrays,
 *  no substring); the hash is the same as hashing partValues' single value. */
export function singleValued(part: BlockingKeyPart, kind: ValueKind): boolean {
  return kind === 'text' && (part.transform === 'exact' || part.transform === 'prefix');
}

/** FNV-1a of a single-valued part's value continuing from `h`, or null when the cell is missing. */
function singleValueHash(part: BlockingKeyPart, row: NormalisedRow, column: string, h: number): number | null {
  const text = row.text(column);
  if (text === '') return null;
  if (part.transform === 'exact') return fnv1a(text, h);
  const n = prefixLength(part);
  return fnv1aPrefix(text, n < text.length ? n : text.length, h);
}

/** Hashes of one key for one row: the conjunction of its parts (cartesian product of their values). */
/** `columns[p]`: the column part p reads on this side (source or target), precomputed so the hot path reads one
 *  array instead of switching between part.source and part.target (which deoptimised it between build and match). */
function keyHashes(
  keyIndex: number,
  key: BlockingKey,
  kinds: ValueKind[],
  row: NormalisedRow,
  columns: string[],
  out: Growable<Int32Array>,
): void {
  const parts = key.parts;
  if (parts.length === 1) {
    // The common case: one part, no combinations to build.
    const part = parts[0] as BlockingKeyPart;
    const seed = keySeed(keyIndex);
    const kind = kinds[0] ?? 'text';
    if (singleValued(part, kind)) {
      const h = singleValueHash(part, row, columns[0] as string, seed);
      if (h !== null) out.push(fmix32(h));
      return;
    }
    for (const v of partValues(part, kind, row, columns[0] as string)) out.push(fmix32(fnv1a(v, seed)));
    return;
  }
  // Running FNV-1a states of the combinations so far, one part after the other (a separator between parts
  // keeps ("ab","c") and ("a","bc") apart).
  let single = true;
  for (let p = 0; p < parts.length; p++) if (!singleValued(parts[p] as BlockingKeyPart, kinds[p] ?? 'text')) single = false;
  if (single) {
    // Every part has at most one value: one running state, no arrays.
    let state: number | null = keySeed(keyIndex);
    for (let p = 0; p < parts.length && state !== null; p++) {
      const part = parts[p] as BlockingKeyPart;
      state = singleValueHash(part, row, columns[p] as string, Math.imul(state ^ 1, 0x01000193));
    }
    if (state !== null) out.push(fmix32(state));
    return;
  }
  let combos: number[] = [keySeed(keyIndex)];
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p] as BlockingKeyPart;
    const partVals = partValues(part, kinds[p] ?? 'text', row, columns[p] as string);
    if (partVals.length === 0) return; // a missing part means the row has no value for this key
    const next: number[] = [];
    for (const state of combos) {
      const separated = Math.imul(state ^ 1, 0x01000193);
      for (const v of partVals) if (next.length < MAX_COMBINATIONS) next.push(fnv1a(v, separated));
    }
    combos = next;
  }
  for (const state of combos) out.push(fmix32(state));
}

export interface ResolvedBlocking {
  strategy: 'parallel' | 'ordered_fallback';
  keys: BlockingKey[];
  partKinds: ValueKind[][];
  maxPostings: number;
}

export function resolveBlocking(config: BlockingConfig | undefined, mappings: FieldMapping[]): ResolvedBlocking {
  const keys = (config?.keys?.length ? config.keys : defaultBlockingKeys(mappings)).filter(
    (k) => Array.isArray(k.parts) && k.parts.length > 0,
  );
  const maxPostings = config?.maxPostings;
  return {
    strategy: config?.strategy === 'ordered_fallback' ? 'ordered_fallback' : 'parallel',
    keys,
    partKinds: keys.map((k) => k.parts.map((part) => valueKind(part, mappings))),
    maxPostings: typeof maxPostings === 'number' && maxPostings > 0 ? Math.floor(maxPostings) : DEFAULT_MAX_POSTINGS,
  };
}

// ---------------------------------------------------------------------------------------------------- build

/** The columns a row is read by on one side (`target`: reference rows, building; `source`: source rows, matching):
 *  the field mappings' and every blocking key part's, for NormalisedRow to register up front. */
export function columnsRead(mappings: FieldMapping[], keys: BlockingKey[], side: 'source' | 'target'): string[] {
  return [...mappings.map((m) => m[side]), ...keys.flatMap((k) => k.parts.map((part) => part[side]))];
}

/** Collects the reference rows' key hashes (rows numbered in the order they are added); `finish` makes the
 *  posting table (blocking-finish.ts). */
export class BlockingIndexBuilder {
  private readonly hashes = new Growable(Int32Array, 1 << 16);
  private readonly rowEnds = new Growable(Int32Array, 1 << 12);
  private readonly columns: string[][];

  constructor(private readonly resolved: ResolvedBlocking) {
    this.columns = resolved.keys.map((k) => k.parts.map((part) => part.target));
  }

  add(cells: NormalisedRow): void {
    const { keys, partKinds } = this.resolved;
    for (let k = 0; k < keys.length; k++)
      keyHashes(k, keys[k] as BlockingKey, partKinds[k] ?? [], cells, this.columns[k] as string[], this.hashes);
    this.rowEnds.push(this.hashes.length);
  }

  /** Key hashes collected so far. */
  get hashCount(): number {
    return this.hashes.length;
  }

  /** Appends rows whose hashes were made elsewhere (row-ingest.ts): `rowEnds` counted from the first row's hashes. */
  appendRows(hashes: Int32Array, rowEnds: Int32Array): void {
    this.hashes.append(hashes);
    this.rowEnds.append(rowEnds);
  }

  /** `placeIn`: see buildPostingTable. */
  finish(shared: boolean, placeIn?: WebAssembly.Memory): BlockingIndexData {
    const rows = { hashes: this.hashes.array, hashCount: this.hashes.length, rowEnds: this.rowEnds.array, rowCount: this.rowEnds.length };
    return { ...this.resolved, ...buildPostingTable(rows, this.resolved.maxPostings, shared, placeIn) };
  }
}

// ----------------------------------------------------------------------------------------- candidate lookup

/** Per-thread scratch for candidate collection: an epoch-stamped "seen" array, so deduplicating the union of
 *  postings needs neither a Set nor clearing per row. */
export class CandidateCollector {
  private readonly seen: Int32Array;
  private epoch = 0;
  candidates = new Int32Array(1024);
  count = 0;
  stopKeyHits = 0;
  private readonly hashes = new Growable(Int32Array, 64);
  private readonly cells: NormalisedRow;

  private readonly columns: string[][];

  /** `composites`: the source side's fields over several columns, for collect() given plain values. */
  constructor(
    private readonly data: BlockingIndexData,
    referenceRows: number,
    composites?: Composites,
  ) {
    this.seen = new Int32Array(referenceRows);
    this.cells = new NormalisedRow([], composites);
    this.columns = data.keys.map((k) => k.parts.map((part) => part.source));
  }

  /** Fills `candidates[0..count)` for a source row (in posting order, deduplicated). */
  collect(values: Record<string, unknown> | NormalisedRow): number {
    const cells = values instanceof NormalisedRow ? values : this.cells.reset(values);
    this.begin();
    const { keys, partKinds, strategy } = this.data;
    for (let k = 0; k < keys.length; k++) {
      this.hashes.length = 0;
      keyHashes(k, keys[k] as BlockingKey, partKinds[k] ?? [], cells, this.columns[k] as string[], this.hashes);
      const hashes = this.hashes.array;
      for (let i = 0, n = this.hashes.length; i < n; i++) this.addPostings(hashes[i] as number); // no iterator: cheaper before the JIT has optimised it
      if (strategy === 'ordered_fallback' && this.count > 0) break;
    }
    return this.count;
  }

  /** collect() for a row whose key hashes were made elsewhere (row-ingest.ts): hashes[start, end), in key order,
   *  at most one per key. */
  collectHashes(hashes: Int32Array, start: number, end: number): number {
    this.begin();
    const fallback = this.data.strategy === 'ordered_fallback';
    for (let i = start; i < end; i++) {
      this.addPostings(hashes[i] as number);
      if (fallback && this.count > 0) break;
    }
    return this.count;
  }

  private begin(): void {
    if (++this.epoch === 0x7fffffff) {
      this.seen.fill(0);
      this.epoch = 1;
    }
    this.count = 0;
    this.stopKeyHits = 0;
  }

  private addPostings(hash: number): void {
    const data = this.data;
    const entry = tableGet(data.table, hash);
    if (entry === -1) return;
    if (data.entryDropped[entry] === 1) {
      this.stopKeyHits++;
      return;
    }
    const end = data.entryStart[entry + 1] as number;
    const postings = data.postings;
    const seen = this.seen;
    const epoch = this.epoch;
    for (let i = data.entryStart[entry] as number; i < end; i++) {
      const row = postings[i] as number;
      if (seen[row] === epoch) continue;
      seen[row] = epoch;
      if (this.count === this.candidates.length) {
        const grown = new Int32Array(this.candidates.length * 2);
        grown.set(this.candidates);
        this.candidates = grown;
      }
      this.candidates[this.count++] = row;
    }
  }
}

export function blockingBytes(data: BlockingIndexData): number {
  return data.table.keys.byteLength * 2 + data.entryStart.byteLength + data.entryDropped.byteLength + data.postings.byteLength;
}

/** Blocking statistics of a slice of source rows against an index's blocking data (no comparisons made). */
export function blockingStatsFor(data: BlockingIndexData, referenceRows: number, sourceRows: EngineRow[]): BlockingStats {
  const collector = new CandidateCollector(data, referenceRows);
  let pairs = 0;
  let rowsWithoutCandidates = 0;
  let stopKeyHits = 0;
  for (const row of sourceRows) {
    const n = collector.collect(row.values ?? {});
    pairs += n;
    stopKeyHits += collector.stopKeyHits;
    if (n === 0) rowsWithoutCandidates++;
  }
  const all = sourceRows.length * referenceRows;
  return {
    sourceRows: sourceRows.length,
    referenceRows,
    pairs,
    reductionRatio: all === 0 ? 1 : 1 - pairs / all,
    rowsWithoutCandidates,
    stopKeyHits,
  };
}
