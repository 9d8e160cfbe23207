// `npm run bench -- quality [--dataset bibliographic,people_messy] [--size 5000] [--seed 42] [--labels 50]`
// Per dataset: precision / recall / F1 of the hand config and of a smart run (strategy generated from ≤ 5,000-row
// samples, review band through the resolver), generation time, and — on synthetic datasets — F1 after a round of
// simulated reviews fed back as labels. --size is the reference size of synthetic datasets (source = 60 % of it);
// FEBRL files have fixed sizes. A smart stage that throws is reported on stderr with its stack; the other figures
// still print. A sweep: `--size 2000,8000 --seed 7,11` runs each synthetic dataset once per size and seed (the real
// ones once), and every line then says its `size` and `seed`: a collapse at one size (2026-12-05: bank F1 0.1 at
// 3,000 rows, 0.94 at 5,000) shows where one run would not.
import type { Quality } from '../engine/quality';
import { emit as emitLine, type BenchLine } from '../lib/output';
import { BASELINE_MIN_COSINE, tfidfBaseline } from './baseline';
import { DATASETS, type DatasetEntry } from './datasets/index';
import { runHandConfig } from './hand-run';
import { REVIEW_COUNT, simulateReviews } from './reviews';
import { runSmart, runStrategy, type SmartRun } from './smart-run';
import { scorePairs, truthSets } from './score';
import type { QualityDataset } from './types';

// 5,000 × 3,000: the whole suite (two strategy generations per synthetic dataset) takes ~2 minutes on a shared
// 2-core machine with the smart engine of 2026-11-28; --size 2000 for quick iterations.
const DEFAULT_REFERENCE_SIZE = 5000;
const SOURCE_SHARE = 0.6;

/** What every line of the current dataset run also says (its size and seed, in a sweep). */
let lineTags: Record<string, unknown> = {};

function emit(line: BenchLine): void {
  emitLine({ ...line, ...lineTags });
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function emitQuality(prefix: string, quality: Quality, baseline: Quality | undefined, extra: Record<string, unknown>): void {
  for (const metric of ['precision', 'recall', 'f1'] as const) {
    const compared = baseline === undefined ? {} : { baseline: baseline[metric], ratio: quality[metric] / baseline[metric] };
    emit({
      name: `${prefix}.${metric}`,
      value: quality[metric],
      unit: 'ratio',
      ...compared,
      ...(metric === 'f1'
        ? { true_positives: quality.truePositives, false_positives: quality.falsePositives, truth_pairs: quality.truthPairs, ...extra }
        : {}),
    });
  }
}

function warn(dataset: string, stage: string, error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`[quality] ${dataset}: ${stage} failed: ${message}\n`);
}

function smartLines(name: string, run: SmartRun, baseline: Quality, hand: Quality | undefined): void {
  emitQuality(`quality.${name}.smart`, run.quality, baseline, {
    baseline_is: 'TF-IDF mutual best (bench/quality/baseline.ts)',
    ...(hand === undefined ? {} : { hand_f1: hand.f1 }),
    f1_before_review: run.qualityBeforeReview.f1,
    reviewed_rows: run.reviewedRows,
    review_band: run.strategy.reviewBand,
    threshold: run.strategy.match.threshold,
    blocking_recall: run.blockingRecall,
    generation_time_s: Number(run.generationSeconds.toFixed(3)),
    match_time_s: Number(run.matchSeconds.toFixed(3)),
  });
  emit({
    name: `quality.${name}.smart.blocking_recall`,
    value: run.blockingRecall,
    unit: 'ratio',
    note: "share of true pairs among the candidate pairs the strategy's blocking yields",
  });
  emit({
    name: `quality.${name}.smart.generation_time`,
    value: run.generationSeconds,
    unit: 's',
    sample_reference_rows: run.sampleSizes.reference,
    sample_source_rows: run.sampleSizes.source,
  });
  emit({
    name: `quality.${name}.smart.match_time`,
    value: run.matchSeconds,
    unit: 's',
    note: 'index build + match of all rows + review-band resolution',
  });
}

function baselineLine(dataset: QualityDataset): Quality {
  const start = performance.now();
  const links = tfidfBaseline(dataset.source, dataset.reference);
  const quality = scorePairs(
    dataset.source.rows.map((r) => [r.id, links.get(r.id) ?? null]),
    truthSets(dataset),
  );
  emitQuality(`quality.${dataset.name}.baseline`, quality, undefined, {
    rule: `TF-IDF cosine over all text columns, mutual best, cosine ≥ ${BASELINE_MIN_COSINE}`,
    seconds: Number(((performance.now() - start) / 1000).toFixed(3)),
  });
  return quality;
}

/** Simulated reviews of the first smart run, fed back as labels; F1 of the regenerated strategy's run. */
function learningLoop(dataset: QualityDataset, before: SmartRun, reviews: number): void {
  const labels = simulateReviews(dataset, before.rows, before.strategy.reviewBand, before.strategy.match.threshold, reviews);
  const after = runSmart(dataset, labels);
  // What the relearned model does by itself, without the decisions the plan keeps.
  const { decisions, ...modelOnly } = after.strategy.match;
  const learnedModel = runStrategy(dataset, { ...after.strategy, match: modelOnly });
  emit({
    name: `quality.${dataset.name}.learning.f1`,
    value: after.quality.f1,
    unit: 'ratio',
    baseline: before.quality.f1,
    ratio: after.quality.f1 / before.quality.f1,
    baseline_is: 'smart run without labels',
    precision: after.quality.precision,
    recall: after.quality.recall,
    labels_given: labels.length,
    labels_approved: labels.filter((l) => l.match).length,
    labels_used: after.strategy.labelsUsed,
    decisions_kept: decisions?.length ?? 0,
    model_only_f1: Number(learnedModel.quality.f1.toFixed(5)),
    generation_time_s: Number(after.generationSeconds.toFixed(3)),
  });
}

async function runDataset(entry: DatasetEntry, options: { seed: number; referenceSize: number; reviews: number }): Promise<void> {
  const dataset = entry.load({
    seed: options.seed,
    referenceSize: options.referenceSize,
    sourceSize: Math.round(options.referenceSize * SOURCE_SHARE),
  });
  const baseline = baselineLine(dataset);
  const hand = dataset.handConfig === undefined ? undefined : runHandConfig(dataset, dataset.handConfig);
  if (hand !== undefined)
    emitQuality(`quality.${dataset.name}.hand`, hand.quality, baseline, {
      baseline_is: 'TF-IDF mutual best',
      reference_rows: dataset.reference.rows.length,
      source_rows: dataset.source.rows.length,
      seconds: Number(hand.seconds.toFixed(3)),
    });
  let smart: SmartRun;
  try {
    smart = runSmart(dataset);
  } catch (error) {
    return warn(dataset.name, 'smart run', error);
  }
  smartLines(dataset.name, smart, baseline, hand?.quality);
  if (!entry.synthetic && !entry.reviews) return;
  try {
    learningLoop(dataset, smart, options.reviews);
  } catch (error) {
    warn(dataset.name, 'learning loop', error);
  }
}

export async function run(args: string[]): Promise<void> {
  const wanted = flag(args, 'dataset')?.split(',');
  const unknown = wanted?.filter((name) => !DATASETS.some((d) => d.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown dataset ${unknown.join(', ')}; datasets: ${DATASETS.map((d) => d.name).join(', ')}`);
  const numbers = (name: string, fallback: number) => {
    const values = flag(args, name)?.split(',') ?? [String(fallback)];
    const bad = values.filter((v) => !/^\d+$/.test(v));
    if (bad.length > 0) throw new Error(`--${name} takes whole numbers, comma-separated: ${bad.join(', ')}`);
    return values.map(Number);
  };
  const seeds = numbers('seed', 42);
  const sizes = numbers('size', DEFAULT_REFERENCE_SIZE);
  const sweep = seeds.length > 1 || sizes.length > 1;
  const reviews = Number(flag(args, 'labels') ?? REVIEW_COUNT);
  for (const entry of DATASETS) {
    if (wanted !== undefined && !wanted.includes(entry.name)) continue;
    // FEBRL and Walmart-Amazon are files: one size, one seed.
    const runs = entry.synthetic
      ? sizes.flatMap((referenceSize) => seeds.map((seed) => ({ referenceSize, seed })))
      : [{ referenceSize: sizes[0] as number, seed: seeds[0] as number }];
    for (const { referenceSize, seed } of runs) {
      lineTags = sweep && entry.synthetic ? { size: referenceSize, seed } : {};
      await runDataset(entry, { seed, referenceSize, reviews });
    }
  }
  lineTags = {};
}
