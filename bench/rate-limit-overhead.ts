/**
 * What the rate limit costs per request (not a test, nor a suite of `npm run bench`; prints figures):
 *   npx tsx bench/rate-limit-overhead.ts          (a throwaway embedded PostgreSQL)
 *   DATABASE_URL=postgres://… npx tsx bench/rate-limit-overhead.ts   (a scratch database: it is migrated)
 *
 * 1. the statement alone: `select 1` (one round trip) vs `consumeRateLimit` (the counting statement), sequentially and
 *    with 10 requests of one key in flight (contention on one counter row);
 * 2. end to end: GET /v1/reference-data with the limit on and off (RATE_LIMIT_PER_MINUTE=1e9 vs 0) over HTTP.
 */
import os from 'node:os';
import path from 'node:path';
import { readSettings } from '../src/config';
import type { App } from '../src/context';
import { connect } from '../src/db/client';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded';
import { migrate } from '../src/db/migrate';
import { startServer } from '../src/http/server';
import { createLogger } from '../src/logger';
import { authenticate, createWorkspace } from '../src/modules/workspaces/service';
import { consumeRateLimit } from '../src/modules/limits/rate-limit';

const N = Number(process.env.N ?? 3000);

function summary(label: string, samples: number[]): void {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  console.log(
    `${label.padEnd(44)} mean ${(mean * 1000).toFixed(0).padStart(5)} µs  p50 ${(at(0.5) * 1000).toFixed(0).padStart(5)} µs  p99 ${(at(0.99) * 1000).toFixed(0).padStart(5)} µs`,
  );
}

async function time(count: number, action: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    await action();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function main(): Promise<void> {
  let embedded: EmbeddedPostgres | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: path.join(os.tmpdir(), `concord-limits-measure-${process.pid}`), persistent: false });
    url = embedded.url;
  }
  await migrate(url);
  const client = connect(url);
  try {
    const { apiKey } = await createWorkspace(client.db, { name: `measure-${Date.now()}` });
    const actor = (await authenticate(client.db, apiKey))!;
    const huge = 1_000_000_000;

    await time(300, () => client.sql`select 1`);
    await time(300, () => consumeRateLimit(client.sql, actor, huge));
    summary('select 1 (one round trip)', await time(N, () => client.sql`select 1`));
    summary('consumeRateLimit, sequential', await time(N, () => consumeRateLimit(client.sql, actor, huge)));
    const concurrent: number[] = [];
    for (let round = 0; round < N / 10; round += 1) {
      concurrent.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, () => time(1, () => consumeRateLimit(client.sql, actor, huge)).then((s) => s[0]!)),
        )),
      );
    }
    summary('consumeRateLimit, 10 in flight on one key', concurrent);

    for (const limit of [0, huge]) {
      const settings = { ...readSettings({ LOG_LEVEL: 'silent', RUN_WORKER: 'false' }), DATABASE_URL: url, RATE_LIMIT_PER_MINUTE: limit };
      const app: App = { db: client.db, sql: client.sql, settings, logger: createLogger('silent') };
      const server = await startServer(app, { port: 0, host: '127.0.0.1' });
      const get = async () => {
        const response = await fetch(`http://127.0.0.1:${server.port}/v1/reference-data`, {
          headers: { authorization: `Bearer ${apiKey}` },
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`status ${response.status}`);
      };
      await time(300, get);
      summary(`GET /v1/reference-data, limit ${limit ? 'on' : 'off'}`, await time(N, get));
      await server.close();
    }
  } finally {
    await client.close();
    await embedded?.stop();
  }
}

await main();
