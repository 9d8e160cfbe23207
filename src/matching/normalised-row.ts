// One row's cells with their normalised text computed at most once: field columns and several blocking key
// parts often read the same column (surname in a comparison, a prefix key and a conjunctive key).
import { normaliseText } from './normalise';

export class NormalisedRow {
  private values: Record<string, unknown> = {};
  private readonly texts = new Map<string, string>();

  reset(values: Record<string, unknown> | undefined | null): this {
    this.values = values ?? {};
    this.texts.clear();
    return this;
  }

  raw(column: string): unknown {
    return this.values[column];
  }

  text(column: string): string {
    let text = this.texts.get(column);
    if (text === undefined) {
      text = normaliseText(this.values[column]);
      this.texts.set(column, text);
    }
    return text;
  }
}
