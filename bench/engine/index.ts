// `npm run bench -- engine [--scale 0.1] [--only comparators,febrl,scale] [--threads 2] [--seed 42]`
// Comparator throughput, FEBRL4 quality and speed, and the synthetic 100k × 1M case (× scale), each against
// its baseline measured in the same run. Every side of a timed comparison runs in its own child process.
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MatchConfig } from '../../src/matching/index';
import { runChild } from '../lib/child';
import { emit } from '../lib/output';
import { runComparatorBench } from './comparators';
import { febrlConfig, syntheticConfig } from './configs';
import { prepareFebrl4, prepareSynthetic, type DatasetFiles } from './datasets';
import type { Quality } from './quality';

const here = dirname(fileURLToPath(import.meta.url));
const ENGINE_SIDE = join(here, 'engine-side.ts');
const DUCKDB_SIDE = join(here, 'duckdb-side.ts');

interface EngineResult {
  threads: number; buildMs: number; sourceLoadMs: number; matchMs: number; expandMs: number; totalMs: number; peakRssBytes: number; indexBytes: number;
  pairs: number; quality: Quality; oneToOneQuality: Quality; blockingRecall?: number; referenceRows: number; sourceRows: number;
}
interface DuckResult {
  loadMs: number; linkMs: number; totalMs: number; peakRssBytes: number; pairs: number; quality: Quality; blockingRecall: number;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

async function compare(label: string, files: DatasetFiles, config: MatchConfig, threads: number, blockingRecall: boolean): Promise<void> {
  const engine = await runChild<EngineResult>(ENGINE_SIDE, { ...files, config, threads, blockingRecall });
  const duck = await runChild<DuckResult>(DUCKDB_SIDE, { ...files, config, threads });
  const size = { reference_rows: engine.referenceRows, source_rows: engine.sourceRows, engine_threads: engine.threads, duckdb_threads: threads };
  emit({ name: `${label}.engine.total_time`, value: engine.totalMs / 1000, unit: 's', baseline: duck.totalMs / 1000, ratio: engine.totalMs / duck.totalMs, note: 'CSV read + index build + match (compact results) vs DuckDB read_csv + linkage SQL (best table)', ...size });
  emit({ name: `${label}.engine.link_time`, value: (engine.buildMs + engine.matchMs) / 1000, unit: 's', baseline: duck.linkMs / 1000, ratio: (engine.buildMs + engine.matchMs) / duck.linkMs, note: 'engine index build (incl. reading the reference CSV) + match vs DuckDB linkage SQL on loaded tables' });
  emit({ name: `${label}.engine.build_time`, value: engine.buildMs / 1000, unit: 's', note: 'reads the reference CSV while building' });
  emit({ name: `${label}.engine.match_time`, value: engine.matchMs / 1000, unit: 's', note: 'blocking + scoring on worker threads, compact typed-array results' });
  emit({ name: `${label}.engine.expand_time`, value: engine.expandMs / 1000, unit: 's', note: 'compact results → RowMatch objects with ids, evidence, top-5 (DuckDB side returns only its best table)' });
  emit({ name: `${label}.duckdb.load_time`, value: duck.loadMs / 1000, unit: 's' });
  emit({ name: `${label}.duckdb.link_time`, value: duck.linkMs / 1000, unit: 's' });
  emit({ name: `${label}.engine.peak_rss`, value: engine.peakRssBytes / 2 ** 20, unit: 'MiB', baseline: duck.peakRssBytes / 2 ** 20, ratio: engine.peakRssBytes / duck.peakRssBytes });
  emit({ name: `${label}.engine.index_size`, value: engine.indexBytes / 2 ** 20, unit: 'MiB' });
  emit({ name: `${label}.engine.pairs`, value: engine.pairs, unit: 'pairs', baseline: duck.pairs, ratio: engine.pairs / duck.pairs, reduction_ratio: 1 - engine.pairs / (engine.referenceRows * engine.sourceRows) });
  if (engine.blockingRecall !== undefined) emit({ name: `${label}.engine.blocking_recall`, value: engine.blockingRecall, unit: 'ratio', baseline: duck.blockingRecall });
  for (const [metric, key] of [['precision', 'precision'], ['recall', 'recall'], ['f1', 'f1']] as const) {
    emit({ name: `${label}.engine.${metric}`, value: engine.quality[key], unit: 'ratio', baseline: duck.quality[key], ratio: engine.quality[key] / duck.quality[key] });
  }
  emit({ name: `${label}.engine.one_to_one.f1`, value: engine.oneToOneQuality.f1, unit: 'ratio', precision: engine.oneToOneQuality.precision, recall: engine.oneToOneQuality.recall });
}

export async function run(args: string[]): Promise<void> {
  const scale = Number(flag(args, 'scale') ?? process.env['BENCH_SCALE'] ?? '1');
  const threads = Number(flag(args, 'threads') ?? Math.min(2, availableParallelism()));
  const seed = Number(flag(args, 'seed') ?? '42');
  const only = new Set((flag(args, 'only') ?? 'comparators,febrl,scale').split(','));

  if (only.has('comparators')) runComparatorBench();
  if (only.has('febrl')) await compare('febrl4', prepareFebrl4(), febrlConfig, threads, true);
  if (only.has('scale')) {
    const referenceRows = Math.round(1_000_000 * scale);
    const sourceRows = Math.round(100_000 * scale);
    await compare(`synthetic_${sourceRows}x${referenceRows}`, await prepareSynthetic(referenceRows, sourceRows, seed), syntheticConfig, threads, true);
  }
}
