/**
 * Real-time matching benchmark (issue 21), through the real server over HTTP:
 *   realtime.index_build_s / index_bytes   first match of a config → its warm index over N reference rows is built
 *   realtime.single_ms                     one record per request at --rate requests/s for --seconds (open loop:
 *                                          requests leave on schedule whether or not earlier ones answered; sent from a
 *                                          process of its own, realtime-load.ts): p50, p95, p99
 *   realtime.batch100_ms                   a request of 100 records, one after another (median, p95)
 *   realtime.f1                            F1 of the answers above against the synthetic truth
 *   realtime.pg_trgm_single_ms / _f1       PostgreSQL baseline: pg_trgm similarity top-5 on a GIN-indexed text column
 *                                          (the same fields joined), for the same records; F1 of its top-1
 *   realtime.upsert_visible_ms             a 1,000-row upsert's response → match returns one of the new rows
 * Usage: npm run bench -- realtime [--rows 1000000] [--rate 50] [--seconds 30] [--baseline-records 300]
 * Uses DATABASE_URL's server when set (a fresh database is created there), else a throwaway embedded PostgreSQL.
 */
import { fork } from 'node:child_process';
import { openAsBlob, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { readSettings } from '../src/config';
import type { App } from '../src/context';
import { connect } from '../src/db/client';
import { openBenchDatabase } from './lib/database';
import { startServer } from '../src/http/server';
import { createLogger } from '../src/logger';
import { warmIndexesOf } from '../src/modules/realtime/warm-indexes';
import { createWorkspace } from '../src/modules/workspaces/service';
import { prepareSynthetic } from './engine/datasets';
import { syntheticConfig } from './engine/configs';
import { emit, peakRssBytes } from './lib/output';
import type { LoadPlan, LoadResult } from './realtime-load';

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

const COLUMNS = ['given_name', 'surname', 'dob', 'address', 'city', 'postcode'];

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : Number.NaN;
}

/** CSV of the synthetic generator (no quoting: its values hold no commas). */
function readCsv(file: string): Array<Record<string, string>> {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [names[i]!, value])));
}

/** F1 of predicted reference ids against the truth ('' = no match exists). */
function f1(pairs: Array<{ truth: string; predicted: string | null }>): { f1: number; precision: number; recall: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const { truth, predicted } of pairs) {
    if (predicted !== null && predicted === truth) tp++;
    else {
      if (predicted !== null) fp++;
      if (truth !== '') fn++;
    }
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return { f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, precision, recall };
}

export async function run(args: string[]): Promise<void> {
  const rows = Number(flag(args, 'rows') ?? '1000000');
  const rate = Number(flag(args, 'rate') ?? '50');
  const seconds = Number(flag(args, 'seconds') ?? '30');
  const baselineRecords = Number(flag(args, 'baseline-records') ?? '300');
  const label = `realtime.${rows}`;

  const database = await openBenchDatabase();
  const databaseUrl = database.url;

  const settings = {
    // Requests are counted against the key's budget as when deployed; the budget is set above the load.
    ...readSettings({
      ...process.env,
      RATE_LIMIT_PER_MINUTE: '10000000',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      RUN_WORKER: 'false',
    }),
    DATABASE_URL: databaseUrl,
    // The build is timed by the first request: let it wait for the whole build.
    MATCH_INDEX_WAIT_MS: 600_000,
  };
  const client = connect(databaseUrl);
  const app: App = { db: client.db, sql: client.sql, settings, logger: createLogger(settings.LOG_LEVEL) };
  const server = await startServer(app, { port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${server.port}`;
  const { apiKey } = await createWorkspace(app.db, { name: 'bench' });
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };

  const api = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const init: RequestInit = { method, headers: body instanceof FormData ? { authorization: headers.authorization } : headers };
    if (body !== undefined) init.body = body instanceof FormData ? body : JSON.stringify(body);
    const response = await fetch(`${base}${route}`, init);
    return { status: response.status, body: await response.json() };
  };
  const must = async (method: string, route: string, body?: unknown) => {
    const response = await api(method, route, body);
    if (response.status >= 400) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };

  try {
    const files = await prepareSynthetic(rows, 5000, 42);
    const form = new FormData();
    form.append('name', 'realtime reference');
    form.append('id_column', 'id');
    form.append('file', await openAsBlob(files.reference, { type: 'text/csv' }), 'reference.csv');
    const reference = await must('POST', '/v1/reference-data', form);
    const config = await must('POST', '/v1/matching/configs', {
      name: 'realtime',
      reference_data_id: reference.id,
      threshold: syntheticConfig.threshold,
      field_mappings: syntheticConfig.fieldMappings,
      blocking: { strategy: 'parallel', max_postings: syntheticConfig.blocking?.maxPostings, keys: syntheticConfig.blocking?.keys },
    });
    const sources = readCsv(files.source);
    const record = (row: Record<string, string>) => Object.fromEntries(COLUMNS.map((column) => [column, row[column] ?? '']));
    const matchPath = `/v1/matching/configs/${config.id}/match`;

    // ── index build (the first request builds the warm index) ──
    const rssBefore = process.memoryUsage().rss;
    const buildStarted = performance.now();
    const first = await api('POST', matchPath, { records: [record(sources[0]!)] });
    if (first.status !== 200) throw new Error(`first match: ${first.status} ${JSON.stringify(first.body)}`);
    const buildSeconds = (performance.now() - buildStarted) / 1000;
    const warm = warmIndexesOf(app);
    emit({ name: `${label}.index_build_s`, value: buildSeconds, unit: 's', rows });
    emit({
      name: `${label}.index_bytes`,
      value: warm.totalBytes,
      unit: 'bytes',
      gib: warm.totalBytes / 2 ** 30,
      rss_growth_bytes: process.memoryUsage().rss - rssBefore,
      peak_rss_bytes: peakRssBytes(),
      target_bytes: 1.5 * 2 ** 30,
    });

    // The load comes from a process of its own (realtime-load.ts): on this machine's two cores a client in the
    // server's process would add its own work to every request's latency.
    const load = fork(fileURLToPath(new URL('./realtime-load.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
    const runLoad = (bodies: string[]) =>
      new Promise<LoadResult[]>((resolve, reject) => {
        load.once('message', (results) => resolve(results as LoadResult[]));
        load.once('error', reject);
        load.send({ url: `${base}${matchPath}`, headers, bodies, rate } satisfies LoadPlan);
      });
    const singleBody = (row: Record<string, string>) => JSON.stringify({ records: [record(row)] });
    try {
      // Warm-up (JIT, connections): 5 seconds at the rate, on other records, not timed.
      await runLoad(Array.from({ length: rate * 5 }, (_, i) => singleBody(sources[sources.length - 1 - (i % 500)]!)));
    } catch (error) {
      load.kill();
      throw error;
    }

    // ── single records at a fixed rate (open loop) ──
    const total = Math.round(rate * seconds);
    const measured = Array.from({ length: total }, (_, i) => sources[(i + 1) % sources.length]!);
    const answers = await runLoad(measured.map(singleBody)).finally(() => load.disconnect());
    const singles = answers.map((answer, i) => {
      let predicted: string | null = null;
      try {
        predicted = JSON.parse(answer.body).data?.[0]?.matched_reference_external_id ?? null;
      } catch {}
      return { ms: answer.ms, truth: measured[i]!.truth ?? '', predicted, status: answer.status };
    });
    const latencies = singles.map((s) => s.ms).sort((a, b) => a - b);
    emit({
      name: `${label}.single_ms`,
      value: percentile(latencies, 0.5),
      unit: 'ms',
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      p99: percentile(latencies, 0.99),
      max: latencies[latencies.length - 1]!,
      requests: singles.length,
      errors: singles.filter((s) => s.status !== 200).length,
      rate_per_s: rate,
      seconds,
      // What else ran meanwhile: latency on two cores moves with it (1-minute load average when the load ended).
      load_average: Number(loadavg()[0]!.toFixed(2)),
      target_p50: 5,
      target_p99: 50,
    });
    const ours = f1(singles);
    emit({ name: `${label}.f1`, value: ours.f1, unit: 'f1', precision: ours.precision, recall: ours.recall, records: singles.length });

    // ── batches of 100 ──
    const batchTimes: number[] = [];
    for (let b = 0; b < 20; b++) {
      const records = sources.slice(b * 100, b * 100 + 100).map(record);
      const sent = performance.now();
      const response = await api('POST', matchPath, { records });
      if (response.status !== 200) throw new Error(`batch: ${response.status}`);
      batchTimes.push(performance.now() - sent);
    }
    batchTimes.sort((a, b) => a - b);
    emit({
      name: `${label}.batch100_ms`,
      value: percentile(batchTimes, 0.5),
      unit: 'ms',
      p95: percentile(batchTimes, 0.95),
      max: batchTimes[batchTimes.length - 1]!,
      batches: batchTimes.length,
      target: 150,
    });

    // ── PostgreSQL baseline: pg_trgm ──
    await pgTrgmBaseline(
      app,
      reference.id,
      sources.slice(1, 1 + baselineRecords).map((s) => ({ text: COLUMNS.map((c) => s[c] ?? '').join(' '), truth: s.truth ?? '' })),
      label,
      singles,
    );

    // ── upsert → visible to match ──
    const fresh = Array.from({ length: 1000 }, (_, i) => ({
      id: `new-${i}`,
      truth: '',
      given_name: `zebediah${i}`,
      surname: `quattlebaum${i}`,
      dob: `19${String(10 + (i % 80)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
      address: `${i} nowhere lane`,
      city: 'upsertville',
      postcode: String(90000 + i),
    }));
    const upsert = await api('POST', `/v1/reference-data/${reference.id}/rows`, fresh);
    if (upsert.status >= 300) {
      emit({
        name: `${label}.upsert_visible_ms`,
        value: Number.NaN,
        unit: 'ms',
        skipped: `POST rows answered ${upsert.status}: ${JSON.stringify(upsert.body).slice(0, 200)}`,
      });
    } else {
      const answered = performance.now();
      const probe = fresh[777]!;
      let polls = 0;
      for (;;) {
        polls++;
        const response = await api('POST', matchPath, { records: [record(probe as unknown as Record<string, string>)] });
        if (response.status === 200 && response.body.data[0].matched_reference_external_id === probe.id) break;
        if (performance.now() - answered > 300_000) throw new Error('the upserted rows never became visible');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      emit({
        name: `${label}.upsert_visible_ms`,
        value: performance.now() - answered,
        unit: 'ms',
        rows_upserted: 1000,
        polls,
        target: 1000,
      });
    }
  } finally {
    warmIndexesOf(app).clear();
    await server.close();
    await client.close();
    await database.drop();
  }
}

/** pg_trgm similarity top-5 over the same fields joined into one GIN-indexed column; sequential queries. */
async function pgTrgmBaseline(
  app: App,
  referenceId: string,
  queries: Array<{ text: string; truth: string }>,
  label: string,
  ours: Array<{ ms: number }>,
): Promise<void> {
  try {
    await app.sql`create extension if not exists pg_trgm`;
  } catch (error) {
    emit({
      name: `${label}.pg_trgm_single_ms`,
      value: Number.NaN,
      unit: 'ms',
      skipped: `pg_trgm is not available on this PostgreSQL: ${(error as Error).message}`,
    });
    return;
  }
  const started = performance.now();
  await app.sql.unsafe(`
    create table bench_trgm as
      select external_id, lower(concat_ws(' ', "values"->>'given_name', "values"->>'surname', "values"->>'dob', "values"->>'address', "values"->>'city', "values"->>'postcode')) as doc
      from dataset_rows where dataset_id = '${referenceId}'`);
  await app.sql.unsafe('create index bench_trgm_doc on bench_trgm using gin (doc gin_trgm_ops)');
  await app.sql.unsafe('analyze bench_trgm');
  emit({ name: `${label}.pg_trgm_index_build_s`, value: (performance.now() - started) / 1000, unit: 's' });
  const times: number[] = [];
  const pairs: Array<{ truth: string; predicted: string | null }> = [];
  await app.sql.begin(async (tx) => {
    // The default similarity threshold of `%` (0.3): what the GIN index filters on.
    for (const query of queries) {
      const sent = performance.now();
      const top = await tx<{ external_id: string; score: number }[]>`
        select external_id, similarity(doc, ${query.text.toLowerCase()}) as score from bench_trgm
        where doc % ${query.text.toLowerCase()} order by score desc, external_id limit 5`;
      times.push(performance.now() - sent);
      pairs.push({ truth: query.truth, predicted: top[0]?.external_id ?? null });
    }
  });
  times.sort((a, b) => a - b);
  const sortedOurs = ours.map((o) => o.ms).sort((a, b) => a - b);
  emit({
    name: `${label}.pg_trgm_single_ms`,
    value: percentile(times, 0.5),
    unit: 'ms',
    p50: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    p99: percentile(times, 0.99),
    queries: times.length,
    sequential: true,
    ours_p99: percentile(sortedOurs, 0.99),
  });
  const baseline = f1(pairs);
  emit({
    name: `${label}.pg_trgm_f1`,
    value: baseline.f1,
    unit: 'f1',
    precision: baseline.precision,
    recall: baseline.recall,
    records: pairs.length,
    rule: 'top-1 with similarity ≥ 0.3 (pg_trgm default)',
  });
  await app.sql.unsafe('drop table bench_trgm');
}
