/**
 * One CSV line (RFC 4180 quoting, CRLF). Cells that a spreadsheet would run as a formula (starting with = + - @,
 * tab or carriage return, and not a plain number) get a leading apostrophe: exports open safely in Excel.
 */
export function toCsvLine(cells: ReadonlyArray<unknown>): string {
  return cells.map(toCsvCell).join(',') + '\r\n';
}

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;

export function toCsvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
