// What a code is (a product code, model number, SKU, part number, ISBN: a token that mixes letters and digits, or a
// long digit run) and how a raw word folds into one. The codes field reads codes with these (codes.ts), and TF-IDF
// keeps a code written with inner separators as one word (tfidf-cosine.ts), so both read "MDR-EX35LP" as
// mdrex35lp.

import { normaliseText, tokensOf } from '../normalise';

const MIN_CODE_LENGTH = 4;
/** A code of digits alone needs this many (so years and small quantities are not codes). */
const MIN_DIGITS_ONLY = 5;

/** Separators between words in raw text (hyphens, slashes and dots are folded inside a word instead). */
export const WORD_BREAK = /[\s,;:()[\]{}|+&]+/;

/** An amount with its unit ("500gb", "12v", "100pk") or a size ("24x36"): shared by every product of a range, and
 *  compared by the quantities field. */
const QUANTITY = /^\d{1,4}[a-z]{1,4}$/;
export const SIZE = /^\d+(x\d+)+$/;

export function hasDigit(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

function isDigitsOnly(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** `text`: a folded word or words (lower case, no separators). */
export function isCode(text: string): boolean {
  if (text.length < MIN_CODE_LENGTH || !hasDigit(text)) return false;
  if (QUANTITY.test(text) || SIZE.test(text)) return false;
  return !isDigitsOnly(text) || text.length >= MIN_DIGITS_ONLY;
}

/** A raw word case-folded with its inner separators removed ("KTC-D320/1G" → ktcd3201g). */
export function foldWord(word: string): string {
  return tokensOf(normaliseText(word)).join('');
}
