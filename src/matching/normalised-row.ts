// One row's cells with their normalised text computed at most once: field columns and several blocking key
// parts often read the same column (surname in a comparison, a prefix key and a conjunctive key).
// Cached texts are tagged with a row generation instead of being cleared, so moving to the next row costs nothing.
import { normaliseText } from './normalise';

export class NormalisedRow {
  private values: Record<string, unknown> = {};
  private generation = 0;
  private readonly slots = new Map<string, number>();
  private texts: string[] = [];
  private textGeneration: number[] = [];

  /** `columns`: the columns text() will be asked for. Registering them here keeps text()'s slot-making path out
   *  of the hot loop: taken first by a new row object after V8 had optimised text() on another, it deoptimised
   *  text() at the start of every match. Other columns still work. */
  constructor(columns: Iterable<string> = []) {
    for (const column of columns) this.slotOf(column);
  }

  reset(values: Record<string, unknown> | undefined | null): this {
    this.values = values ?? {};
    this.generation++;
    return this;
  }

  raw(column: string): unknown {
    return this.values[column];
  }

  text(column: string): string {
    const slot = this.slots.get(column) ?? this.slotOf(column);
    if (this.textGeneration[slot] === this.generation) return this.texts[slot] as string;
    const text = normaliseText(this.values[column]);
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
