// Noise shared by the generators: the data-entry errors every kind of record suffers from.
import type { Random } from './random';

/** Keys next to each letter and digit (QWERTY): where a slipped finger lands. */
export const KEYBOARD_NEIGHBOURS: Record<string, string> = {
  a: 'qsz',
  b: 'vgn',
  c: 'xvd',
  d: 'sfe',
  e: 'wrd',
  f: 'dgr',
  g: 'fht',
  h: 'gjy',
  i: 'uok',
  j: 'hku',
  k: 'jli',
  l: 'kop',
  m: 'nj',
  n: 'bmh',
  o: 'ipl',
  p: 'ol',
  q: 'wa',
  r: 'etf',
  s: 'adw',
  t: 'ryg',
  u: 'yij',
  v: 'cbf',
  w: 'qes',
  x: 'zcs',
  y: 'tuh',
  z: 'xa',
  '0': '9',
  '1': '2',
  '2': '13',
  '3': '24',
  '4': '35',
  '5': '46',
  '6': '57',
  '7': '68',
  '8': '79',
  '9': '80',
};

/** One keyboard slip: a neighbouring key, a dropped or doubled letter, or two letters swapped. */
export function typo(random: Random, text: string): string {
  if (text.length < 3) return text;
  const i = random.int(text.length);
  const c = text[i] as string;
  const lower = c.toLowerCase();
  switch (random.int(4)) {
    case 0: {
      const neighbour = random.pick([...(KEYBOARD_NEIGHBOURS[lower] ?? lower)]);
      return text.slice(0, i) + (c === lower ? neighbour : neighbour.toUpperCase()) + text.slice(i + 1);
    }
    case 1:
      return text.slice(0, i) + text.slice(i + 1);
    case 2:
      return text.slice(0, i) + c + text.slice(i);
    default: {
      const j = Math.min(i, text.length - 2);
      return text.slice(0, j) + text[j + 1] + text[j] + text.slice(j + 2);
    }
  }
}

/** A typo with probability p, a second one with probability p² (long fields collect several). */
export function maybeTypos(random: Random, text: string, p: number): string {
  let out = text;
  if (random.chance(p)) out = typo(random, out);
  if (random.chance(p * p)) out = typo(random, out);
  return out;
}

export function titleCase(text: string): string {
  return text.replace(/\b([a-z])([a-z]*)/g, (_, first: string, rest: string) => first.toUpperCase() + rest);
}

/** Two-digit zero padding for dates and codes. */
export function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
