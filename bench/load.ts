/**
 * Load benchmark of the real service: a server process (`src/main.ts`, in-process worker) on a fresh database, 200
 * graphql-ws subscribers on runsUpdated, and sustained REST reads at a fixed rate.
 *   load.healthz.p50_ms / p99_ms     GET /healthz at the same rate first (no auth, no database): the baseline
 *   load.api.throughput_rps          completed GETs per second (target: --rate)
 *   load.api.p50_ms / p99_ms         latency of authenticated reads (runs list, run, progress, reference data, rows),
 *                                    from when each request was due (open loop); baseline = healthz at the same rate
 *   load.api.errors                  non-200 answers or failed requests (target 0)
 *   load.subscribers.connected / load.subscribers.events_received (runs are started during the phase)
 *   load.api.server_cpu_ms_per_request / postgres_cpu_ms_per_request   CPU per request of the server process and
 *                                    of the Postgres backends of its database (Linux /proc): capacity ≈ cores / this,
 *                                    a figure a busy shared machine distorts far less than latency
 *   load.machine.loadavg_1m          the machine's load at the end (the bench shares its cores with the server)
 * Usage: npm run bench -- load [--seconds 30] [--rate 500] [--subscribers 200] [--runs 3] [--unlimited]
 *
 * Uses DATABASE_URL's server when set (a fresh database is created there), else a throwaway embedded PostgreSQL.
 * The bench key's budget is raised through the admin route (rate limiting stays on, and is part of each request).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import postgres from 'postgres';
import WebSocket from 'ws';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded';
import { startProcess } from '../test/support/process';
import { cpuMs } from './load/cpu';
import { drive, percentile, type TrafficOptions, type TrafficResult } from './load/traffic';
import { emit } from './lib/output';

const ADMIN_TOKEN = `bench-admin-${randomBytes(8).toString('hex')}`;

function flag(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  const value = at >= 0 ? Number(args[at + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

async function json(base: string, method: string, route: string, key: string, body?: unknown): Promise<any> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = await response.json();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

/** A small dataset: 300 reference rows, 300 source rows (the FEBRL4 heads), and a config over them. */
async function seed(base: string, key: string): Promise<{ referenceId: string; configId: string }> {
  const { readFileSync } = await import('node:fs');
  const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../test/fixtures/febrl4');
  const head = (file: string) => readFileSync(path.join(fixtures, file), 'utf8').split('\n').slice(0, 301).join('\n');
  const upload = async (kind: string, file: string, name: string) => {
    const form = new FormData();
    form.append('name', name);
    form.append('id_column', 'rec_id');
    form.append('file', new Blob([head(file)], { type: 'text/csv' }), file);
    const response = await fetch(`${base}/v1/${kind}`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
    const body = (await response.json()) as { id: string };
    if (response.status !== 201) throw new Error(`upload ${kind}: ${response.status} ${JSON.stringify(body)}`);
    return body.id;
  };
  const referenceId = await upload('reference-data', 'dataset4a.csv', 'load-reference');
  const sourceId = await upload('source-data', 'dataset4b.csv', 'load-source');
  const config = await json(base, 'POST', '/v1/matching/configs', key, {
    name: 'load',
    reference_data_id: referenceId,
    source_data_id: sourceId,
    field_mappings: [
      { source: 'given_name', target: 'given_name', strategy: 'fuzzy', weight: 0.5 },
      { source: 'surname', target: 'surname', strategy: 'fuzzy', weight: 0.5 },
    ],
  });
  return { referenceId, configId: config.id };
}

export async function run(args: string[]): Promise<void> {
  const seconds = flag(args, 'seconds', 30);
  const rate = flag(args, 'rate', 500);
  const subscriberCount = flag(args, 'subscribers', 200);
  const runs = flag(args, 'runs', 3);
  const unlimited = args.includes('--unlimited');

  let embedded: EmbeddedPostgres | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(os.tmpdir(), `concord-load-${process.pid}`), persistent: false });
    serverUrl = embedded.url;
  }
  const name = `concord_load_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;

  // Request logs off (warn): at 500 requests/s they would be a load of their own on this machine's pipe.
  const server = startProcess('src/main.ts', {
    DATABASE_URL: url.toString(),
    PORT: '0',
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    RUN_WORKER: 'true',
  });
  const clients: Client[] = [];
  try {
    const base = (await server.waitFor(/listening on (http:\/\/[\d.]+:\d+)/, 120_000))[1]!;
    const created = await json(base, 'POST', '/v1/admin/workspaces', ADMIN_TOKEN, { name: 'load' });
    const key: string = created.api_key;
    // A budget well above what the bench sends (both phases, subscribes and runs) within a minute; --unlimited sets 0
    // (no counting at all), to see what the shared per-key counter row costs.
    await json(base, 'PUT', `/v1/admin/workspaces/${created.workspace.id}/api-keys/${key.slice(0, 9)}/rate-limit`, ADMIN_TOKEN, {
      rate_limit_per_minute: unlimited ? 0 : Math.ceil(rate * 60 * 2 + subscriberCount + 1000),
    });
    const { referenceId, configId } = await seed(base, key);
    const firstRun = await json(base, 'POST', `/v1/matching/configs/${configId}/run`, key);

    // Subscribers: each its own graphql-ws connection, on the config's feed.
    let connected = 0;
    let events = 0;
    for (let i = 0; i < subscriberCount; i++) {
      const client = createClient({
        url: `${base.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${key}` },
        retryAttempts: 0,
        lazy: false,
        on: { connected: () => connected++ },
      });
      clients.push(client);
      client.subscribe(
        { query: 'subscription($c: ID) { runsUpdated(configId: $c) { id status rowsProcessed } }', variables: { c: configId } },
        { next: () => events++, error: () => {}, complete: () => {} },
      );
    }
    const deadline = Date.now() + 30_000;
    while (connected < subscriberCount && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    // CPU of the server process and of the Postgres backends serving its database, per phase (see bench/load/cpu.ts).
    const serverPid = server.child.pid!;
    const backends = async () => (await admin`select pid from pg_stat_activity where datname = ${name}`).map((row) => Number(row.pid));
    const measured = async (options: TrafficOptions): Promise<TrafficResult & { serverCpuMs: number; postgresCpuMs: number }> => {
      const pids = await backends();
      const [server0, pg0] = [cpuMs([serverPid]), cpuMs(pids)];
      const result = await drive(options);
      // Backends opened during the phase count from zero.
      const after = await backends();
      return { ...result, serverCpuMs: cpuMs([serverPid]) - server0, postgresCpuMs: cpuMs(after) - pg0 };
    };

    const baseline = await measured({ baseUrl: base, paths: ['/healthz'], rate, seconds });
    emit({ name: 'load.healthz.p50_ms', value: percentile(baseline.latencies, 50), unit: 'ms', rate });
    emit({ name: 'load.healthz.p99_ms', value: percentile(baseline.latencies, 99), unit: 'ms', rate, errors: baseline.errors });

    const paths = [
      '/v1/matching/runs',
      `/v1/matching/runs/${firstRun.id}`,
      `/v1/matching/runs/${firstRun.id}/progress`,
      '/v1/reference-data',
      `/v1/reference-data/${referenceId}`,
      `/v1/reference-data/${referenceId}/rows?limit=20`,
    ];
    // A few runs during the phase, so the subscribers have something to receive.
    const eventsBefore = events;
    const starts = Array.from({ length: runs }, (_, i) =>
      new Promise<void>((resolve) => setTimeout(resolve, ((i + 0.5) * seconds * 1000) / runs)).then(() =>
        json(base, 'POST', `/v1/matching/configs/${configId}/run`, key),
      ),
    );
    const load = await measured({ baseUrl: base, paths, rate, seconds, headers: { authorization: `Bearer ${key}` } });
    await Promise.all(starts);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const p50 = percentile(load.latencies, 50);
    const p99 = percentile(load.latencies, 99);
    const base50 = percentile(baseline.latencies, 50);
    const base99 = percentile(baseline.latencies, 99);
    emit({
      name: 'load.api.throughput_rps',
      value: load.throughput,
      unit: 'req/s',
      target: rate,
      sent: load.sent,
      seconds,
      rate_limited: !unlimited,
    });
    emit({ name: 'load.api.p50_ms', value: p50, unit: 'ms', baseline: base50, ratio: p50 / base50 });
    emit({ name: 'load.api.p99_ms', value: p99, unit: 'ms', baseline: base99, ratio: p99 / base99, target: 100 });
    emit({ name: 'load.api.max_ms', value: load.latencies.at(-1) ?? Number.NaN, unit: 'ms' });
    emit({ name: 'load.api.errors', value: load.errors, unit: 'requests', kinds: load.errorKinds });
    emit({
      name: 'load.api.server_cpu_ms_per_request',
      value: load.serverCpuMs / load.sent,
      unit: 'ms',
      baseline: baseline.serverCpuMs / baseline.sent,
      ratio: load.serverCpuMs / load.sent / (baseline.serverCpuMs / baseline.sent),
    });
    emit({ name: 'load.api.postgres_cpu_ms_per_request', value: load.postgresCpuMs / load.sent, unit: 'ms' });
    emit({ name: 'load.subscribers.connected', value: connected, unit: 'connections', target: subscriberCount });
    emit({
      name: 'load.subscribers.events_received',
      value: events - eventsBefore,
      unit: 'events',
      runs,
      per_subscriber: (events - eventsBefore) / Math.max(1, connected),
    });
    emit({ name: 'load.machine.loadavg_1m', value: os.loadavg()[0]!, unit: 'load', cores: os.availableParallelism() });
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await server.stop('SIGTERM');
    await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end();
    await embedded?.stop();
  }
}
