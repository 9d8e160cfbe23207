/**
 * The preview card of a reference row (the reconciliation manifest's `preview` service): a small HTML page that
 * OpenRefine shows in an iframe when a candidate is hovered. Every value is the reference data's own text, so each
 * one is escaped here; the HTTP layer adds a Content-Security-Policy that forbids scripts besides.
 */

/** Columns shown on the card, and characters of a value: a card, not the whole row. */
export const PREVIEW_MAX_COLUMNS = 20;
export const PREVIEW_MAX_VALUE_CHARS = 300;

export interface PreviewCard {
  name: string;
  externalId: string;
  datasetName: string;
  columns: Array<{ name: string; value: unknown }>;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML text or attribute content: the five characters that could open markup or end an attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]!);
}

function shown(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > PREVIEW_MAX_VALUE_CHARS ? `${text.slice(0, PREVIEW_MAX_VALUE_CHARS)}…` : text;
}

export function renderPreviewHtml(card: PreviewCard): string {
  const rows = card.columns
    .slice(0, PREVIEW_MAX_COLUMNS)
    .map((column) => `<tr><th>${escapeHtml(column.name)}</th><td>${escapeHtml(shown(column.value))}</td></tr>`)
    .join('');
  const more =
    card.columns.length > PREVIEW_MAX_COLUMNS ? `<p class="more">${card.columns.length - PREVIEW_MAX_COLUMNS} more columns</p>` : '';
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<title>${escapeHtml(card.name)}</title>`,
    '<style>',
    'body{margin:0;font:13px/1.4 system-ui,sans-serif;color:#222}',
    '.card{padding:8px 10px}h1{font-size:15px;margin:0 0 2px}.id{color:#666;margin:0 0 6px}',
    'table{border-collapse:collapse}th{text-align:left;color:#555;font-weight:normal;padding:1px 10px 1px 0;vertical-align:top}',
    'td{padding:1px 0;overflow-wrap:anywhere}.more{color:#666;margin:6px 0 0}',
    '</style></head><body><div class="card">',
    `<h1>${escapeHtml(card.name)}</h1>`,
    `<p class="id">${escapeHtml(card.externalId)} · ${escapeHtml(card.datasetName)}</p>`,
    `<table>${rows}</table>${more}`,
    '</div></body></html>',
  ].join('');
}
