// The review pass (status ai_resolving): a costlier second look at rows whose confidence fell in the review band.
// Per candidate it adds to the engine's field evidence
//   - identical values: where a field's top level also takes values that differ (token_set: one title's words
//     inside the other's, "X" and "X Revisited"), a value both sides hold identically counts with its own Bayes
//     factor (model field `identical`, measured in generation on the model's own pairs: smart/identical.ts),
//   - the whole-record TF-IDF cosine (all compared columns concatenated, IDF over every reference row) as one
//     more field of the model (model.record, damped: it re-reads the same words),
//   - variant words (model.variants, smart/variants.ts): a word pair that tells the reference's own siblings apart
//     (black/red, 4gb/8gb), one word on each side, against the match; a variant word both hold for it,
// and then normalises over the candidates: a source row has at most one true match, so
// P(candidate j) = e^{x_j} / (1 + Σ_k e^{x_k}) with x = the candidates' log-odds.
//
// No term-frequency adjustment from the reference column's value frequencies (Splink's, which replaces u of the top
// level by the value's frequency): that presumes u is the agreement rate of random pairs. The model's u is measured
// on second-best candidates (best-candidate.ts), which share values because they are alike, far more often than
// random pairs; the replacement added up to ln 20 per agreeing field, and another person agreeing on a common first
// name, surname and town was called a match with 0.99997 (people_messy, where 50 reviews then lowered F1).

import { codeItems, codesIdf, codesScore, codeWeights, UNRELATED_SCORE } from '../comparators/codes';
import { buildIdf, sparseCosine, tfidfText, tfidfVector, uniqueTokenHashes, type IdfTable } from '../comparators/tfidf-cosine';
import { compareValues } from '../comparators/index';
import { finiteProbability, levelOf, logit, roundConfidence, scoreLogBayesFactor } from '../match';
import { normaliseText, toText } from '../normalise';
import { mappingCell } from '../normalised-row';
import type { Candidate, EngineRow, FieldEvidence, FieldMapping, MatchConfig, RowMatch } from '../types';
import type { CreateReviewResolver, ReviewResolver } from './types';
import { WholeRecordText, type RecordColumn } from './record-text';
import { VariantWords, type VariantComparison } from './variants';

/** Evidence entry name of the whole-record comparison. */
export const RECORD_EVIDENCE = '*';
/** Evidence entry name of the variant words (variants.ts): the word pair that differs, or the variant word shared. */
export const VARIANT_EVIDENCE = '~';

interface Scored {
  id: string;
  logOdds: number;
  scores: Array<number | null>;
  cosine: number;
  variant: VariantComparison | null;
  row: EngineRow;
}

export const createReviewResolver: CreateReviewResolver = (match, reference, source = []) => {
  const statistics = new ReviewStatistics(match);
  for (const row of reference) statistics.add(row);
  for (const row of source) statistics.addSource(row);
  return statistics.finish();
};

/**
 * What the review pass needs from the whole reference table, gathered one row at a time (the rows themselves are
 * not kept, so a caller can stream a large table through it): record IDF and the IDF of tfidf and codes fields.
 * add() every reference row, addSource() every source row of the run, then finish() gives the resolver.
 */
export class ReviewStatistics {
  private readonly mappings: FieldMapping[];
  private readonly record: WholeRecordText;
  private readonly variants: VariantWords | null;
  /** Per field, what its IDF is built from: the words of a tfidf field, the code items of a codes field. */
  private readonly collected: Array<{ algorithm: 'tfidf_cosine' | 'codes'; items: number[]; offsets: number[] } | null>;

  constructor(private readonly match: MatchConfig) {
    this.mappings = match.fieldMappings ?? [];
    const columns: RecordColumn[] =
      match.model?.record?.columns ??
      this.mappings.filter((m) => m.sourceColumns === undefined).map((m) => ({ source: m.source, target: m.target }));
    this.record = new WholeRecordText(columns);
    this.variants = match.model?.variants === undefined ? null : new VariantWords(match.model.variants.columns);
    this.collected = this.mappings.map((m) => {
      const algorithm = m.strategy === 'fuzzy' ? m.options?.algorithm : undefined;
      return algorithm === 'tfidf_cosine' || algorithm === 'codes' ? { algorithm, items: [], offsets: [0] } : null;
    });
  }

  add(row: EngineRow): void {
    this.record.add(row.values);
    this.variants?.add(row.values);
    this.mappings.forEach((m, f) => {
      const c = this.collected[f];
      if (!c) return;
      const cell = mappingCell(m, row.values, 'target');
      const items = c.algorithm === 'codes' ? codeItems(toText(cell)) : uniqueTokenHashes(tfidfText(cell));
      for (const item of items) c.items.push(item);
      c.offsets.push(c.items.length);
    });
  }

  /**
   * A source row as one more document of the word IDFs (the record text's and the tfidf fields'), as the TF-IDF
   * baseline counts both tables: words every source row repeats (a retailer's boilerplate, its own category names)
   * are then common, not rare words that only lengthen the source's vectors. Code rarity stays the reference's: it
   * says how many reference rows a code could name. Walmart-Amazon 0.795 → 0.799, bibliographic +0.002, products
   * +0.001, bank +0.001, people_messy and amazon_walmart unchanged.
   */
  addSource(row: EngineRow): void {
    this.record.add(row.values, 'source');
    this.mappings.forEach((m, f) => {
      const c = this.collected[f];
      if (c?.algorithm !== 'tfidf_cosine') return;
      for (const item of uniqueTokenHashes(tfidfText(mappingCell(m, row.values, 'source')))) c.items.push(item);
      c.offsets.push(c.items.length);
    });
  }

  finish(): ReviewResolver {
    const { match, mappings, record } = this;
    record.finish();
    const variants = this.variants?.finish() ?? null;
    // Rarity as the engine measures it, over every reference row (compareValues would see the one row compared).
    const idfs: Array<FieldIdf | null> = this.collected.map((c) => {
      if (!c) return null;
      const items = Int32Array.from(c.items);
      const offsets = Int32Array.from(c.offsets);
      const rows = offsets.length - 1;
      return {
        algorithm: c.algorithm,
        idf: c.algorithm === 'codes' ? codesIdf(items, offsets, rows, false) : buildIdf(items, offsets, rows, false),
      };
    });
    return {
      resolve(source, candidates) {
        return resolveRow(match, mappings, idfs, record, variants, source, candidates);
      },
    };
  }
}

interface FieldIdf {
  algorithm: 'tfidf_cosine' | 'codes';
  idf: IdfTable;
}

/** A field's source side, made once per row and compared with each candidate: its cell (compareValues), its code
 *  items, or its TF-IDF vector (null: no text), with the reference's IDF. */
type SourceSide =
  | { kind: 'cell'; cell: unknown }
  | { kind: 'codes'; items: Int32Array; idf: IdfTable }
  | { kind: 'tfidf'; vector: ReturnType<typeof tfidfVector> | null; idf: IdfTable };

function sourceSide(idf: FieldIdf | null, cell: unknown, normalised: string): SourceSide {
  if (idf === null) return { kind: 'cell', cell };
  if (idf.algorithm === 'codes') return { kind: 'codes', items: codeItems(toText(cell)), idf: idf.idf };
  const text = tfidfText(cell, normalised);
  return { kind: 'tfidf', vector: text === '' ? null : tfidfVector(text, idf.idf), idf: idf.idf };
}

function fieldScore(mapping: FieldMapping, source: SourceSide, b: unknown): number | null {
  switch (source.kind) {
    case 'cell':
      return compareValues(mapping, source.cell, b);
    case 'codes': {
      const y = codeItems(toText(b));
      // A reference row with no code at all, where the source row has one, confirms no model number either: read
      // as unrelated codes. Measured on Walmart-Amazon's truth that is even worse evidence (log BF −1.95 against
      // −0.99 for unrelated codes), but EM over the sample cannot tell it as a level of its own (−0.46), and the
      // engine keeps it missing: pooled there too, the refit moved the margin and F1 fell (0.789 → 0.786). Here
      // it took Walmart-Amazon from 0.789 to 0.792 and left the synthetic sets as they were.
      if (y.length === 0 && source.items.length > 0) return UNRELATED_SCORE;
      const score = codesScore(source.items, 0, source.items.length, y, codeWeights(y, source.idf), 0, y.length);
      return score < 0 ? null : score;
    }
    case 'tfidf': {
      const y = tfidfText(b);
      if (source.vector === null || y === '') return null;
      const va = source.vector;
      const vb = tfidfVector(y, source.idf);
      return sparseCosine(va.hashes, va.weights, 0, va.hashes.length, vb.hashes, vb.weights, 0, vb.hashes.length);
    }
  }
}

function resolveRow(
  match: MatchConfig,
  mappings: FieldMapping[],
  idfs: Array<FieldIdf | null>,
  record: WholeRecordText,
  variants: VariantWords | null,
  source: EngineRow,
  candidates: EngineRow[],
): RowMatch {
  const model = match.model;
  const sourceValues = source.values ?? {};
  const sourceVector = record.vector(sourceValues, 'source');
  const sourceWords = variants?.wordsOf(sourceValues, 'source');
  // Read once per row: a field over several columns joins its cells.
  const sourceCells = mappings.map((m) => mappingCell(m, sourceValues, 'source'));
  const sourceTexts = sourceCells.map((cell) => normaliseText(cell));
  const sourceSides = mappings.map((_, f) => sourceSide(idfs[f] ?? null, sourceCells[f], sourceTexts[f] as string));
  const seen = new Set<string>();
  const scored: Scored[] = [];
  for (const row of candidates) {
    const id = String(row.id);
    if (seen.has(id)) continue;
    seen.add(id);
    const values = row.values ?? {};
    const scores = mappings.map((m, f) =>
      Number.isFinite(m.weight) && m.weight > 0 ? fieldScore(m, sourceSides[f] as SourceSide, mappingCell(m, values, 'target')) : null,
    );
    const cosine = WholeRecordText.cosine(sourceVector, record.vector(values, 'target'));
    const variant =
      variants === null || sourceWords === undefined ? null : variants.compare(sourceWords, variants.wordsOf(values, 'target'));
    let logOdds: number;
    if (model !== undefined) {
      logOdds = logit(finiteProbability(model.prior));
      scores.forEach((s, f) => {
        const field = model.fields[f];
        if (s === null || field === undefined) return;
        if (levelOf(field.levels, s) < 0) return;
        const identical =
          field.identical !== undefined &&
          sourceTexts[f] !== '' &&
          sourceTexts[f] === normaliseText(mappingCell(mappings[f] as FieldMapping, values, 'target'));
        logOdds += identical
          ? (field.identical?.logBayesFactor as number)
          : scoreLogBayesFactor(field.levels, field.logBayesFactors, s, field.interpolate === true);
      });
      if (model.record !== undefined && !Number.isNaN(cosine))
        logOdds += scoreLogBayesFactor(model.record.levels, model.record.logBayesFactors, cosine, model.record.interpolate === true);
      if (model.variants !== undefined && variant !== null)
        logOdds += scoreLogBayesFactor(model.variants.levels, model.variants.logBayesFactors, variant.score, false);
    } else {
      // No model (a manual config): the weighted average and the record cosine, half each, as log-odds.
      let weighted = 0;
      let total = 0;
      scores.forEach((s, f) => {
        const w = (mappings[f] as FieldMapping).weight;
        if (s === null || !(w > 0)) return;
        weighted += w * s;
        total += w;
      });
      const confidence =
        total === 0
          ? Number.isNaN(cosine)
            ? 0
            : cosine
          : Number.isNaN(cosine)
            ? weighted / total
            : 0.5 * (weighted / total) + 0.5 * cosine;
      logOdds = logit(finiteProbability(confidence));
    }
    scored.push({ id, logOdds, scores, cosine, variant, row });
  }
  if (scored.length === 0) return { sourceRowId: String(source.id), referenceRowId: null, confidence: 0, evidence: [], candidates: [] };
  // At most one true match per source row: normalise over the candidates (and "none of them").
  const max = Math.max(0, ...scored.map((c) => c.logOdds));
  const denominator = Math.exp(-max) + scored.reduce((sum, c) => sum + Math.exp(c.logOdds - max), 0);
  const probability = (c: Scored) =>
    roundConfidence(model === undefined ? 1 / (1 + Math.exp(-c.logOdds)) : Math.exp(c.logOdds - max) / denominator);
  const ranked = scored
    .map((c) => ({ c, p: probability(c) }))
    .sort((a, b) => b.p - a.p || b.c.logOdds - a.c.logOdds || (a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0));
  const best = ranked[0] as { c: Scored; p: number };
  const threshold = Number.isFinite(match.threshold) ? match.threshold : 0;
  const evidence: FieldEvidence[] = mappings.map((m, f) => ({
    source: m.source,
    target: m.target,
    strategy: m.strategy,
    score: best.c.scores[f] ?? null,
    sourceValue: sourceCells[f] ?? null,
    referenceValue: cellText(mappingCell(m, best.c.row.values, 'target')),
  }));
  evidence.push({
    source: RECORD_EVIDENCE,
    target: RECORD_EVIDENCE,
    strategy: 'fuzzy',
    score: Number.isNaN(best.c.cosine) ? null : best.c.cosine,
    sourceValue: record.text(sourceValues, 'source'),
    referenceValue: record.text(best.c.row.values, 'target'),
  });
  if (best.c.variant !== null)
    evidence.push({
      source: VARIANT_EVIDENCE,
      target: VARIANT_EVIDENCE,
      strategy: 'fuzzy',
      score: best.c.variant.score,
      sourceValue: best.c.variant.sourceWord,
      referenceValue: best.c.variant.referenceWord,
    });
  const top: Candidate[] = ranked.slice(0, 5).map(({ c, p }) => ({ referenceRowId: c.id, confidence: p }));
  return {
    sourceRowId: String(source.id),
    referenceRowId: best.p >= threshold ? best.c.id : null,
    confidence: best.p,
    evidence,
    candidates: top,
  };
}

function cellText(value: unknown): string | null {
  const text = toText(value);
  return text === '' ? null : text;
}
