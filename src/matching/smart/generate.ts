// generateStrategy: profile → mappings → comparators → u from random pairs → broad candidate search and a first
// EM fit → proxy true pairs → blocking keys by measurement → EM on the blocked pairs (with labels) → model,
// threshold, review band and a rationale per mapping. Deterministic: no clock, no Math.random, stable sorts.

import { defaultBlockingKeys, DEFAULT_MAX_POSTINGS } from '../blocking';
import type { BlockingConfig, EngineRow, FieldMapping, FellegiSunterModel, MatchConfig, DecidedPair } from '../types';
import { chooseBlockingKeys, MAX_PAIRS_PER_RECALL, MAX_POSTINGS_TRIED } from './blocking-choice';
import { broadCandidatePairs } from './broad-search';
import { chooseComparator, type ChoiceOverrides, type ComparatorChoice } from './comparator-choice';
import { expectationMaximisation, levelFrequencies } from './em';
import { KeyValueCache } from './key-values';
import { detectKind, type FieldKindName } from './kinds';
import { measureIdentical, needsIdenticalEvidence } from './identical';
import { fitVariantModel } from './variant-model';
import { decidedConfidences } from './decided-confidences';
import { identifierLike, proposeMappings, type ProfiledColumn, type ProposedMapping } from './mappings';
import {
  bestClaimantShare,
  bestPairPerRow,
  fitBestCandidates,
  fitMargin,
  type BestCandidateFit,
  type LabelledVectors,
  type RefitSample,
} from './best-candidate';
import { proposeRecordFields } from './record-fields';
import {
  CONFIDENT_POSTERIOR,
  differenceUnit,
  LOPSIDED_SHARE,
  measureField,
  MIN_CONFIDENT_PAIRS,
  pairsIdentifiedWithout,
  SIGN_TEST_Z,
  WINDOW_TAIL,
  type DifferenceMeasurement,
} from './offsets';
import { randomPairs, SampleComparator, type ComparisonVectors, type PairSet } from './pairs';
import { profileColumn, round } from './profile';
import { EMPHASIS_FACTOR, parsePrompt, type PromptDirectives } from './prompt';
import { mappingRationale } from './rationale';
import { fitRecordModel } from './record-model';
import { expectedF1Threshold, offsetToExpectedMatches, reviewBandAround, withLogOddsOffset } from './threshold';
import type { GeneratedStrategy, GenerateStrategy, GenerateStrategyInput, LabelledPair, MappingExplanation } from './types';

const SEED = 0x5eed;
const RANDOM_PAIRS = 20000;
const BROAD_PER_ROW = 10;
const TARGET_RECALL = 0.998;
const MAX_KEYS = 8;
const PROXY_MIN_POSTERIOR = 0.5;
/** EM (and what rests on it) reads the blocked pairs of every k-th source row when there are more than this:
 *  the fit is the same in expectation, and comparing long texts is the costliest step of generation. */
const MAX_EM_PAIRS = 60000;
/** One-to-one from the data: halfway between 1 (each reference row matched once) and ½ (two source rows per
 *  reference row); see bestClaimantShare. */
const MIN_BEST_CLAIMANT_SHARE = 0.75;
/** Log Bayes factors of a title field whose words the whole-record text also scores. */
const TITLE_DAMPING = 0.5;

export const generateStrategy: GenerateStrategy = (input) => {
  const reference = input.reference;
  const selfMatch = input.source === undefined;
  const source = input.source ?? input.reference;
  const columnNames = [...new Set([...source.columns.map((c) => c.name), ...reference.columns.map((c) => c.name)])];
  const directives = parsePrompt(input.userPrompt, columnNames);
  const notCompared = new Set([
    ...directives.ignore,
    ...[reference.idColumn, input.source?.idColumn].filter((c): c is string => c !== undefined),
  ]);

  // 1. Profiles
  const referenceColumns: ProfiledColumn[] = reference.columns.map((c) => profileColumn(c, reference.rows));
  const sourceColumns: ProfiledColumn[] = selfMatch ? referenceColumns : source.columns.map((c) => profileColumn(c, source.rows));

  // 2. Mappings
  const proposal = selfMatch ? selfMappings(referenceColumns, notCompared) : proposeMappings(sourceColumns, referenceColumns, notCompared);
  const proposed = proposal.mappings;

  // 3. Kinds and comparators
  const profileOf = (name: string, side: ProfiledColumn[]) => side.find((c) => c.profile.name === name)?.profile;
  const kinds: FieldKindName[] = [];
  const choices: ComparatorChoice[] = [];
  const overrides: ChoiceOverrides[] = [];
  const promptTolerance: boolean[] = [];
  const fieldMappings: FieldMapping[] = proposed.map((p) => {
    const refProfile = profileOf(p.target, referenceColumns);
    const srcProfile = profileOf(p.source, sourceColumns);
    const profile = refProfile !== undefined && refProfile.fillRate > 0 ? refProfile : (srcProfile ?? refProfile);
    const detected = profile === undefined ? 'short_text' : detectKind(profile, p.source, p.target);
    // A "category" whose values the two tables spell differently (VLDB / Very Large Data Bases) needs a fuzzy
    // comparison: exact only when most source values are found verbatim.
    const kind: FieldKindName = p.abbreviated
      ? 'abbreviated_text'
      : detected === 'category' && p.overlap.values < 0.5
        ? (profile?.avgTokens ?? 1) >= 2
          ? 'title'
          : 'short_text'
        : detected;
    const named = (map: Map<string, number>) => map.get(p.source) ?? map.get(p.target);
    const orders = [srcProfile?.dateOrder, refProfile?.dateOrder];
    const override: ChoiceOverrides = {
      exact: directives.exact.has(p.source) || directives.exact.has(p.target),
      monthFirst: orders.includes('month_first') && !orders.includes('day_first'),
      toleranceDays: named(directives.toleranceDays) ?? directives.toleranceDays.get('*'),
      tolerancePct:
        named(directives.tolerancePct) ?? (kind === 'price' || kind === 'number' ? directives.tolerancePct.get('*') : undefined),
    };
    const choice = chooseComparator(kind, override);
    kinds.push(kind);
    choices.push(choice);
    overrides.push(override);
    // An instructed tolerance (or exact comparison) is kept: nothing is learnt for the field.
    promptTolerance.push(
      override.exact === true ||
        (kind === 'date' ? override.toleranceDays !== undefined : kind !== 'year' && override.tolerancePct !== undefined),
    );
    return {
      source: p.source,
      target: p.target,
      strategy: choice.strategy,
      weight: 1,
      ...(choice.options ? { options: choice.options } : {}),
    };
  });
  const recordFields = selfMatch
    ? { fields: [], measured: {} }
    : proposeRecordFields({ columns: sourceColumns, rows: source.rows }, { columns: referenceColumns, rows: reference.rows }, notCompared);
  const hasRecordText = recordFields.fields.some((f) => f.kind === 'record_text');
  for (const field of recordFields.fields) {
    proposed.push(field.proposed);
    kinds.push(field.kind);
    choices.push(field.choice);
    overrides.push({});
    promptTolerance.push(false);
    fieldMappings.push(field.mapping);
  }
  const levels = choices.map((c) => c.levels);

  const details: Record<string, unknown> = {
    sample: {
      sourceRows: source.rows.length,
      referenceRows: reference.rows.length,
      selfMatch,
      referenceRowCount: reference.rowCount ?? reference.rows.length,
    },
    profiles: {
      source: selfMatch ? 'same as reference' : sourceColumns.map((c) => c.profile),
      reference: referenceColumns.map((c) => c.profile),
    },
    overlaps: proposal.overlaps,
    rejectedMappings: proposal.rejected.map((r) => {
      const within = recordFields.fields
        .filter((field) => field.mapping.sourceColumns?.includes(r.source) || field.mapping.targetColumns?.includes(r.target))
        .map((field) => field.kind.replace('_', ' '));
      return within.length === 0
        ? r
        : {
            ...r,
            reason: `${r.reason}; not compared as a pair, but read by the ${within.join(' and ')} field${within.length > 1 ? 's' : ''}`,
          };
    }),
    recordFields: recordFields.measured,
    prompt: { understood: directives.understood },
  };
  if (fieldMappings.length === 0 || source.rows.length === 0 || reference.rows.length === 0) {
    const band = reviewBandAround(0.5);
    details.note = 'no mapping could be proposed (no column pair shares names or values), or a sample is empty';
    return {
      match: { fieldMappings, threshold: 0.5, oneToOne: directives.oneToOne },
      reviewBand: { low: band.low, high: band.high },
      mappings: [],
      details,
      labelsUsed: 0,
    };
  }

  const excludeSame = selfMatch ? (s: number, r: number) => source.rows[s]?.id === reference.rows[r]?.id : undefined;
  const randomPairSet = randomPairs(source.rows.length, reference.rows.length, RANDOM_PAIRS, SEED, excludeSame);
  const levelCounts = levels.map((l) => l.length);

  // 4. Broad candidate search (pairs independent of the comparators' options)
  const broadMaxPostings = Math.max(50, Math.ceil(0.05 * reference.rows.length));
  const keyValues = new KeyValueCache(source.rows, reference.rows);
  const broadPairs = broadCandidatePairs(source.rows, reference.rows, fieldMappings, keyValues, {
    perRow: BROAD_PER_ROW,
    maxPostings: broadMaxPostings,
    excludeSame,
  });

  // 5. u from random pairs and a first EM fit on the broad candidates: proxy true pairs for measuring blocking recall
  const firstPass = (comparator: SampleComparator) => {
    const random = comparator.compare(randomPairSet);
    const broad = comparator.compare(broadPairs);
    const u = levelFrequencies(random, levelCounts);
    const firstFit = expectationMaximisation(broad, u, {
      initialLambda: 1 / BROAD_PER_ROW,
      maxLambda: source.rows.length / Math.max(1, broad.count),
      groups: broadPairs.source,
    });
    return { comparator, random, broad, u, firstFit };
  };
  let first = firstPass(new SampleComparator(reference.rows, source.rows, fieldMappings, levels));

  // 5b. Dates and numbers that differ in one direction (offsets.ts): measured on the pairs the other fields
  // identify under the first fit; a field whose differences have a direction gets a window, and the first pass is
  // made again with it. A prompt's tolerance wins; a table matched against itself has no direction.
  const differences: Array<DifferenceMeasurement | null> = fieldMappings.map((mapping, f) => {
    const unit = differenceUnit(kinds[f] as FieldKindName);
    if (unit === null || selfMatch || promptTolerance[f] || mapping.sourceColumns !== undefined) return null;
    const identified = pairsIdentifiedWithout(broadPairs, first.broad, first.firstFit.fields, first.firstFit.lambda, f);
    return measureField(mapping, unit, source.rows, reference.rows, broadPairs, identified);
  });
  let windowsLearnt = 0;
  differences.forEach((measured, f) => {
    if (measured?.window == null) return;
    const choice = chooseComparator(kinds[f] as FieldKindName, { ...(overrides[f] as ChoiceOverrides), window: measured.window });
    choices[f] = choice;
    const mapping = fieldMappings[f] as FieldMapping;
    mapping.strategy = choice.strategy;
    mapping.options = choice.options;
    windowsLearnt++;
  });
  if (windowsLearnt > 0) first = firstPass(new SampleComparator(reference.rows, source.rows, fieldMappings, levels));
  const { comparator, random, broad, u, firstFit } = first;
  const proxy = selectPairs(broadPairs, firstFit.posteriors, PROXY_MIN_POSTERIOR);

  // Labels as comparison vectors, with the comparators as they now are
  const labelVectors = compareLabels(input, fieldMappings, levels);

  // 6. Blocking keys
  const referenceRowCount = Math.max(reference.rowCount ?? reference.rows.length, reference.rows.length);
  const scale = reference.rows.length / referenceRowCount;
  const preferred = new Set(
    fieldMappings.flatMap((m, f) => (directives.emphasise.has(m.source) || directives.emphasise.has(m.target) ? [f] : [])),
  );
  const choice =
    proxy.count === 0
      ? null
      : chooseBlockingKeys({
          sourceRows: source.rows,
          referenceRows: reference.rows,
          mappings: fieldMappings,
          keyValues,
          transforms: choices.map((c) => c.blocking),
          proxySource: proxy.source,
          proxyReference: proxy.reference,
          scale,
          targetRecall: TARGET_RECALL,
          maxKeys: MAX_KEYS,
          preferred,
        });
  const maxPostings = choice?.maxPostings ?? DEFAULT_MAX_POSTINGS;
  const stopKeyLimit = Math.max(1, Math.floor(maxPostings * scale));
  const blocking: BlockingConfig = { strategy: 'parallel', keys: choice?.keys ?? defaultBlockingKeys(fieldMappings), maxPostings };

  // 7. EM on the blocked pairs
  const allBlockedPairs = comparator.blockedPairs({ ...blocking, maxPostings: stopKeyLimit }, selfMatch);
  const blockedPairs = everyKthRow(allBlockedPairs, MAX_EM_PAIRS);
  const blocked = comparator.compare(blockedPairs);
  const firstMatches = firstFit.lambda * broad.count;
  // Labels do not enter this fit: its pairs are every candidate, and reviews are not a sample of them but best
  // candidates of known class, the hardest ones. They enter the refit on best candidates below, each as one pair
  // (approved add to m, rejected to u). Weighted here as much as all unlabelled evidence, 24 approvals of sibling
  // products moved the refit's start so far that it settled elsewhere (whole-record text at ≥ 0.8: log BF 4.8 → 1.7).
  const fit = expectationMaximisation(blocked, u, {
    initialLambda: Math.min(0.5, Math.max(firstMatches, 1) / Math.max(blocked.count, 1)),
    maxLambda: source.rows.length / Math.max(1, blocked.count),
    groups: blockedPairs.source,
  });
  const labels = labelVectors ?? undefined;

  // 8. Model, prior, threshold: refitted on each source row's best candidate (best-candidate.ts).
  const emphasis = fieldMappings.map((m) =>
    directives.emphasise.has(m.source) || directives.emphasise.has(m.target) ? EMPHASIS_FACTOR : 1,
  );
  const chanceTies = choices.flatMap((c, f) => {
    if (c.chanceLevel === undefined) return [];
    const { level, pooledWith } = c.chanceLevel;
    const uf = u[f] as number[];
    return [{ field: f, level, pooledWith, share: (uf[level] as number) / ((uf[level] as number) + (uf[pooledWith] as number)) }];
  });
  /** Two rounds, so the second ranks candidates by the weights the first one learnt. Each review is one best pair
   *  whose class is known: it weighs as one. */
  const fitOnBest = (known: LabelledVectors | undefined): { fitted: BestCandidateFit; best: Int32Array } => {
    let fitted: BestCandidateFit | null = null;
    let rankBy = fit.fields.map((p) => p.m.map((m, l) => Math.log(m / (p.u[l] as number))));
    let best: Int32Array = new Int32Array(0);
    for (let round = 0; round < 2; round++) {
      const ranked = bestPairPerRow(blockedPairs, blocked, rankBy, source.rows.length);
      best = ranked.best;
      fitted = fitBestCandidates(
        blocked,
        best,
        ranked.second,
        levelCounts,
        fitted?.m ?? fit.fields.map((p) => p.m),
        fitted?.lambda ?? 0.5,
        known,
        chanceTies,
      );
      rankBy = fitted.logBayesFactors;
    }
    return { fitted: fitted as BestCandidateFit, best };
  };
  const { fitted, best } = fitOnBest(labels);
  // The whole-record text holds the long text fields' words again. A free-text field is compared as it is (TF-IDF
  // cosine of a part of the same words): it adds nothing and is not counted. A title's token-set comparison sees
  // the words otherwise (order, repeats, rare and common alike): it counts half.
  const damping = kinds.map((k) => (!hasRecordText ? 1 : k === 'free_text' ? 0 : k === 'title' ? TITLE_DAMPING : 1));
  const finalFactors = (factors: number[][]) =>
    factors.map((l, f) => l.map((x) => round(x * (emphasis[f] as number) * (damping[f] as number), 6)));
  const logBayesFactors = finalFactors(fitted.logBayesFactors);
  // A value both sides hold identically says more than the whole-record text's similarity does (that text also
  // holds the other columns' words, categories from two taxonomies among them): it counts at least half.
  const identicalDamping = (f: number) => Math.max(damping[f] as number, TITLE_DAMPING);
  const final = bestPairPerRow(blockedPairs, blocked, logBayesFactors, source.rows.length);
  // The margin is the unlabelled model's: reviews are the rows nearest the threshold, and the margin's m and u, both
  // free, moved with them (Walmart-Amazon after 50 reviews: a lead of 3 to 6 from +1.46 to +2.23, and 46 rows
  // without a match went from 0.4 to 0.88). With the labels, λ is refitted under it.
  const unlabelledMargin = () => {
    const unlabelled = fitOnBest(undefined).fitted;
    const factors = finalFactors(unlabelled.logBayesFactors);
    const ranked = bestPairPerRow(blockedPairs, blocked, factors, source.rows.length);
    return fitMargin(blocked, ranked.best, ranked.second, factors, unlabelled.lambda);
  };
  const margin =
    labels === undefined
      ? fitMargin(blocked, final.best, final.second, logBayesFactors, fitted.lambda)
      : fitMargin(blocked, final.best, final.second, logBayesFactors, fitted.lambda, unlabelledMargin());
  const claimantShare = bestClaimantShare(blockedPairs, blocked, best, fitted.posteriors, fitted.logBayesFactors);
  const oneToOne = directives.oneToOne || (!selfMatch && claimantShare >= MIN_BEST_CLAIMANT_SHARE);
  // The prior of a row's best candidate being its match: the share of source rows with a match. One to one, a
  // reference row is the match of one source row at most, so at most reference rows / source rows of the source
  // rows have one. Where the model's posteriors expect more, they are overconfident as a whole, and one log-odds
  // offset brings them down to that bound, in the prior and in the posteriors the threshold is chosen from.
  // Amazon's 22,074 products against Walmart's 2,554 (5 % with a match): λ 0.21, the bound 0.12, the offset −3.0;
  // F1 0.683 → 0.749, where the best threshold in hindsight gives 0.758.
  const sourceRowCount = Math.max(source.rowCount ?? source.rows.length, source.rows.length);
  const matchableShare = oneToOne ? referenceRowCount / sourceRowCount : 1;
  const offset = offsetToExpectedMatches(margin.posteriors, matchableShare * margin.posteriors.length);
  const prior = withLogOddsOffset(Math.min(0.999, Math.max(1e-6, margin.lambda)), offset);
  const notInRecord = new Set([...notCompared, ...proposal.rejected.flatMap((r) => [r.source, r.target])]);
  // A whole-record text field already scores the record; the review pass then needs no second copy of it.
  const record = hasRecordText
    ? null
    : fitRecordModel(
        source.rows,
        reference.rows,
        blockedPairs,
        fit.posteriors,
        randomPairSet,
        source.columns,
        reference.columns,
        fieldMappings,
        notInRecord,
      );
  const refitSample: RefitSample = {
    sourceRows: source.rows,
    referenceRows: reference.rows,
    pairs: blockedPairs,
    best: final.best,
    second: final.second,
    posteriors: margin.posteriors,
  };
  const variants = fitVariantModel(fieldMappings, refitSample);
  const model: FellegiSunterModel = {
    kind: 'fellegi_sunter',
    prior: round(prior, 9),
    fields: fitted.m.map((m, f) => {
      const mapping = fieldMappings[f] as FieldMapping;
      const identical = needsIdenticalEvidence(mapping, levels[f] as number[]) ? measureIdentical(mapping, refitSample) : null;
      return {
        levels: levels[f] as number[],
        logBayesFactors: logBayesFactors[f] as number[],
        m: m.map((x) => round(x, 6)),
        u: (fitted.u[f] as number[]).map((x) => round(x, 6)),
        ...(choices[f]?.interpolate ? { interpolate: true } : {}),
        ...(identical === null
          ? {}
          : {
              identical: {
                m: round(identical.m, 6),
                u: round(identical.u, 6),
                logBayesFactor: round(identical.logBayesFactor * (emphasis[f] as number) * identicalDamping(f), 6),
              },
            }),
      };
    }),
    margin: { levels: margin.levels, logBayesFactors: margin.logBayesFactors.map((x) => round(x, 6)) },
    ...(record !== null ? { record: record.field } : {}),
    ...(variants !== null ? { variants: variants.field } : {}),
  };
  // The best posterior of every source row (in any order: the threshold rule reads them as a set); rows without a
  // candidate pair have 0.
  const bestPerRow = Float64Array.from({ length: source.rows.length }, (_, i) =>
    i < margin.posteriors.length ? withLogOddsOffset(margin.posteriors[i] as number, offset) : 0,
  );
  // Reviews move the model (labels below), not the threshold: they are the rows nearest the old threshold, not a
  // sample of the decisions, and a threshold fitted to them lowered F1 after 50 reviews (bibliographic 0.897 →
  // 0.875, with the labels weighing one best pair each).
  const modelChoice = expectedF1Threshold(bestPerRow);
  const labelsUsed = labels?.vectors.count ?? 0;

  // 9. Weights (for a manual run of the same mappings) and explanations
  const spreads = logBayesFactors.map((l) => Math.max(...l) - Math.min(...l));
  const spreadSum = spreads.reduce((a, b) => a + b, 0) || 1;
  fieldMappings.forEach((m, f) => {
    m.weight = round(Math.max((spreads[f] as number) / spreadSum, 0.001), 6);
  });
  const decisions = keptDecisions(input.labels);
  const match: MatchConfig = {
    fieldMappings,
    threshold: round(modelChoice.threshold, 6),
    blocking,
    model,
    ...(oneToOne ? { oneToOne: true } : {}),
    ...(decisions.length > 0 ? { decisions } : {}),
  };
  // Chosen again on the confidences the run decides by: inside the review band, the review pass's. With the title
  // alone (walmart_amazon_titles) the model's posteriors put it at 0.40 to 0.45 where 0.30 to 0.35 was best; chosen
  // on the review pass's, F1 rose by 0.012 to 0.042 over three sample sizes, and no other dataset's moved.
  const thresholdChoice = selfMatch
    ? modelChoice
    : expectedF1Threshold(decidedConfidences(match, reviewBandAround(match.threshold), reference.rows, source.rows));
  const threshold = round(thresholdChoice.threshold, 6);
  match.threshold = threshold;
  const band = reviewBandAround(threshold);
  details.oneToOne = {
    oneToOne,
    instructed: directives.oneToOne,
    bestClaimantShare: round(claimantShare),
    rule: `one-to-one when instructed, or when at least ${MIN_BEST_CLAIMANT_SHARE} of the expected matches (best pairs weighted by posterior) are their reference row's best claimant among the sample's source rows (1 when every reference row is matched once, ½ or less when source rows come in pairs or more per reference row); otherwise many-to-one`,
  };
  const mappings: MappingExplanation[] = proposed.map((p, f) => ({
    source: p.source,
    target: p.target,
    kind: kinds[f] as string,
    rationale: mappingRationale(
      p,
      kinds[f] as FieldKindName,
      choices[f] as ComparatorChoice,
      { m: fitted.m[f]!, u: fitted.u[f]! },
      logBayesFactors[f] as number[],
      emphasis[f] as number,
      damping[f] as number,
      differences[f]?.window != null ? (differences[f] as DifferenceMeasurement) : undefined,
    ),
    comparator: { strategy: fieldMappings[f]!.strategy, options: fieldMappings[f]!.options ?? {}, levels: levels[f] },
    overlap: { values: round(p.overlap.values), tokens: round(p.overlap.tokens) },
    m: model.fields[f]!.m,
    u: model.fields[f]!.u,
    logBayesFactors: logBayesFactors[f],
  }));

  const emRows = new Set(blockedPairs.source).size;
  const matchesPerRow = emRows === 0 ? 0 : (fit.lambda * blocked.count) / emRows;
  details.differences = {
    rule: `dates, years and numbers (in percent of the larger value): signed differences source − reference on the broad candidates the other fields identify (posterior ≥ ${CONFIDENT_POSTERIOR} under the first fit without the field; at least ${MIN_CONFIDENT_PAIRS} pairs); a window from the ${WINDOW_TAIL} to the ${1 - WINDOW_TAIL} quantile (where most are equal: of those that differ, with 0) replaces the default tolerance when the sign test rejects symmetry (|z| ≥ ${SIGN_TEST_Z}) and either a quartile lies beyond 0 (shifted) or the window is at most ${LOPSIDED_SHARE} of the symmetric one covering the same differences (lopsided); a prompt's tolerance wins`,
    fields: fieldMappings.flatMap((m, f) => {
      const measured = differences[f];
      if (measured == null) return [];
      const figures = Object.fromEntries(Object.entries(measured).map(([k, v]) => [k, typeof v === 'number' ? round(v, 4) : v]));
      return [{ source: m.source, target: m.target, ...figures }];
    }),
  };
  details.randomPairs = {
    count: random.count,
    seed: SEED,
    use: 'u = level frequencies among random pairs (matches are negligible there), smoothed by 0.5 per level',
  };
  details.broadSearch = {
    pairs: broad.count,
    perRow: BROAD_PER_ROW,
    maxPostings: broadMaxPostings,
    lambda: round(firstFit.lambda, 6),
    iterations: firstFit.iterations,
    proxyPairs: proxy.count,
    rule: `reference rows sharing a token (names: also a Double Metaphone code; dates and numbers: also a nearby value) held by ≤ ${broadMaxPostings} sample rows, ranked by the summed IDF of what they share, best ${BROAD_PER_ROW} per source row; proxy true pairs = posterior ≥ ${PROXY_MIN_POSTERIOR} under an EM fit on them`,
  };
  details.blocking = {
    strategy: 'parallel',
    keys: blocking.keys,
    chosenBy:
      choice === null
        ? "no proxy pairs found: the engine's default keys"
        : `greedy: best proxy recall gained per candidate pair added (+0.5 pairs/row per key) until estimated recall ≥ ${TARGET_RECALL}, at most ${MAX_KEYS} keys, a key only when it costs ≤ ${MAX_PAIRS_PER_RECALL} pairs/row per unit of recall; then keys the others make redundant are dropped; repeated for maxPostings ${MAX_POSTINGS_TRIED.join(', ')} (scaled to the sample), keeping the best min(recall, target) − pairs/row ÷ ${MAX_PAIRS_PER_RECALL}`,
    maxPostings,
    alternatives: choice?.alternatives ?? [],
    estimatedRecall: choice?.recall ?? null,
    proxyPairs: choice?.proxyPairs ?? 0,
    stopKeyLimitInSample: stopKeyLimit,
    steps: choice?.steps ?? [],
    candidates: choice?.candidates ?? [],
    candidatesNote:
      'every candidate key measured on the sample under the chosen maxPostings: recall of the proxy pairs, pairs per source row (−1: over 400 pairs per row, not considered)',
    samplePairs: allBlockedPairs.count,
    samplePairsPerRow: round(allBlockedPairs.count / source.rows.length),
  };
  details.em = {
    pairs: blocked.count,
    ofBlockedPairs: allBlockedPairs.count,
    maxPairs: MAX_EM_PAIRS,
    patterns: fit.patterns,
    iterations: fit.iterations,
    converged: fit.converged,
    lambda: round(fit.lambda, 6),
    estimatedMatchesPerSourceRow: round(matchesPerRow),
    note: 'u fixed from random pairs; m and λ by EM on the blocked sample pairs (λ ≤ source rows / pairs: at most one match per source row); missing values are skipped (Bayes factor 1)',
  };
  details.model = {
    prior: model.prior,
    lambda: round(margin.lambda, 6),
    priorOffset: round(offset, 4),
    matchableShare: round(Math.min(1, matchableShare), 6),
    priorRule:
      'λ of the refit on best candidates (best-candidate.ts): the share of source rows whose best candidate is their match; one to one, where the posteriors expect more matches than reference rows / source rows of the rows (each reference row matches one source row at most), prior and posteriors are shifted by one log-odds offset down to that bound',
    confidence:
      'sigmoid(logit(prior) + Σ log BF of the level of each field present on both sides + log BF of the margin over the next candidate)',
    refit: {
      bestPairs: fitted.rows,
      iterations: fitted.iterations,
      lambdaBeforeMargin: round(fitted.lambda, 6),
      marginLevels: margin.levels,
      marginM: margin.m.map((x) => round(x, 6)),
      marginU: margin.u.map((x) => round(x, 6)),
      note: "m and λ by EM over each sample row's best blocked pair, u = level shares of the second-best pairs; the margin fitted after, with the field evidence fixed",
    },
    emphasis: directives.emphasise.size > 0 ? `log Bayes factors of ${[...directives.emphasise].join(', ')} × ${EMPHASIS_FACTOR}` : null,
    record: record?.summary ?? null,
    variants: variants?.summary ?? null,
  };
  details.threshold = {
    ...thresholdChoice,
    rule: selfMatch
      ? modelChoice.rule
      : `${thresholdChoice.rule}; the probabilities are the run's on the sample: the engine's posterior, or, inside the review band around the model's own choice (${round(modelChoice.threshold, 6)}), the review pass's`,
    modelThreshold: round(modelChoice.threshold, 6),
    threshold,
    expectedF1: round(Number(thresholdChoice.expectedF1 ?? 0)),
    expectedMatches: round(Number(thresholdChoice.expectedMatches ?? 0), 1),
  };
  details.reviewBand = band;
  details.labels =
    labels === undefined
      ? { used: 0 }
      : {
          used: labelsUsed,
          approved: labels.match.reduce((a, b) => a + b, 0),
          rejected: labels.vectors.count - labels.match.reduce((a, b) => a + b, 0),
          decisionsKept: decisions.length,
          rule: "each label is one best pair of known class in the refit on best candidates: approved add to m, rejected to u (best-but-wrong candidates). They do not enter the EM on all blocked pairs (reviews are the hardest best candidates, not a sample of pairs) nor the random-pair u, nor the candidate margin (fitted without them: λ only is refitted under it). Labels do not set the threshold. Reviews of dataset rows are also kept as decisions (plan.decisions): in every run of the plan a pair decided a match is its row's match (confidence 1), a pair decided not a match is not proposed, and a row decided without a match (an approved result without one) gets no match and no candidates",
        };
  return { match, reviewBand: { low: band.low, high: band.high }, mappings, details, labelsUsed };
};

function selfMappings(columns: ProfiledColumn[], ignore: Set<string>): ReturnType<typeof proposeMappings> {
  const mappings: ProposedMapping[] = [];
  const rejected: Array<{ source: string; target: string; reason: string }> = [];
  for (const c of columns) {
    const name = c.profile.name;
    if (ignore.has(name)) continue;
    if (identifierLike(c.profile) || c.profile.rowIdentity !== null) {
      rejected.push({ source: name, target: name, reason: `row identifier (${c.profile.rowIdentity ?? 'unique per row'})` });
      continue;
    }
    mappings.push({
      source: name,
      target: name,
      nameScore: 1,
      overlap: { values: 1, tokens: 1 },
      reason: 'no source table given: same column',
    });
  }
  return { mappings, rejected, overlaps: [] };
}

/** The pairs of every k-th source row (k as small as keeps ≤ max pairs); pairs stay grouped by row. */
function everyKthRow(pairs: PairSet, max: number): PairSet {
  if (pairs.count <= max) return pairs;
  const k = Math.ceil(pairs.count / max);
  const source: number[] = [];
  const reference: number[] = [];
  for (let i = 0; i < pairs.count; i++) {
    if ((pairs.source[i] as number) % k !== 0) continue;
    source.push(pairs.source[i] as number);
    reference.push(pairs.reference[i] as number);
  }
  return { source: Int32Array.from(source), reference: Int32Array.from(reference), count: source.length };
}

function selectPairs(pairs: PairSet, posteriors: Float64Array, min: number): PairSet {
  const source: number[] = [];
  const reference: number[] = [];
  for (let i = 0; i < pairs.count; i++) {
    if ((posteriors[i] as number) < min) continue;
    source.push(pairs.source[i] as number);
    reference.push(pairs.reference[i] as number);
  }
  return { source: Int32Array.from(source), reference: Int32Array.from(reference), count: source.length };
}

function compareLabels(input: GenerateStrategyInput, mappings: FieldMapping[], levels: number[][]): LabelledVectors | null {
  const labels = input.labels ?? [];
  if (labels.length === 0) return null;
  const sourceRows: EngineRow[] = labels.map((l, i) => ({ id: `s${i}`, values: l.source ?? {} }));
  const referenceRows: EngineRow[] = labels.map((l, i) => ({ id: `r${i}`, values: l.reference ?? {} }));
  const comparator = new SampleComparator(referenceRows, sourceRows, mappings, levels);
  const idx = Int32Array.from(labels.keys());
  return {
    vectors: comparator.compare({ source: idx, reference: idx, count: labels.length }),
    match: Uint8Array.from(labels, (l) => (l.match ? 1 : 0)),
  };
}

/** The reviews that name their rows, as decisions the plan keeps (decisions.ts), in the labels' order (latest
 *  first). Besides moving the model, a review then settles its own pair in every run of the plan. */
function keptDecisions(labels: LabelledPair[] | undefined): DecidedPair[] {
  return (labels ?? []).flatMap((l): DecidedPair[] => {
    if (l.sourceRowId === undefined) return [];
    if (l.rowHasNoMatch && !l.match) return [{ sourceRowId: l.sourceRowId, referenceRowId: null, match: false }];
    return l.referenceRowId !== undefined ? [{ sourceRowId: l.sourceRowId, referenceRowId: l.referenceRowId, match: l.match }] : [];
  });
}
