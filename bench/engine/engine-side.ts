// Child process: the engine side of a comparison. Reads the CSVs, builds the reference index (shared memory
// when threads > 1), matches all source rows (worker threads), and prints one JSON result: times, peak RSS
// (taken after the results are expanded to RowMatch objects, before evaluation-only work), quality and, when
// asked, blocking recall.
import { performance } from 'node:perf_hooks';
import {
  MatchWorkerPool,
  buildReferenceIndex,
  expandSliceResult,
  matchParallelCompact,
  resolveOneToOne,
  type EngineRow,
  type MatchConfig,
} from '../../src/matching/index';
import { readCsvLines, readCsvRecords } from '../lib/csv';
import { peakRssBytes, threadSchedule } from '../lib/output';
import { scorePredictions } from './quality';

interface Args {
  reference: string;
  source: string;
  config: MatchConfig;
  threads: number;
  blockingRecall?: boolean;
  /** run the whole pipeline this many times in this process and report every run's times (JIT warm-up shows in
   *  the first); quality and RSS come from the last */
  repeat?: number;
}

/** Rows of a bench CSV (`id,truth,<columns…>`) as the engine takes them: { id, values: { column: text } }. */
function* engineRows(path: string): Generator<EngineRow> {
  let header: string[] | undefined;
  let idAt = -1;
  let truthAt = -1;
  for (const fields of readCsvLines(path, { trim: false })) {
    if (header === undefined) {
      header = fields;
      idAt = header.indexOf('id');
      truthAt = header.indexOf('truth');
      continue;
    }
    const values: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) if (i !== idAt && i !== truthAt) values[header[i] as string] = fields[i] ?? '';
    yield { id: fields[idAt] ?? '', values };
  }
}

/** Source row id → id of its true reference row ('' = none), read after the timed part (DuckDB's side only loads
 *  the truth column as it loads every other). */
function truthOf(path: string): Map<string, string> {
  const truth = new Map<string, string>();
  for (const { id = '', truth: t = '' } of readCsvRecords(path)) truth.set(id, t);
  return truth;
}

const MIN_ROWS_PER_THREAD = 20_000;
const args = JSON.parse(process.argv[2] ?? '{}') as Args;
async function runOnce() {
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const scheduleStart = threadSchedule();
  const sourceRows = [...engineRows(args.source)];
  const loaded = performance.now();
  // Threads only pay off with enough rows (a worker's start-up costs ~1 s under tsx); they boot (and compile)
  // while the index is being built.
  const threads = Math.max(1, Math.min(args.threads, Math.floor(sourceRows.length / MIN_ROWS_PER_THREAD)));
  const pool = threads > 1 ? new MatchWorkerPool(null, threads) : undefined;
  const index = buildReferenceIndex(engineRows(args.reference), args.config, { shared: pool !== undefined });
  pool?.useIndex(index);
  const built = performance.now();
  const compact = await matchParallelCompact(index, sourceRows, { pool, threads });
  const matched = performance.now();
  const cpu = process.cpuUsage(cpuStart);
  const schedule = threadSchedule();
  // Full RowMatch objects (ids, evidence values, top-5), as the runs layer stores them.
  const result = expandSliceResult(index, sourceRows, compact);
  const expanded = performance.now();
  const peakRss = peakRssBytes();
  await pool?.close();
  return {
    threads,
    index,
    sourceRows,
    result,
    times: {
      sourceLoadMs: loaded - start,
      buildMs: built - loaded,
      matchMs: matched - built,
      expandMs: expanded - matched,
      totalMs: matched - start,
      cpuMs: (cpu.user + cpu.system) / 1000,
      mainThreadCpuMs: schedule.cpuMs - scheduleStart.cpuMs,
      mainThreadWaitMs: schedule.waitMs - scheduleStart.waitMs,
    },
    peakRss,
  };
}

// Only the last run is kept (earlier indexes become garbage), so repeats do not inflate its memory.
const runs: Array<Awaited<ReturnType<typeof runOnce>>['times']> = [];
let last = await runOnce();
runs.push(last.times);
for (let i = 1; i < Math.max(1, args.repeat ?? 1); i++) {
  last = await runOnce();
  runs.push(last.times);
}
const { threads, index, sourceRows, result, peakRss } = last;
const truth = truthOf(args.source);

const best = scorePredictions(
  result.rows.map((r) => [r.sourceRowId, r.referenceRowId]),
  truth,
);
const oneToOne = resolveOneToOne(result.rows, args.config.threshold);
const assigned = scorePredictions(
  [...oneToOne].map(([s, a]) => [s, a.referenceRowId]),
  truth,
);

let blockingRecall: number | undefined;
if (args.blockingRecall) {
  const rowOf = new Map<string, number>();
  for (let i = 0; i < index.size; i++) rowOf.set(index.referenceId(i), i);
  const collector = index.candidateCollector();
  let found = 0;
  let truths = 0;
  for (const row of sourceRows) {
    const t = truth.get(row.id);
    if (!t) continue;
    truths++;
    const target = rowOf.get(t);
    const n = collector.collect(row.values);
    for (let c = 0; c < n; c++)
      if (collector.candidates[c] === target) {
        found++;
        break;
      }
  }
  blockingRecall = found / truths;
}

console.log(
  JSON.stringify({
    threads,
    runs,
    peakRssBytes: peakRss,
    indexBytes: index.estimatedBytes,
    referenceRows: index.size,
    sourceRows: sourceRows.length,
    pairs: result.stats.pairsCompared,
    rowsMatched: result.stats.rowsMatched,
    quality: best,
    oneToOneQuality: assigned,
    blockingRecall,
  }),
);
