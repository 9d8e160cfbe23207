// user_prompt: a small deterministic instruction parser (no model). The prompt is split into sentences, a
// sentence that is not one instruction into clauses (",", "and", "then"); every clause must be understood and
// every column it names must exist, otherwise PromptNotUnderstoodError lists what was not understood and the
// instructions that are. See docs/smart-runs.md (`user_prompt`) for the list.

import { normaliseColumnName } from './names';
import { PromptNotUnderstoodError } from './types';

export interface PromptDirectives {
  /** column names (source or reference) not to compare */
  ignore: Set<string>;
  /** columns whose evidence counts more (log Bayes factors ×EMPHASIS_FACTOR) and which blocking tries first */
  emphasise: Set<string>;
  /** columns compared exactly */
  exact: Set<string>;
  /** tolerance of date comparisons in days (`dates may differ by N days`), by column or for all dates ('*') */
  toleranceDays: Map<string, number>;
  /** tolerance of numeric comparisons in percent, by column or for all prices/numbers ('*') */
  tolerancePct: Map<string, number>;
  oneToOne: boolean;
  /** the instructions understood, normalised, in order */
  understood: string[];
}

export const EMPHASIS_FACTOR = 1.5;

export const UNDERSTOOD_INSTRUCTIONS = [
  'ignore <column>[, <column>…]',
  'emphasise / emphasize / focus on / prioritise <column>[, …]  (also "<column> is important")',
  '<column> must match exactly  (also "match <column> exactly")',
  'dates may differ by N days  (also "<column> may differ by N days")',
  'prices may differ by N%  (also "<column> may differ by N%" / "N percent")',
  'one to one  (also "each reference matches at most once")',
];

const COLUMN_LIST = /\s*(?:,|&|\band\b|\bor\b)\s*/;

export function parsePrompt(prompt: string | undefined, columns: string[]): PromptDirectives {
  const directives: PromptDirectives = {
    ignore: new Set(),
    emphasise: new Set(),
    exact: new Set(),
    toleranceDays: new Map(),
    tolerancePct: new Map(),
    oneToOne: false,
    understood: [],
  };
  if (prompt === undefined || prompt.trim() === '') return directives;
  const byName = new Map<string, string>();
  for (const c of columns) {
    byName.set(c.toLowerCase(), c);
    if (!byName.has(normaliseColumnName(c))) byName.set(normaliseColumnName(c), c);
  }
  const isColumn = (n: string) => byName.has(n.trim().toLowerCase()) || byName.has(normaliseColumnName(n));
  const notUnderstood: string[] = [];
  const unknownColumns: string[] = [];
  // strict: an unknown name is reported (clauses); otherwise the list simply does not resolve (whole sentences,
  // which may still split into clauses that do).
  const resolver =
    (strict: boolean) =>
    (list: string): string[] | null => {
      const names = list
        .split(COLUMN_LIST)
        .map((n) =>
          n
            .trim()
            .replace(/^the\s+/i, '')
            .replace(/^(?:columns?|fields?)\s+/i, '')
            .replace(/^["'`]|["'`]$/g, '')
            .replace(/\s+(?:columns?|fields?)$/i, ''),
        )
        .filter((n) => n !== '');
      if (names.length === 0) return null;
      const found: string[] = [];
      for (const n of names) {
        const c = byName.get(n.toLowerCase()) ?? byName.get(normaliseColumnName(n));
        if (c === undefined) {
          if (!strict) return null;
          unknownColumns.push(n);
          return [];
        }
        found.push(c);
      }
      return found;
    };
  for (const sentence of prompt
    .split(/(?:[.;!?](?=\s|$)|\n)+/)
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    if (apply(sentence, directives, resolver(false), isColumn)) continue;
    const clauses = sentence
      .split(/\s*(?:,|\band\b|\bthen\b)\s*/i)
      .map((s) => s.trim())
      .filter((s) => s !== '');
    // One clause: the sentence itself, now with unknown names reported.
    for (const clause of clauses) if (!apply(clause, directives, resolver(true), isColumn)) notUnderstood.push(clause);
  }
  if (notUnderstood.length > 0 || unknownColumns.length > 0) {
    const parts: string[] = [];
    if (notUnderstood.length > 0) parts.push(`instructions not understood: ${notUnderstood.map((c) => `"${c}"`).join(', ')}`);
    if (unknownColumns.length > 0)
      parts.push(`unknown columns: ${unknownColumns.map((c) => `"${c}"`).join(', ')} (columns: ${columns.join(', ')})`);
    throw new PromptNotUnderstoodError(
      `user_prompt: ${parts.join('; ')}. Understood instructions: ${UNDERSTOOD_INSTRUCTIONS.join('; ')}.`,
      [...notUnderstood, ...unknownColumns],
    );
  }
  return directives;
}

type Resolve = (list: string) => string[] | null;

/** Applies one instruction; false when the text is not one. A clause naming an unknown column counts as
 *  understood here (the unknown name is reported by `resolve`). */
function apply(text: string, d: PromptDirectives, resolve: Resolve, isColumn: (name: string) => boolean): boolean {
  const t = text.replace(/^(?:please|also|and|then)\s+/i, '').trim();
  let m: RegExpMatchArray | null;
  if ((m = t.match(/^(?:ignore|skip|exclude|drop|do not use|don't use|dont use)\s+(.+)$/i))) {
    return columns(resolve(m[1] as string), (c) => d.ignore.add(c), d, 'ignore');
  }
  if (
    (m = t.match(/^(?:emphasi[sz]e|focus on|focus more on|prioriti[sz]e|put more weight on|weight)\s+(.+?)(?:\s+(?:more|most|heavily))?$/i))
  ) {
    return columns(resolve(m[1] as string), (c) => d.emphasise.add(c), d, 'emphasise');
  }
  if ((m = t.match(/^(.+?)\s+(?:is|are)\s+(?:very\s+|most\s+)?important$/i))) {
    return columns(resolve(m[1] as string), (c) => d.emphasise.add(c), d, 'emphasise');
  }
  if (
    (m = t.match(/^(?:the\s+)?(.+?)\s+(?:must|should|has to|have to|needs to|need to)\s+match\s+exactly$/i)) ||
    (m = t.match(/^match\s+(.+?)\s+exactly$/i))
  ) {
    return columns(resolve(m[1] as string), (c) => d.exact.add(c), d, 'exact');
  }
  if ((m = t.match(/^(.+?)\s+(?:may|can|might|could)\s+differ\s+by\s+(?:up\s+to\s+|at\s+most\s+)?(\d+(?:\.\d+)?)\s*(days?|%|percent)$/i))) {
    const subject = (m[1] as string).trim().replace(/^the\s+/i, '');
    const amount = Number(m[2]);
    const unit = (m[3] as string).toLowerCase();
    const target = unit.startsWith('day') ? d.toleranceDays : d.tolerancePct;
    const generic = unit.startsWith('day')
      ? /^(?:dates?|all dates|birth ?dates?)$/i
      : /^(?:prices?|amounts?|numbers?|values?|all prices)$/i;
    // A column's name wins over the generic word ("price" may be both).
    if (!generic.test(subject) || isColumn(subject))
      return columns(resolve(subject), (c) => target.set(c, amount), d, `tolerance ${amount}${unit.startsWith('day') ? ' days' : '%'} for`);
    target.set('*', amount);
    d.understood.push(`${subject} may differ by ${amount}${unit.startsWith('day') ? ' days' : '%'}`);
    return true;
  }
  if (
    /^(?:one[\s-]to[\s-]one|1:1|1-1)(?:\s+matching)?$/i.test(t) ||
    /^each reference(?:\s+row)?\s+(?:matches|is matched|can match|may match|can be matched|may be matched|is used)\s+(?:at most\s+)?once$/i.test(
      t,
    ) ||
    /^each reference(?:\s+row)?\s+matches\s+at\s+most\s+one(?:\s+source)?(?:\s+row)?$/i.test(t)
  ) {
    d.oneToOne = true;
    d.understood.push('one to one');
    return true;
  }
  return false;
}

function columns(found: string[] | null, add: (c: string) => void, d: PromptDirectives, what: string): boolean {
  if (found === null) return false;
  for (const c of found) add(c);
  if (found.length > 0) d.understood.push(`${what} ${found.join(', ')}`);
  return true;
}
