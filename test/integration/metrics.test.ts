import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../../src/worker';
import { request } from '../support/http';
import { ADMIN_TOKEN, startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { waitForRun } from './runs-fixture';

let server: TestServer;
let workspace: TestWorkspace;
let worker: RunningWorker | undefined;

beforeAll(async () => {
  server = await startTestServer();
  workspace = await server.newWorkspace('metrics');
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

async function scrape(): Promise<string> {
  const response = await request(server.url, 'GET', '/metrics', { key: ADMIN_TOKEN });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.body as string;
}

/** The value of one series (`name{labels}` exactly as exposed, labels in the order prom-client writes them). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('needs the admin token when ADMIN_TOKEN is set', async () => {
    expect((await request(server.url, 'GET', '/metrics')).status).toBe(401);
    expect((await request(server.url, 'GET', '/metrics', { key: workspace.key })).status).toBe(401);
  });

  it('exposes HTTP latency by method, route pattern and status, and the series move', async () => {
    await request(server.url, 'GET', '/v1/reference-data', { key: workspace.key });
    const before = await scrape();
    const series = 'concord_http_request_duration_seconds_count{method="GET",route="/v1/reference-data",status="200"}';
    const count = value(before, series);
    expect(count).toBeGreaterThanOrEqual(1);
    await request(server.url, 'GET', '/v1/reference-data', { key: workspace.key });
    await request(server.url, 'GET', '/v1/reference-data', { key: workspace.key });
    await request(server.url, 'GET', '/v1/matching/runs/00000000-0000-0000-0000-000000000000', { key: workspace.key });
    const after = await scrape();
    expect(value(after, series)).toBe(count! + 2);
    expect(value(after, 'concord_http_request_duration_seconds_count{method="GET",route="/v1/matching/runs/:id",status="404"}')).toBe(1);
    expect(after).toMatch(
      /^concord_http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/v1\/reference-data",status="200"\} \d+$/m,
    );
    expect(after).toContain('# TYPE process_cpu_user_seconds_total counter');
  });

  it('reads runs by status, the job queue, chunk durations and rows processed from Postgres at scrape time', async () => {
    const empty = await scrape();
    expect(value(empty, 'concord_runs{status="queued"}')).toBe(0);
    expect(value(empty, 'concord_queue_jobs_waiting{task="run_plan"}')).toBe(0);
    expect(value(empty, 'concord_rows_processed_total')).toBe(0);
    expect(value(empty, 'concord_chunk_duration_seconds_count')).toBe(0);

    const reference = await request(server.url, 'POST', '/v1/reference-data', {
      key: workspace.key,
      json: {
        name: 'Vendors',
        id_column: 'id',
        data: [
          { id: 'V1', name: 'Acme GmbH' },
          { id: 'V2', name: 'Globex' },
        ],
      },
    });
    const source = await request(server.url, 'POST', '/v1/source-data', {
      key: workspace.key,
      json: {
        name: 'Invoices',
        id_column: 'doc',
        data: [
          { doc: 'D1', vendor: 'ACME GmbH' },
          { doc: 'D2', vendor: 'Globex' },
          { doc: 'D3', vendor: 'Initech' },
        ],
      },
    });
    const config = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      json: {
        name: 'vendors',
        reference_data_id: reference.body.id,
        source_data_id: source.body.id,
        field_mappings: [{ source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 1 }],
      },
    });
    expect(config.status, JSON.stringify(config.body)).toBe(201);
    const run = await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/run`, { key: workspace.key });
    expect(run.status, JSON.stringify(run.body)).toBe(202);

    const queued = await scrape();
    expect(value(queued, 'concord_runs{status="queued"}')).toBe(1);
    expect(value(queued, 'concord_queue_jobs_waiting{task="run_plan"}')).toBe(1);

    worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
    const done = await waitForRun(server.url, workspace.key, run.body.id);
    expect(done.status).toBe('completed');

    const after = await scrape();
    expect(value(after, 'concord_runs{status="queued"}')).toBe(0);
    expect(value(after, 'concord_runs{status="completed"}')).toBe(1);
    expect(value(after, 'concord_queue_jobs_waiting{task="run_plan"}')).toBe(0);
    expect(value(after, 'concord_rows_processed_total')).toBe(3);
    const chunks = value(after, 'concord_chunks_completed_total')!;
    expect(chunks).toBeGreaterThanOrEqual(1);
    expect(value(after, 'concord_chunk_duration_seconds_count')).toBe(chunks);
    expect(value(after, 'concord_chunk_duration_seconds_bucket{le="+Inf"}')).toBe(chunks);

    // Counted once: a later scrape does not count the same chunks again.
    const again = await scrape();
    expect(value(again, 'concord_rows_processed_total')).toBe(3);
    expect(value(again, 'concord_chunk_duration_seconds_count')).toBe(chunks);
  });
});
