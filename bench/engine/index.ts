// `npm run bench -- engine [--scale 0.1] [--only comparators,febrl,scale] [--threads 2] [--seed 42] [--febrl-repeat 5]
// [--febrl-processes 5]`
// (BENCH_SCALE=0.1 works too.)
// Comparator throughput, FEBRL4 quality and speed, and the synthetic 100k × 1M case (× scale), each against
// its baseline measured in the same run. Every side of a timed comparison runs in its own child process.
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MatchConfig } from '../../src/matching/index';
import { runChild } from '../lib/child';
import { emit } from '../lib/output';
import { runComparatorBench } from './comparators';
import { runDefaultKeysBench } from './default-keys';
import { febrlConfig, syntheticConfig } from './configs';
import { prepareFebrl4, prepareSynthetic, type DatasetFiles } from './datasets';
import type { Quality } from './quality';

const here = dirname(fileURLToPath(import.meta.url));
const ENGINE_SIDE = join(here, 'engine-side.ts');
const DUCKDB_SIDE = join(here, 'duckdb-side.ts');

interface EngineTimes {
  sourceLoadMs: number;
  buildMs: number;
  matchMs: number;
  expandMs: number;
  totalMs: number;
  cpuMs: number;
  mainThreadCpuMs: number;
  mainThreadWaitMs: number;
}
interface EngineResult {
  threads: number;
  runs: EngineTimes[];
  peakRssBytes: number;
  indexBytes: number;
  pairs: number;
  quality: Quality;
  oneToOneQuality: Quality;
  blockingRecall?: number;
  referenceRows: number;
  sourceRows: number;
}
interface DuckTimes {
  loadMs: number;
  linkMs: number;
  totalMs: number;
  cpuMs: number;
}
interface DuckResult {
  runs: DuckTimes[];
  peakRssBytes: number;
  pairs: number;
  quality: Quality;
  blockingRecall: number;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

function timeLines(label: string, run: string, engine: EngineTimes, duck: DuckTimes, extra: Record<string, unknown>): void {
  const s = (ms: number) => ms / 1000;
  emit({
    name: `${label}.${run}.total_time`,
    value: s(engine.totalMs),
    unit: 's',
    baseline: s(duck.totalMs),
    ratio: engine.totalMs / duck.totalMs,
    note: 'engine: read source CSV + read reference CSV while building the index + match (compact results); duckdb: read_csv both + linkage SQL (best table). Each side in its own fresh process, timer started after its modules are loaded (engine) / its instance is created (duckdb); cold = first run in that process',
    ...extra,
  });
  emit({
    name: `${label}.${run}.link_time`,
    value: s(engine.buildMs + engine.matchMs),
    unit: 's',
    baseline: s(duck.linkMs),
    ratio: (engine.buildMs + engine.matchMs) / duck.linkMs,
    note: 'engine: index build (incl. reading the reference CSV) + match; duckdb: linkage SQL on loaded tables',
  });
  emit({
    name: `${label}.${run}.cpu_time`,
    value: s(engine.cpuMs),
    unit: 's',
    baseline: s(duck.cpuMs),
    ratio: engine.cpuMs / duck.cpuMs,
    note: 'CPU seconds of the whole process (all threads: engine incl. V8 background compiler/GC threads, duckdb incl. its worker threads) over total_time: steadier than wall time on a shared machine',
  });
  emit({
    name: `${label}.${run}.engine_main_thread_cpu_time`,
    value: s(engine.mainThreadCpuMs),
    unit: 's',
    wait: Number(s(engine.mainThreadWaitMs).toPrecision(5)),
    note: "CPU time of the thread running the engine over total_time, and (wait) the time it was ready to run but had no core: on 2 cores V8's compiler and GC threads take one from it in a fresh process (Linux schedstat)",
  });
  emit({ name: `${label}.${run}.engine_build_time`, value: s(engine.buildMs), unit: 's' });
  emit({
    name: `${label}.${run}.engine_match_time`,
    value: s(engine.matchMs),
    unit: 's',
    note: 'blocking + scoring, compact typed-array results',
  });
  emit({
    name: `${label}.${run}.engine_expand_time`,
    value: s(engine.expandMs),
    unit: 's',
    note: 'compact results → RowMatch objects (ids, evidence, top-5); not in total_time, DuckDB returns only its best table',
  });
  emit({ name: `${label}.${run}.duckdb_load_time`, value: s(duck.loadMs), unit: 's' });
}

/** The run whose total time is the median of `runs` (each from its own fresh process). */
function medianRun<T extends { totalMs: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(runs.length / 2)] as T;
}

/**
 * `processes` fresh child processes per side, engine and DuckDB taking turns (so a burst of other load on this
 * shared machine hits both alike); the cold lines report the process with the median cold total per side, plus
 * every cold total. Warm lines and everything else come from the first pair of processes.
 */
async function compare(
  label: string,
  files: DatasetFiles,
  config: MatchConfig,
  threads: number,
  repeat: number,
  processes = 1,
): Promise<void> {
  const engines: EngineResult[] = [];
  const ducks: DuckResult[] = [];
  for (let p = 0; p < processes; p++) {
    engines.push(
      await runChild<EngineResult>(ENGINE_SIDE, { ...files, config, threads, blockingRecall: p === 0, repeat: p === 0 ? repeat : 1 }),
    );
    ducks.push(await runChild<DuckResult>(DUCKDB_SIDE, { ...files, config, threads, repeat: p === 0 ? repeat : 1 }));
  }
  const engine = engines[0] as EngineResult;
  const duck = ducks[0] as DuckResult;
  const size = {
    reference_rows: engine.referenceRows,
    source_rows: engine.sourceRows,
    engine_threads: engine.threads,
    duckdb_threads: threads,
  };
  const engineCold = engines.map((e) => e.runs[0] as EngineTimes);
  const duckCold = ducks.map((d) => d.runs[0] as DuckTimes);
  const spread =
    processes > 1
      ? {
          processes,
          note_processes: 'median of fresh processes per side',
          engine_cold_totals_s: engineCold.map((t) => Number((t.totalMs / 1000).toFixed(3))),
          duckdb_cold_totals_s: duckCold.map((t) => Number((t.totalMs / 1000).toFixed(3))),
        }
      : {};
  timeLines(label, 'cold', medianRun(engineCold), medianRun(duckCold), { ...size, ...spread });
  if (repeat > 1)
    timeLines(label, 'warm', engine.runs[repeat - 1] as EngineTimes, duck.runs[repeat - 1] as DuckTimes, {
      runs: repeat,
      note_warm: 'last of the runs in the same process',
    });
  emit({
    name: `${label}.peak_rss`,
    value: engine.peakRssBytes / 2 ** 20,
    unit: 'MiB',
    baseline: duck.peakRssBytes / 2 ** 20,
    ratio: engine.peakRssBytes / duck.peakRssBytes,
    note: 'each side in its own process; engine includes expanded results',
  });
  emit({ name: `${label}.engine_index_size`, value: engine.indexBytes / 2 ** 20, unit: 'MiB' });
  emit({
    name: `${label}.pairs`,
    value: engine.pairs,
    unit: 'pairs',
    baseline: duck.pairs,
    ratio: engine.pairs / duck.pairs,
    reduction_ratio: 1 - engine.pairs / (engine.referenceRows * engine.sourceRows),
  });
  if (engine.blockingRecall !== undefined)
    emit({ name: `${label}.blocking_recall`, value: engine.blockingRecall, unit: 'ratio', baseline: duck.blockingRecall });
  for (const metric of ['precision', 'recall', 'f1'] as const) {
    emit({
      name: `${label}.${metric}`,
      value: engine.quality[metric],
      unit: 'ratio',
      baseline: duck.quality[metric],
      ratio: engine.quality[metric] / duck.quality[metric],
    });
  }
  emit({
    name: `${label}.one_to_one_f1`,
    value: engine.oneToOneQuality.f1,
    unit: 'ratio',
    precision: engine.oneToOneQuality.precision,
    recall: engine.oneToOneQuality.recall,
    note: 'engine with resolveOneToOne over all rows (the SQL baseline has no one-to-one)',
  });
}

export async function run(args: string[]): Promise<void> {
  const scale = Number(flag(args, 'scale') ?? process.env['BENCH_SCALE'] ?? '1');
  const threads = Number(flag(args, 'threads') ?? Math.min(2, availableParallelism()));
  const seed = Number(flag(args, 'seed') ?? '42');
  const only = new Set((flag(args, 'only') ?? 'comparators,febrl,scale').split(','));

  if (only.has('comparators')) runComparatorBench();
  if (only.has('febrl')) {
    const files = prepareFebrl4();
    await compare(
      'febrl4',
      files,
      febrlConfig,
      threads,
      Number(flag(args, 'febrl-repeat') ?? '5'),
      Number(flag(args, 'febrl-processes') ?? '5'),
    );
    runDefaultKeysBench('febrl4', files, febrlConfig);
  }
  if (only.has('scale')) {
    const referenceRows = Math.round(1_000_000 * scale);
    const sourceRows = Math.round(100_000 * scale);
    await compare(
      `synthetic_${sourceRows}x${referenceRows}`,
      await prepareSynthetic(referenceRows, sourceRows, seed),
      syntheticConfig,
      threads,
      1,
    );
  }
}
