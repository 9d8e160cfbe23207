/**
 * Column bookkeeping shared by the formats: names (validated), per-column type accumulators, and building the
 * `values` object of a row.
 */
import { formatCount, MAX_COLUMNS, UploadParseError } from './errors';
import { type ColumnType, TypeAccumulator } from './infer';
import type { CellValue } from './types';

/** JSON/NDJSON: above this many columns, rows are built with plain assignments (rebuilding a generated builder each
 * time a new key appears would cost too much). CSV always uses a generated builder (built once). */
const MAX_GENERATED_PROPS = 500;

export class ColumnSet {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();
  private readonly types: TypeAccumulator[] = [];
  /** Names that cannot be set with plain assignment on an object literal. */
  private readonly special: boolean[] = [];

  constructor(private readonly trim: boolean) {}

  private add(name: string): number {
    const i = this.names.length;
    this.names.push(name);
    this.index.set(name, i);
    this.types.push(new TypeAccumulator());
    this.special.push(name === '__proto__');
    return i;
  }

  private static set(obj: Record<string, CellValue>, name: string, special: boolean, v: CellValue): void {
    if (special) Object.defineProperty(obj, name, { value: v, enumerable: true, writable: true, configurable: true });
    else obj[name] = v;
  }

  setHeader(raw: string[], line: number): void {
    for (let i = 0; i < raw.length; i++) {
      const name = this.trim ? raw[i]!.trim() : raw[i]!;
      if (name.trim() === '') {
        throw new UploadParseError(`Column ${i + 1} of the header (line ${line}) has no name. Every column needs a name.`, line);
      }
      const prev = this.index.get(name);
      if (prev !== undefined) {
        throw new UploadParseError(
          `The header (line ${line}) has the column name ${JSON.stringify(name)} twice (columns ${prev + 1} and ${i + 1}). Column names must be unique.`,
          line,
        );
      }
      this.add(name);
    }
  }

  /** Builds a row object with literal property names (monomorphic, much faster than keyed stores in a loop). */
  private builder: ((v: CellValue[]) => Record<string, CellValue>) | undefined;
  private builderColumns = 0;
  private readonly scratch: CellValue[] = [];
  private readonly slots: Array<CellValue | undefined> = [];

  private makeBuilder(): (v: CellValue[]) => Record<string, CellValue> {
    // JSON.stringify yields a valid JS string literal; "__proto__" needs a computed key to become an own property.
    const props = this.names.map((n, i) => `${n === '__proto__' ? '["__proto__"]' : JSON.stringify(n)}: v[${i}]`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function('v', `return {${props.join(', ')}};`) as (v: CellValue[]) => Record<string, CellValue>;
  }

  /** CSV: `fields` has exactly one entry per column. */
  csvValues(fields: string[]): Record<string, CellValue> {
    const n = this.names.length;
    const types = this.types;
    const trim = this.trim;
    const vals = this.scratch;
    for (let i = 0; i < n; i++) {
      let v: string | null = fields[i]!;
      if (trim) v = v.trim();
      if (v === '') v = null;
      else types[i]!.add(v);
      vals[i] = v;
    }
    if (!this.builder) this.builder = this.makeBuilder();
    return this.builder(vals);
  }

  /**
   * JSON / NDJSON: `obj` is a parsed JSON object. New keys become new columns (order of first appearance). The row
   * gets every column known so far; keys missing from this object are null.
   */
  objectValues(obj: Record<string, unknown>, line: number): Record<string, CellValue> {
    const slots = this.slots;
    for (let i = 0; i < this.names.length; i++) slots[i] = undefined;
    for (const key in obj) {
      const name = this.trim ? key.trim() : key;
      let i = this.index.get(name);
      if (i === undefined) {
        if (name.trim() === '') {
          throw new UploadParseError(`Line ${line}: an object has an empty key (""). Every column needs a name.`, line);
        }
        if (this.names.length >= MAX_COLUMNS) {
          throw new UploadParseError(
            `Line ${line}: the data has more than ${formatCount(MAX_COLUMNS)} different keys (columns); at most ${formatCount(MAX_COLUMNS)} are supported.`,
            line,
          );
        }
        i = this.add(name);
      } else if (slots[i] !== undefined) {
        throw new UploadParseError(`Line ${line}: an object has the key ${JSON.stringify(name)} twice (after trimming white space).`, line);
      }
      slots[i] = this.cell(obj[key], i);
    }
    const n = this.names.length;
    for (let i = 0; i < n; i++) if (slots[i] === undefined) slots[i] = null;
    if (n <= MAX_GENERATED_PROPS) {
      if (!this.builder || this.builderColumns !== n) {
        this.builder = this.makeBuilder();
        this.builderColumns = n;
      }
      return this.builder(slots as CellValue[]);
    }
    const names = this.names;
    const values: Record<string, CellValue> = {};
    for (let i = 0; i < n; i++) {
      if (this.special[i]) ColumnSet.set(values, names[i]!, true, slots[i]!);
      else values[names[i]!] = slots[i]!;
    }
    return values;
  }

  private cell(raw: unknown, i: number): CellValue {
    let v: CellValue;
    if (raw === null || raw === undefined) return null;
    if (typeof raw === 'string') {
      v = this.trim ? raw.trim() : raw;
      if (v === '') return null;
    } else if (typeof raw === 'number' || typeof raw === 'boolean') {
      v = raw;
    } else {
      v = JSON.stringify(raw);
    }
    this.types[i]!.add(v);
    return v;
  }

  columnTypes(): Array<{ name: string; type: ColumnType }> {
    return this.names.map((name, i) => ({ name, type: this.types[i]!.result() }));
  }
}
