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

  reset(values: Record<string, unknown> | undefined | null): this {
    this.values = values ?? {};
    this.generation++;
    return this;
  }

  raw(column: string): unknown {
    return this.values[column];
  }

  text(column: string): string {
    let slot = this.slots.get(column);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(column, slot);
      this.texts.push('');
      this.textGeneration.push(0);
    }
    if (this.textGeneration[slot] === this.generation) return this.texts[slot] as string;
    const text = normaliseText(this.values[column]);
    this.texts[slot] = text;
    this.textGeneration[slot] = this.generation;
    return text;
  }
}
