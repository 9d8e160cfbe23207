// Fields over the whole record, across columns: the TF-IDF cosine of all text columns (rare words count more, and
// words in the "wrong" column still count), and the codes found anywhere in them (model numbers, SKUs, ISBNs,
// references: a code in one side's code column is found inside the other side's title or memo). Proposed from the
// profiles alone, so nothing here knows a column name.

import { extractCodes } from '../comparators/codes';
import { quantityItems } from '../comparators/quantities';
import { normaliseText, toText } from '../normalise';
import type { EngineRow, FieldMapping } from '../types';
import { chooseComparator, type ChoiceOverrides, type ComparatorChoice } from './comparator-choice';
import { identifierLike, type ProfiledColumn, type ProposedMapping } from './mappings';
import { nameHints } from './names';

/** Both sides need codes in at least this share of rows for a codes field (below it, codes are incidental). */
export const MIN_CODE_SHARE = 0.2;
/** A record field needs a column of at least this many words per row on each side (a title, a description, a
 *  memo): records of names, codes and dates are better compared field by field. */
const MIN_TEXT_TOKENS = 3;

export interface RecordField {
  proposed: ProposedMapping;
  kind: 'record_text' | 'codes' | 'quantities';
  choice: ComparatorChoice;
  mapping: FieldMapping;
}

/** Words that name a record's own id (rec_id, uuid, row_key); such a column's codes are which row of its table a
 *  row is, not what it describes. A code column (model number, SKU) is as distinct but named otherwise. */
const ROW_ID_WORDS = new Set(['id', 'uuid', 'guid', 'key', 'pk', 'rowid']);

/** Text columns: not excluded, not row identity or a record's own id, not dates, emails or phone numbers
 *  (compared as such, and their digits would pass for codes). */
function textColumns(columns: ProfiledColumn[], excluded: Set<string>): ProfiledColumn[] {
  return columns.filter(({ profile: p }) => {
    if (excluded.has(p.name) || p.rowIdentity !== null || p.declaredType !== 'string' || p.fillRate === 0) return false;
    if (identifierLike(p) && [...nameHints(p.name)].some((w) => ROW_ID_WORDS.has(w))) return false;
    return p.shares.date < 0.8 && p.shares.email < 0.5 && p.shares.phoneLike < 0.5;
  });
}

/** Each row's cells of the columns as `read` gives them (read once for every measure below). */
function cellsOf(rows: EngineRow[], columns: string[], read: (value: unknown) => string): string[][] {
  return rows.map((row) => columns.map((c) => read(row.values?.[c])));
}

/** Share of rows where `found` finds something in one of their cells. */
function shareWith(cells: string[][], found: (normalised: string) => boolean): number {
  if (cells.length === 0) return 0;
  let withAny = 0;
  for (const row of cells) if (row.some(found)) withAny++;
  return withAny / cells.length;
}

const hasCodes = (text: string) => extractCodes(text).length > 0;
const hasQuantities = (normalised: string) => quantityItems(normalised).length > 0;

export function proposeRecordFields(
  source: { columns: ProfiledColumn[]; rows: EngineRow[] },
  reference: { columns: ProfiledColumn[]; rows: EngineRow[] },
  excluded: Set<string>,
): { fields: RecordField[]; measured: Record<string, unknown> } {
  const sourceColumns = textColumns(source.columns, excluded);
  const referenceColumns = textColumns(reference.columns, excluded);
  const tokens = (columns: ProfiledColumn[]) => columns.reduce((sum, c) => sum + c.profile.avgTokens * c.profile.fillRate, 0);
  const sourceNames = sourceColumns.map((c) => c.profile.name);
  const referenceNames = referenceColumns.map((c) => c.profile.name);
  const label = (names: string[]) => names.join(' + ');
  const measured: Record<string, unknown> = {
    sourceColumns: sourceNames,
    referenceColumns: referenceNames,
    sourceWordsPerRow: round(tokens(sourceColumns)),
    referenceWordsPerRow: round(tokens(referenceColumns)),
  };
  const fields: RecordField[] = [];
  if (sourceNames.length === 0 || referenceNames.length === 0) return { fields, measured };
  const base = {
    source: label(sourceNames),
    target: label(referenceNames),
    weight: 1,
    sourceColumns: sourceNames,
    targetColumns: referenceNames,
  };
  const overlap = { values: 0, tokens: 0 };

  const longest = (columns: ProfiledColumn[]) => Math.max(0, ...columns.map((c) => c.profile.avgTokens));
  measured.longestTextWords = {
    source: round(longest(sourceColumns)),
    reference: round(longest(referenceColumns)),
    minimum: MIN_TEXT_TOKENS,
  };
  const field = (kind: RecordField['kind'], source: string, target: string, reason: string, overrides?: ChoiceOverrides): RecordField => {
    const choice = chooseComparator(kind, overrides);
    return {
      kind,
      choice,
      proposed: { source, target, nameScore: 0, overlap, reason },
      mapping: { ...base, source, target, strategy: choice.strategy, ...(choice.options ? { options: choice.options } : {}) },
    };
  };
  if (Math.min(longest(sourceColumns), longest(referenceColumns)) >= MIN_TEXT_TOKENS) {
    fields.push(
      field(
        'record_text',
        base.source,
        base.target,
        `whole record: ${round(tokens(sourceColumns))} / ${round(tokens(referenceColumns))} words per row over the text columns, the longest with ${round(longest(sourceColumns))} / ${round(longest(referenceColumns))} (≥ ${MIN_TEXT_TOKENS})`,
      ),
    );
  }
  const sourceCells = cellsOf(source.rows, sourceNames, normaliseText);
  const referenceCells = cellsOf(reference.rows, referenceNames, normaliseText);
  // Codes are read from the raw cells: a hyphen holds a code's parts together, a space may not.
  const sourceCodes = shareWith(cellsOf(source.rows, sourceNames, toText), hasCodes);
  const referenceCodes = shareWith(cellsOf(reference.rows, referenceNames, toText), hasCodes);
  measured.rowsWithCodes = { source: round(sourceCodes), reference: round(referenceCodes), minimum: MIN_CODE_SHARE };
  // Codes inside text on at least one side (a code column on the other); a record of names, dates and postcodes
  // compares its digits field by field.
  if (
    Math.max(longest(sourceColumns), longest(referenceColumns)) >= MIN_TEXT_TOKENS &&
    Math.min(sourceCodes, referenceCodes) >= MIN_CODE_SHARE
  ) {
    fields.push(
      field(
        'codes',
        `codes in ${base.source}`,
        `codes in ${base.target}`,
        `codes (letters with digits, long digit runs) in ${Math.round(sourceCodes * 100)}% of source rows and ${Math.round(referenceCodes * 100)}% of reference rows`,
        // The reference sample's rows with codes: what the model's rarities are measured over.
        { rowsWithCodes: Math.round(referenceCodes * reference.rows.length) },
      ),
    );
  }
  const sourceQuantities = shareWith(sourceCells, hasQuantities);
  const referenceQuantities = shareWith(referenceCells, hasQuantities);
  measured.rowsWithQuantities = { source: round(sourceQuantities), reference: round(referenceQuantities), minimum: MIN_CODE_SHARE };
  // Amounts with units in text: sibling products, editions and orders differ in them while their words agree.
  if (
    Math.max(longest(sourceColumns), longest(referenceColumns)) >= MIN_TEXT_TOKENS &&
    Math.min(sourceQuantities, referenceQuantities) >= MIN_CODE_SHARE
  ) {
    fields.push(
      field(
        'quantities',
        `quantities in ${base.source}`,
        `quantities in ${base.target}`,
        `amounts with units in ${Math.round(sourceQuantities * 100)}% of source rows and ${Math.round(referenceQuantities * 100)}% of reference rows`,
      ),
    );
  }
  return { fields, measured };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
