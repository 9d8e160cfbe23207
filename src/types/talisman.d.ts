// talisman 1.1.4 is CommonJS without types; we import its deep paths (with the .js extension).
declare module 'talisman/phonetics/double-metaphone.js' {
  /** Returns [primary, alternate] codes; both '' when the input has no encodable letters. */
  const doubleMetaphone: (word: string) => [string, string];
  export default doubleMetaphone;
}
declare module 'talisman/metrics/jaro-winkler.js' {
  const jaroWinkler: ((a: string | string[], b: string | string[]) => number) & {
    similarity: (a: string | string[], b: string | string[]) => number;
    distance: (a: string | string[], b: string | string[]) => number;
  };
  export default jaroWinkler;
}
declare module 'talisman/metrics/levenshtein.js' {
  const levenshtein: (a: string | string[], b: string | string[]) => number;
  export default levenshtein;
}
declare module 'talisman/metrics/damerau-levenshtein.js' {
  const damerauLevenshtein: (a: string | string[], b: string | string[]) => number;
  export default damerauLevenshtein;
}
declare module 'talisman/tokenizers/ngrams/index.js' {
  const ngrams: ((n: number, sequence: string) => string[]) & {
    bigrams: (sequence: string) => string[];
    trigrams: (sequence: string) => string[];
  };
  export default ngrams;
}
declare module 'talisman/tokenizers/words/index.js' {
  const words: (text: string) => string[];
  export default words;
}
