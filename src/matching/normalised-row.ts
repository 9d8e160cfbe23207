// One row's cells with their normalised text computed at most once: field columns and several blocking key
// parts often read the same column (surname in a comparison, a prefix key and a conjunctive key).
// Cached texts are tagged with a row generation instead of being cleared, so moving to the next row costs nothing.
import { normaliseText, toText } from './normalise';
import type { FieldMapping } from './types';

/** Fields over several columns on one side, by the name the field goes by there (see FieldMapping.sourceColumns). */
export type Composites = ReadonlyMap<string, readonly string[]>;

export function compositesOf(mappings: readonly FieldMapping[], side: 'source' | 'target'): Composites {
  const composites = new Map<string, readonly string[]>();
  for (const m of mappings) {
    const columns = side === 'source' ? m.sourceColumns : m.targetColumns;
    if (columns !== undefined) composites.set(m[side], columns);
  }
  return composites;
}

/** A composite field's cell: the texts of its columns that have one, joined by a space. */
export function joinedCells(values: Record<string, unknown> | undefined | null, columns: readonly string[]): string {
  let joined = '';
  for (const column of columns) {
    const text = toText(values?.[column]);
    if (text !== '') joined = joined === '' ? text : `${joined} ${text}`;
  }
  return joined;
}

/** The cell a mapping reads on one side of a row: its column's value, or a composite field's joined texts. */
export function mappingCell(mapping: FieldMapping, values: Record<string, unknown> | undefined | null, side: 'source' | 'target'): unknown {
  const columns = side === 'source' ? mapping.sourceColumns : mapping.targetColumns;
  return columns === undefined ? values?.[mapping[side]] : joinedCells(values, columns);
}

export class NormalisedRow {
  private values: Record<string, unknown> = {};
  private generation = 0;
  private readonly slots = new Map<string, number>();
  private texts: string[] = [];
  private textGeneration: number[] = [];

  /** `columns`: the columns text() will be asked for. Registering them here keeps text()'s slot-making path out
   *  of the hot loop: taken first by a new row object after V8 had optimised text() on another, it deoptimised
   *  text() at the start of every match. Other columns still work. */
  constructor(
    columns: Iterable<string> = [],
    private readonly composites: Composites = new Map(),
  ) {
    for (const column of columns) this.slotOf(column);
  }

  reset(values: Record<string, unknown> | undefined | null): this {
    this.values = values ?? {};
    this.generation++;
    return this;
  }

  raw(column: string): unknown {
    if (this.composites.size > 0) {
      const columns = this.composites.get(column);
      if (columns !== undefined) return joinedCells(this.values, columns);
    }
    return this.values[column];
  }

  text(column: string): string {
    const slot = this.slots.get(column) ?? this.slotOf(column);
    if (this.textGeneration[slot] === this.generation) return this.texts[slot] as string;
    const text = normaliseText(this.raw(column));
    this.texts[slot] = text;
    this.textGeneration[slot] = this.generation;
    return text;
  }

  private slotOf(column: string): number {
    let slot = this.slots.get(column);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(column, slot);
      this.texts.push('');
      this.textGeneration.push(0);
    }
    return slot;
  }
}
