// Turning generated records into SampledTables the way an upload would: string cells (CSV), empty = missing,
// column types inferred by the service's own inference, so generation sees exactly what it would in production.
import type { EngineRow } from '../../src/matching/index';
import type { ColumnInfo, SampledTable } from '../../src/matching/smart/types';
import { TypeAccumulator } from '../../src/modules/datasets/parse/infer';
import type { Random } from './random';

export type Cells = Record<string, string>;

export function sampledTable(columns: string[], rows: EngineRow[]): SampledTable {
  const infos: ColumnInfo[] = columns.map((name) => {
    const accumulator = new TypeAccumulator();
    for (const row of rows) {
      const value = row.values[name];
      if (typeof value === 'string' && value.trim() !== '') accumulator.add(value.trim());
    }
    return { name, type: accumulator.result() };
  });
  return { columns: infos, rows };
}

/** A source row paired with the index of its true reference record (or null). */
export interface PlannedSourceRow {
  cells: Cells;
  referenceIndex: number | null;
}

/**
 * Assigns ids and shuffles both sides, so neither row order nor ids leak the truth (reference `<prefix>-r<n>`,
 * source `<prefix>-s<n>`, numbered after shuffling).
 */
export function assembleTables(
  random: Random,
  prefix: string,
  reference: { columns: string[]; records: Cells[] },
  source: { columns: string[]; rows: PlannedSourceRow[] },
): { reference: SampledTable; source: SampledTable; truth: Map<string, string | null> } {
  const referenceOrder = random.shuffle(reference.records.map((_, i) => i));
  const referenceId = new Array<string>(reference.records.length);
  const referenceRows: EngineRow[] = referenceOrder.map((recordIndex, position) => {
    const id = `${prefix}-r${position}`;
    referenceId[recordIndex] = id;
    return { id, values: reference.records[recordIndex] as Cells };
  });
  const sourceRows = random.shuffle([...source.rows]);
  const truth = new Map<string, string | null>();
  const rows: EngineRow[] = sourceRows.map((planned, position) => {
    const id = `${prefix}-s${position}`;
    truth.set(id, planned.referenceIndex === null ? null : (referenceId[planned.referenceIndex] as string));
    return { id, values: planned.cells };
  });
  return { reference: sampledTable(reference.columns, referenceRows), source: sampledTable(source.columns, rows), truth };
}

/** Which reference records the matched source rows copy: distinct ones while there are enough. */
export function chooseMatchedRecords(random: Random, referenceSize: number, count: number): number[] {
  const order = random.shuffle(Array.from({ length: referenceSize }, (_, i) => i));
  const chosen: number[] = [];
  for (let i = 0; i < count; i++) chosen.push(order[i % referenceSize] as number);
  return chosen;
}
