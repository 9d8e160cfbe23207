export type UploadFormat = 'csv' | 'json' | 'ndjson';
export type CellValue = string | number | boolean | null;

export interface ParsedRow {
  /** 1-based line of the file where the record starts. */
  line: number;
  values: Record<string, CellValue>;
}
