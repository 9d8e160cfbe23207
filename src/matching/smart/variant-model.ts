// Variant words (variants.ts) as one more Fellegi–Sunter field of the review pass, measured like identical values
// (identical.ts) on the pairs of the model's refit: m from the best candidates weighted by their posterior, u from
// the second-best ones, which are the siblings a variant word tells apart. Its words are those of the word-overlap
// fields of one column (TF-IDF or token set: titles, names of things, memos).

import type { EngineRow, FieldMapping, ModelField } from '../types';
import { refitLevelShares, type RefitSample } from './best-candidate';
import { round } from './profile';
import type { RecordColumn } from './record-text';
import { VariantWords } from './variants';

/** Scores 1 (a variant word in common) and 0 (a variant pair between the two rows). */
export const VARIANT_LEVELS = [1, 0];

export type VariantField = ModelField & { columns: RecordColumn[] };

/** The columns whose words variant pairs are read from: the single-column word-overlap fields. */
export function variantColumns(mappings: FieldMapping[]): RecordColumn[] {
  return mappings
    .filter((m) => {
      const algorithm = m.strategy === 'fuzzy' ? m.options?.algorithm : undefined;
      return m.sourceColumns === undefined && m.targetColumns === undefined && (algorithm === 'tfidf_cosine' || algorithm === 'token_set');
    })
    .map((m) => ({ source: m.source, target: m.target }));
}

/** Measured on the refit's pairs (`sample`); null when the reference shows no variant pair or no column has words
 *  to read. */
export function fitVariantModel(
  mappings: FieldMapping[],
  sample: RefitSample,
): { field: VariantField; summary: Record<string, unknown> } | null {
  const { sourceRows, referenceRows, pairs } = sample;
  const columns = variantColumns(mappings);
  if (columns.length === 0) return null;
  const variants = new VariantWords(columns);
  for (const row of referenceRows) variants.add(row.values);
  variants.finish();
  if (variants.size === 0) return null;
  const sourceWords = new Map<number, Set<string>>();
  const level = (pair: number): number | null => {
    const s = pairs.source[pair] as number;
    let words = sourceWords.get(s);
    if (words === undefined) sourceWords.set(s, (words = variants.wordsOf(sourceRows[s]?.values, 'source')));
    const compared = variants.compare(words, variants.wordsOf(referenceRows[pairs.reference[pair] as number]?.values, 'target'));
    return compared === null ? null : compared.score === 1 ? 0 : 1;
  };
  const shares = refitLevelShares(VARIANT_LEVELS.length, level, sample);
  const mp = shares.m.map((x) => round(x, 6));
  const up = shares.u.map((x) => round(x, 6));
  let logBayesFactors = mp.map((x, l) => round(Math.log(x / (up[l] as number)), 6));
  // Monotone like every field: a variant word in common never counts less than a variant pair apart. Pooled, the
  // two levels are all of the field's mass on both sides: m = u, no evidence.
  if ((logBayesFactors[0] as number) < (logBayesFactors[1] as number)) logBayesFactors = [0, 0];
  return {
    field: { levels: VARIANT_LEVELS, logBayesFactors, m: mp, u: up, columns },
    summary: {
      columns: columns.map((c) => (c.source === c.target ? c.source : `${c.source}→${c.target}`)),
      variantPairs: variants.size,
      levels: VARIANT_LEVELS,
      m: mp,
      u: up,
      logBayesFactors,
    },
  };
}
