// Variant words: the words that tell a reference table's siblings apart, learnt from the table itself. Two reference
// rows whose words (in the model's word-overlap columns) differ in exactly one word each are the same item in two
// variants, and that pair of words is a variant pair: black/red, 4gb/8gb, volume 1/volume 2. A candidate that says
// one word of a variant pair where the source row says the other is most likely the sibling, however many other
// words they share; TF-IDF barely sees it, since such words are common (low IDF) and one differing word costs little
// cosine. No list of colours or sizes: the pairs are whatever the reference's own near-duplicates show.
//
// Score of a pair of rows: 0 (conflict) when a word only the source row has and a word only the candidate has form a
// variant pair; 1 when no such pair and both rows hold a variant word in common; missing otherwise.

import { damerauLevenshteinDistance } from '../comparators/levenshtein';
import { normaliseText, tokensOf } from '../normalise';
import type { RecordColumn } from './record-text';

/** A cell with more words than this is a description, not a name: its one-word differences are not variants. */
const MAX_WORDS = 40;
/** A group of rows that differ in one word each, larger than this, is a list of unrelated one-word differences. */
const MAX_GROUP = 16;
const DIGIT = /\d/;

export interface VariantComparison {
  score: 0 | 1;
  /** conflict: the source row's word and the candidate's word of the variant pair; agreement: a shared word */
  sourceWord: string;
  referenceWord: string;
}

export class VariantWords {
  /** key = the row's words less one → the distinct words removed to get it (one word, or several) */
  private groups: Map<string, string | string[]> | null = new Map();
  private readonly pairs = new Set<string>();
  private readonly words = new Set<string>();

  constructor(readonly columns: RecordColumn[]) {}

  /** One reference row (its target columns). */
  add(values: Record<string, unknown> | undefined): void {
    this.columns.forEach((column, k) => {
      const words = [...new Set(tokensOf(normaliseText(values?.[column.target])))].sort().map((token) => tag(k, token));
      if (words.length >= 2 && words.length <= MAX_WORDS) this.addWords(words);
    });
  }

  /** One column's sorted words of a reference row: each word is a variant of the removed word of any row whose
   *  words less its removed one are these less this one. */
  private addWords(words: string[]): void {
    const groups = this.groups;
    if (groups === null) throw new Error('VariantWords: add() after finish()');
    const joined = words.join(' ');
    let start = 0;
    for (const word of words) {
      // The words less this one, in order and space-separated: the text before it and the text after it.
      const end = start + word.length;
      const key = end === joined.length ? joined.slice(0, Math.max(0, start - 1)) : joined.slice(0, start) + joined.slice(end + 1);
      start = end + 1;
      const group = groups.get(key);
      if (group === undefined) groups.set(key, word);
      else if (typeof group === 'string') {
        if (group !== word) groups.set(key, [group, word]);
      } else if (group.length <= MAX_GROUP && !group.includes(word)) group.push(word);
    }
  }

  finish(): this {
    for (const group of this.groups?.values() ?? []) {
      if (typeof group === 'string' || group.length > MAX_GROUP) continue;
      for (let i = 0; i < group.length; i++) {
        for (let j = i + 1; j < group.length; j++) {
          if (spellingOf(group[i] as string, group[j] as string)) continue;
          this.pairs.add(pairKey(group[i] as string, group[j] as string));
        }
        this.words.add(group[i] as string);
      }
    }
    this.groups = null;
    return this;
  }

  /** How many variant pairs the reference showed. */
  get size(): number {
    return this.pairs.size;
  }

  /** A row's words, each tagged with its column's position (so a word of one column never pairs with another's). */
  wordsOf(values: Record<string, unknown> | undefined, side: 'source' | 'target'): Set<string> {
    const words = new Set<string>();
    this.columns.forEach((column, k) => {
      for (const token of tokensOf(normaliseText(values?.[side === 'source' ? column.source : column.target]))) words.add(tag(k, token));
    });
    return words;
  }

  compare(source: Set<string>, reference: Set<string>): VariantComparison | null {
    if (this.groups !== null) throw new Error('VariantWords: finish() before compare()');
    let shared: string | null = null;
    for (const a of source) {
      if (!this.words.has(a)) continue;
      if (reference.has(a)) {
        shared ??= a;
        continue;
      }
      for (const b of reference) {
        if (b !== a && !source.has(b) && this.pairs.has(pairKey(a, b))) return { score: 0, sourceWord: plain(a), referenceWord: plain(b) };
      }
    }
    return shared === null ? null : { score: 1, sourceWord: plain(shared), referenceWord: plain(shared) };
  }
}

/** Two words without digits one edit apart are one word spelt two ways (colour/color, grey/gray, a typo in a
 *  duplicate row), not two variants; words with digits differ in exactly that way when they are variants (4gb/8gb). */
function spellingOf(a: string, b: string): boolean {
  const x = plain(a);
  const y = plain(b);
  return !DIGIT.test(x) && !DIGIT.test(y) && damerauLevenshteinDistance(x, y) <= 1;
}

function tag(column: number, token: string): string {
  return `${column}:${token}`;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

/** A tagged word without its column tag. */
function plain(word: string): string {
  return word.slice(word.indexOf(':') + 1);
}
