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
import { tokenHash } from '../comparators/tfidf-cosine';
import { normaliseText, tokensOf } from '../normalise';
import type { RecordColumn } from './record-text';

/** A cell with more words than this is a description, not a name: its one-word differences are not variants. */
const MAX_WORDS = 40;
/** A group of rows that differ in one word each, larger than this, is a list of unrelated one-word differences. */
const MAX_GROUP = 16;
const DIGIT = /\d/;
/** Keys kept at most (about 150,000 rows of 15 words; some 100 MB): a larger reference adds no more rows. */
const MAX_KEYS = 2_000_000;
/** A key is the words' hash sum (32 bits) above their hash xor (21 bits): 53 bits, an exact double. */
const KEY_XOR_SPAN = 2 ** 21;

export interface VariantComparison {
  score: 0 | 1;
  /** conflict: the source row's word and the candidate's word of the variant pair; agreement: a shared word */
  sourceWord: string;
  referenceWord: string;
}

export class VariantWords {
  /** key (a hash of a row's words less one) → the hashes of the distinct words removed to get it */
  private groups: Map<number, number | number[]> | null = new Map();
  /** hash → word, for the words of the groups */
  private vocabulary: Map<number, string> | null = new Map();
  private readonly pairs = new Set<string>();
  private readonly words = new Set<string>();

  constructor(readonly columns: RecordColumn[]) {}

  /** One reference row (its target columns). */
  add(values: Record<string, unknown> | undefined): void {
    this.columns.forEach((column, k) => {
      const words = new Set(tokensOf(normaliseText(values?.[column.target])));
      if (words.size >= 2 && words.size <= MAX_WORDS) this.addWords([...words].map((token) => tag(k, token)));
    });
  }

  /** One column's distinct words of a reference row: each word is a variant of the removed word of any row whose
   *  words less that one are these less this one. A set's key is its words' hash sum and xor, so it is the same in
   *  any order, and each word's removal is one subtraction. */
  private addWords(words: string[]): void {
    const { groups, vocabulary } = this;
    if (groups === null || vocabulary === null) throw new Error('VariantWords: add() after finish()');
    if (groups.size >= MAX_KEYS) return;
    const hashes = words.map((word) => tokenHash(word));
    let sum = 0;
    let xor = 0;
    for (const h of hashes) {
      sum += h;
      xor ^= h;
    }
    hashes.forEach((h, i) => {
      const key = ((sum - h) >>> 0) * KEY_XOR_SPAN + ((xor ^ h) & (KEY_XOR_SPAN - 1));
      const group = groups.get(key);
      if (group === undefined) groups.set(key, h);
      else if (typeof group === 'number') {
        if (group !== h) groups.set(key, [group, h]);
      } else if (group.length <= MAX_GROUP && !group.includes(h)) group.push(h);
      if (!vocabulary.has(h)) vocabulary.set(h, words[i] as string);
    });
  }

  finish(): this {
    const vocabulary = this.vocabulary;
    for (const group of this.groups?.values() ?? []) {
      if (typeof group === 'number' || group.length > MAX_GROUP || vocabulary === null) continue;
      const words = group.map((h) => vocabulary.get(h) as string);
      for (let i = 0; i < words.length; i++) {
        for (let j = i + 1; j < words.length; j++) {
          if (spellingOf(words[i] as string, words[j] as string)) continue;
          this.pairs.add(pairKey(words[i] as string, words[j] as string));
        }
        this.words.add(words[i] as string);
      }
    }
    this.groups = null;
    this.vocabulary = null;
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
