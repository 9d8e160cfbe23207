/**
 * Runs benchmark, through the real service (HTTP server, graphile-worker, Postgres):
 *   runs.first_running_ms        POST …/run → first `running` event on a graphql-ws runsUpdated subscription
 *                                 (FEBRL4 config, in-process worker; median and p95 over --repeat runs)
 *   runs.synthetic_*.upload_s     uploading the synthetic reference and source CSVs over REST
 *   runs.synthetic_*.in_process_s POST …/run → `completed`, in-process worker (target ≤ 120 s at 100k × 1M)
 *   runs.synthetic_*.two_workers_s the same with two `npm run worker` processes (no in-process worker)
 * Usage: npm run bench -- runs [--scale 1] [--repeat 20] [--only latency,scale,two-workers] [--worker-threads 1]
 *
 * Uses DATABASE_URL's server when set (a fresh database is created there), else a throwaway embedded PostgreSQL.
 */
import { openAsBlob } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { readSettings } from '../src/config';
import type { App } from '../src/context';
import { connect } from '../src/db/client';
import { openBenchDatabase } from './lib/database';
import { startServer } from '../src/http/server';
import { createLogger } from '../src/logger';
import { createWorkspace } from '../src/modules/workspaces/service';
import { startWorker, type RunningWorker } from '../src/worker';
import { prepareSynthetic } from './engine/datasets';
import { syntheticConfig } from './engine/configs';
import { startProcess } from '../test/support/process';

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

function emit(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

const round = (x: number) => Number(x.toPrecision(5));

function keysToSnake(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keysToSnake);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), keysToSnake(inner)]),
    );
  }
  return value;
}

export async function run(args: string[]): Promise<void> {
  const scale = Number(flag(args, 'scale') ?? '1');
  const repeat = Number(flag(args, 'repeat') ?? '20');
  const only = new Set((flag(args, 'only') ?? 'latency,scale,two-workers').split(','));

  const database = await openBenchDatabase();
  const databaseUrl = database.url;

  const settings = {
    ...readSettings({ ...process.env, RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }),
    DATABASE_URL: databaseUrl,
  };
  const client = connect(databaseUrl);
  const app: App = { db: client.db, sql: client.sql, settings, logger: createLogger(settings.LOG_LEVEL) };
  const server = await startServer(app, { port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${server.port}`;
  let worker: RunningWorker | undefined = await startWorker(app, { databaseUrl, schedules: false });
  const { apiKey } = await createWorkspace(app.db, { name: 'bench' });
  const auth = { authorization: `Bearer ${apiKey}` };

  const api = async (method: string, route: string, body?: unknown | FormData): Promise<any> => {
    const init: RequestInit = { method, headers: { ...auth } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const response = await fetch(`${base}${route}`, init);
    const parsed = await response.json();
    if (response.status >= 400) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };
  const upload = async (kind: 'reference' | 'source', file: string, fields: Record<string, string>) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    form.append('file', await openAsBlob(file, { type: 'text/csv' }), path.basename(file));
    return api('POST', kind === 'reference' ? '/v1/reference-data' : '/v1/source-data', form);
  };
  const waitCompleted = async (runId: string): Promise<any> => {
    for (;;) {
      const progress = await api('GET', `/v1/matching/runs/${runId}/progress`);
      if (['completed', 'failed', 'cancelled'].includes(progress.status)) return progress;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  try {
    if (only.has('latency')) {
      const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../test/fixtures/febrl4');
      const reference = await upload('reference', path.join(fixtures, 'dataset4a.csv'), { name: 'febrl4a', id_column: 'rec_id' });
      const source = await upload('source', path.join(fixtures, 'dataset4b.csv'), { name: 'febrl4b', id_column: 'rec_id' });
      const config = await api('POST', '/v1/matching/configs', {
        name: 'latency',
        reference_data_id: reference.id,
        source_data_id: source.id,
        threshold: 0.8,
        field_mappings: [
          { source: 'given_name', target: 'given_name', strategy: 'fuzzy', weight: 0.25 },
          { source: 'surname', target: 'surname', strategy: 'fuzzy', weight: 0.25 },
          { source: 'date_of_birth', target: 'date_of_birth', strategy: 'exact', weight: 0.2 },
          { source: 'suburb', target: 'suburb', strategy: 'fuzzy', weight: 0.15 },
          { source: 'postcode', target: 'postcode', strategy: 'exact', weight: 0.15 },
        ],
      });
      const ws = createClient({ url: `${base.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: auth });
      const firstRunning = new Map<string, (at: number) => void>();
      const seen = new Map<string, number>();
      const iterator = ws.iterate<{ runsUpdated: { databaseId: string; status: string } }>({
        query: 'subscription($c: ID) { runsUpdated(configId: $c) { databaseId status } }',
        variables: { c: config.id },
      });
      const feed = (async () => {
        for await (const result of iterator) {
          const run = result.data?.runsUpdated;
          if (!run || run.status !== 'RUNNING' || seen.has(run.databaseId)) continue;
          const at = performance.now();
          seen.set(run.databaseId, at);
          firstRunning.get(run.databaseId)?.(at);
        }
      })();
      // Warm-up run (also proves the subscription is live before timing starts).
      await new Promise((resolve) => setTimeout(resolve, 300));
      await waitCompleted((await api('POST', `/v1/matching/configs/${config.id}/run`)).id);
      const samples: number[] = [];
      for (let i = 0; i < repeat; i++) {
        const started = performance.now();
        const run = await api('POST', `/v1/matching/configs/${config.id}/run`);
        const at = seen.get(run.id) ?? (await new Promise<number>((resolve) => firstRunning.set(run.id, resolve)));
        samples.push(at - started);
        await waitCompleted(run.id);
      }
      samples.sort((a, b) => a - b);
      const median = samples[Math.floor(samples.length / 2)]!;
      const p95 = samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.95))]!;
      emit({
        name: 'runs.first_running_ms',
        value: round(median),
        unit: 'ms',
        p95: round(p95),
        min: round(samples[0]!),
        runs: samples.length,
        target: 100,
      });
      await iterator.return?.();
      await ws.dispose();
      await feed.catch(() => {});
    }

    if (only.has('scale') || only.has('two-workers')) {
      const referenceRows = Math.round(1_000_000 * scale);
      const sourceRows = Math.round(100_000 * scale);
      const label = `runs.synthetic_${sourceRows}x${referenceRows}`;
      const files = await prepareSynthetic(referenceRows, sourceRows, 42);
      const uploadStarted = performance.now();
      const reference = await upload('reference', files.reference, { name: 'synthetic reference', id_column: 'id' });
      const source = await upload('source', files.source, { name: 'synthetic source', id_column: 'id' });
      emit({
        name: `${label}.upload_s`,
        value: round((performance.now() - uploadStarted) / 1000),
        unit: 's',
        rows: referenceRows + sourceRows,
      });
      const config = await api('POST', '/v1/matching/configs', {
        name: 'synthetic',
        reference_data_id: reference.id,
        source_data_id: source.id,
        ...(keysToSnake(syntheticConfig) as object),
      });
      const timedRun = async (metric: string, extra: Record<string, unknown>) => {
        // How long the server's event loop (HTTP, events) was blocked at worst while the run went on.
        const loop = monitorEventLoopDelay({ resolution: 10 });
        loop.enable();
        const started = performance.now();
        const run = await api('POST', `/v1/matching/configs/${config.id}/run`);
        const done = await waitCompleted(run.id);
        const seconds = (performance.now() - started) / 1000;
        loop.disable();
        if (done.status !== 'completed') {
          const full = await api('GET', `/v1/matching/runs/${run.id}`);
          process.stderr.write(`run ${run.id} ended ${done.status}: ${full.error}\n`);
        }
        const workers = await app.sql`select worker_id, count(*)::int as chunks from run_chunks where run_id = ${run.id} group by 1`;
        emit({
          name: `${label}.${metric}`,
          value: round(seconds),
          unit: 's',
          status: done.status,
          rows_processed: done.rows_processed,
          rows_matched: done.rows_matched,
          workers: workers.length,
          server_max_event_loop_delay_ms: Math.round(loop.max / 1e6),
          target: 120,
          ...extra,
        });
      };
      if (only.has('scale')) await timedRun('in_process_s', { worker: 'in-process', concurrency: settings.WORKER_CONCURRENCY });
      if (only.has('two-workers')) {
        await worker?.stop();
        worker = undefined;
        // Both processes on this machine: one matching thread each (MATCH_THREADS=1), as two single-core workers.
        const threads = flag(args, 'worker-threads') ?? '1';
        const children = [0, 1].map(() =>
          startProcess('src/worker/main.ts', {
            DATABASE_URL: databaseUrl,
            LOG_LEVEL: 'warn',
            MATCH_THREADS: threads,
            RATE_LIMIT_PER_MINUTE: '0',
          }),
        );
        try {
          await Promise.all(children.map((child) => child.waitFor(/Concord worker \S+ is running/, 60_000)));
          await timedRun('two_workers_s', { worker: 'two processes', match_threads: Number(threads), note: 'both on this machine' });
        } finally {
          if (process.env.BENCH_VERBOSE) for (const child of children) process.stderr.write(child.output());
          await Promise.all(children.map((child) => child.stop()));
        }
      }
    }
  } finally {
    await worker?.stop();
    await server.close();
    await client.close();
    await database.drop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  run(process.argv.slice(2)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
