// Kind of a mapped field, from value shapes first and column names second. The kind decides the comparator,
// its agreement levels and the blocking transforms tried (see comparator-choice.ts).

import { nameHints } from './names';
import type { ColumnProfile } from './profile';

export type FieldKindName =
  | 'email'
  | 'phone'
  | 'date'
  | 'year'
  | 'price'
  | 'number'
  | 'identifier'
  | 'code'
  | 'category'
  | 'boolean'
  | 'person_name'
  | 'authors'
  | 'title'
  | 'free_text'
  | 'short_text'
  /** fields over several columns (record-fields.ts) */
  | 'record_text'
  | 'codes'
  | 'quantities'
  /** text whose words the other side abbreviates or truncates (mappings.ts) */
  | 'abbreviated_text';

const PERSON_NAME_WORDS = [
  'given_name',
  'surname',
  'middle_name',
  'full_name',
  'first',
  'last',
  'forename',
  'surname',
  'firstname',
  'lastname',
];
const AUTHOR_WORDS = ['authors', 'author', 'creators', 'editors', 'editor'];
const TITLE_WORDS = ['title', 'name', 'product', 'label', 'headline'];
const TEXT_WORDS = ['description', 'desc', 'abstract', 'summary', 'details', 'comment', 'notes', 'text', 'body'];
const PRICE_WORDS = ['price', 'cost', 'amount', 'total', 'fee', 'salary', 'income', 'value'];
const QUANTITY_WORDS = ['age', 'count', 'qty', 'quantity', 'weight', 'height', 'size', 'length', 'width', 'score', 'rating'];
const DATE_WORDS = ['date', 'date_of_birth', 'dob', 'born', 'birthday', 'day', 'time', 'timestamp', 'created', 'updated'];
const PHONE_WORDS = ['phone', 'tel', 'telephone', 'mobile', 'fax', 'cell'];
const EMAIL_WORDS = ['email', 'mail'];

function hasAny(hints: Set<string>, words: string[]): boolean {
  return words.some((w) => hints.has(w));
}

/** Kind of a mapping: `profile` is the reference column's profile (the source's fills in when it is empty). */
export function detectKind(profile: ColumnProfile, sourceName: string, targetName: string): FieldKindName {
  const hints = new Set([...nameHints(sourceName), ...nameHints(targetName)]);
  const s = profile.shares;
  if (profile.declaredType === 'boolean') return 'boolean';
  if (s.email >= 0.7 || (hasAny(hints, EMAIL_WORDS) && s.email >= 0.3)) return 'email';
  // Year: small integers in a calendar range, named year or all of them 4-digit years.
  const range = profile.numberRange;
  const yearRange = range !== null && range[0] >= 1000 && range[1] <= 2200;
  if (
    s.integer >= 0.9 &&
    yearRange &&
    (hints.has('year') || hints.has('yr') || (s.sameLength >= 0.95 && profile.distinct <= 300 && s.leadingZero === 0))
  )
    return 'year';
  // Dates: parsed as dates (YYYYMMDD strings included) by most values; a column of same-length digit codes is
  // only a date when most of its values parse (random 8-digit ids mostly do not).
  // (before phone numbers: 1985-03-12 has the shape of one)
  if (profile.declaredType === 'date' || s.date >= 0.9 || (hasAny(hints, DATE_WORDS) && s.date >= 0.6)) return 'date';
  if (s.phoneLike >= 0.7 || (hasAny(hints, PHONE_WORDS) && s.digitsOnly + s.phoneLike >= 0.5)) return 'phone';
  if (s.currency >= 0.3 || (s.number >= 0.9 && hasAny(hints, PRICE_WORDS))) return 'price';
  if (s.number >= 0.9 && (s.decimal >= 0.3 || hasAny(hints, QUANTITY_WORDS)) && s.leadingZero < 0.01) return 'number';
  if (profile.declaredType === 'number' && s.decimal >= 0.1) return 'number';
  // Few distinct values: a category (state, gender, country), compared exactly.
  if (profile.distinct <= 60 && profile.distinctness < 0.05 && profile.avgTokens <= 3) return 'category';
  if (s.digitsOnly >= 0.9 || (profile.avgTokens <= 1.5 && s.hasDigit >= 0.8)) {
    return profile.distinctness >= 0.9 ? 'identifier' : 'code';
  }
  if (hasAny(hints, AUTHOR_WORDS) || (s.listLike >= 0.5 && s.lettersOnly >= 0.5)) return 'authors';
  if (hasAny(hints, PERSON_NAME_WORDS) && profile.avgTokens <= 4) return 'person_name';
  if (hasAny(hints, TEXT_WORDS) || profile.avgTokens > 12) return 'free_text';
  if (hasAny(hints, TITLE_WORDS) || profile.avgTokens >= 3) return 'title';
  if (s.lettersOnly < 0.5 && profile.avgTokens <= 1.5 && profile.distinctness >= 0.9) return 'identifier';
  return 'short_text';
}
