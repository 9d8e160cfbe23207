/**
 * A run matches against one version of its reference data: rows written while it runs are wholly out of it, in every
 * chunk, on every worker (inline and on index threads), and the run records that version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutionContext, planRun, runChunk, runHooks, runIndexKey } from '../../src/modules/runs/execute';
import { startWorker } from '../../src/worker';
import { graphql, request } from '../support/http';
import { waitForRun } from './runs-fixture';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';

let server: TestServer;
let workspace: TestWorkspace;
let configId = '';
let referenceId = '';

beforeAll(async () => {
  server = await startTestServer({ RUN_WORKER: false, RUN_CHUNK_SIZE: 2 });
  workspace = await server.newWorkspace('live-runs');
  const reference = await request(server.url, 'POST', '/v1/reference-data', {
    key: workspace.key,
    json: {
      name: 'vendors',
      id_column: 'id',
      data: [
        { id: 'R1', name: 'Acme Corporation' },
        { id: 'R2', name: 'Globex Incorporated' },
        { id: 'R3', name: 'Initech Systems' },
      ],
    },
  });
  referenceId = reference.body.id;
  const source = await request(server.url, 'POST', '/v1/source-data', {
    key: workspace.key,
    json: {
      name: 'invoices',
      id_column: 'doc',
      data: [
        { doc: 'D1', vendor: 'Umbrella Pharmaceuticals' },
        { doc: 'D2', vendor: 'Acme Corporation' },
        { doc: 'D3', vendor: 'Initech Systems' },
      ],
    },
  });
  const config = await request(server.url, 'POST', '/v1/matching/configs', {
    key: workspace.key,
    json: {
      name: 'vendors',
      reference_data_id: referenceId,
      source_data_id: source.body.id,
      field_mappings: [{ source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 1 }],
      threshold: 0.9,
    },
  });
  expect(config.status, JSON.stringify(config.body)).toBe(201);
  configId = config.body.id;
});

afterAll(async () => {
  delete runHooks.beforeMatch;
  await server?.close();
});

async function results(runId: string): Promise<Record<string, { match: string | null; reference: unknown }>> {
  const page = await request(server.url, 'GET', `/v1/matching/runs/${runId}/results`, { key: workspace.key });
  return Object.fromEntries(
    (
      page.body.data as Array<{
        document_id: string;
        matched_reference_external_id: string | null;
        evidence: Array<{ reference_value: unknown }>;
      }>
    ).map((result) => [
      result.document_id,
      { match: result.matched_reference_external_id, reference: result.evidence[0]?.reference_value ?? null },
    ]),
  );
}

async function startRun(): Promise<string> {
  const started = await request(server.url, 'POST', `/v1/matching/configs/${configId}/run`, { key: workspace.key });
  expect(started.status).toBe(202);
  expect(started.body.reference_version).toBeNull();
  return started.body.id;
}

describe('runs against live reference data', { timeout: 120_000 }, () => {
  it('a run sees the version it was planned at in every chunk, though rows change between loading and matching', async () => {
    const runId = await startRun();
    const workerA = createExecutionContext(server.app, 'worker-a');
    // A second worker process: its own cache, and index threads (MATCH_THREADS > 1 loads the rows off the main thread).
    const workerB = createExecutionContext({ ...server.app, settings: { ...server.app.settings, MATCH_THREADS: 2 } }, 'worker-b');
    try {
      await planRun(workerA, runId);
      expect((await request(server.url, 'GET', `/v1/matching/runs/${runId}`, { key: workspace.key })).body.reference_version).toBe(1);

      // Chunk 0 (D1, D2) is held after its index is loaded: the rows change (versions 2 and 3), then it matches.
      let held = 0;
      runHooks.beforeMatch = async (id) => {
        if (id !== runId || held++ > 0) return;
        const upserted = await request(server.url, 'POST', `/v1/reference-data/${referenceId}/rows`, {
          key: workspace.key,
          json: [
            { id: 'R4', name: 'Umbrella Pharmaceuticals' },
            { id: 'R1', name: 'Zenith Holdings' },
          ],
        });
        expect(upserted.body.version).toBe(2);
        const deleted = await request(server.url, 'DELETE', `/v1/reference-data/${referenceId}/rows/R3`, { key: workspace.key });
        expect(deleted.body.version).toBe(3);
      };
      await runChunk(workerA, runId, 0);
      expect(held).toBe(1);
      // Chunk 1 (D3) on the other worker builds its index after the writes: rewound to version 1, R3 is still there.
      await runChunk(workerB, runId, 1);

      const run = await request(server.url, 'GET', `/v1/matching/runs/${runId}`, { key: workspace.key });
      expect(run.body).toMatchObject({ status: 'completed', reference_version: 1 });
      expect(await results(runId)).toEqual({
        // R4 "Umbrella Pharmaceuticals" came after version 1: no candidate at all.
        D1: { match: null, reference: null },
        D2: { match: 'R1', reference: 'Acme Corporation' },
        D3: { match: 'R3', reference: 'Initech Systems' },
      });
      const viaGraphql = await graphql(
        server.url,
        `query($id: ID!) { run(id: $id) { ... on QueryRunSuccess { data { referenceVersion } } } }`,
        { id: runId },
        workspace.key,
      );
      expect(viaGraphql.body.data.run.data.referenceVersion).toBe(1);
    } finally {
      delete runHooks.beforeMatch;
      workerA.close();
      workerB.close();
    }

    // A run planned now matches version 3.
    const next = await startRun();
    const worker = createExecutionContext(server.app, 'worker-c');
    try {
      await planRun(worker, next);
      await runChunk(worker, next, 0);
      await runChunk(worker, next, 1);
    } finally {
      worker.close();
    }
    expect((await request(server.url, 'GET', `/v1/matching/runs/${next}`, { key: workspace.key })).body).toMatchObject({
      status: 'completed',
      reference_version: 3,
    });
    const now = await results(next);
    expect(now.D1).toEqual({ match: 'R4', reference: 'Umbrella Pharmaceuticals' });
    expect(now.D2?.match).toBeNull();
    expect(now.D3?.match).toBeNull();
  });

  it('runs on a worker while many upserts land: every result shows the rows of the version the run recorded', async () => {
    // 30 reference rows; each write request v renames all of them to "<name> v<v>", so a result's evidence tells
    // which version its reference rows came from.
    const names = Array.from({ length: 30 }, (_, k) => `vendor ${String.fromCharCode(97 + (k % 26))}${k} ${(k * 7919) % 1000}`);
    const reference = await request(server.url, 'POST', '/v1/reference-data', {
      key: workspace.key,
      json: { name: 'renamed', id_column: 'id', data: names.map((name, k) => ({ id: `R${k}`, name: `${name} v1` })) },
    });
    const source = await request(server.url, 'POST', '/v1/source-data', {
      key: workspace.key,
      json: { name: 'to match', id_column: 'doc', data: names.map((name, k) => ({ doc: `D${k}`, vendor: name })) },
    });
    const config = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      json: {
        name: 'renamed',
        reference_data_id: reference.body.id,
        source_data_id: source.body.id,
        field_mappings: [{ source: 'vendor', target: 'name', strategy: 'fuzzy', weight: 1 }],
        threshold: 0.5,
      },
    });
    const worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
    try {
      const runs: string[] = [];
      const writes = (async () => {
        for (let v = 2; v <= 16; v++) {
          const written = await request(server.url, 'POST', `/v1/reference-data/${reference.body.id}/rows`, {
            key: workspace.key,
            json: names.map((name, k) => ({ id: `R${k}`, name: `${name} v${v}` })),
          });
          expect(written.body.version).toBe(v);
          if (v % 5 === 0)
            runs.push((await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/run`, { key: workspace.key })).body.id);
        }
      })();
      runs.push((await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/run`, { key: workspace.key })).body.id);
      await writes;
      for (const runId of runs) {
        const run = await waitForRun(server.url, workspace.key, runId);
        expect(run.status).toBe('completed');
        const version = run.reference_version as number;
        expect(version).toBeGreaterThanOrEqual(1);
        const page = await request(server.url, 'GET', `/v1/matching/runs/${runId}/results?limit=500`, { key: workspace.key });
        expect(page.body.data).toHaveLength(30);
        for (const result of page.body.data as Array<{
          document_id: string;
          matched_reference_external_id: string;
          evidence: Array<{ reference_value: string }>;
        }>) {
          const k = Number(result.document_id.slice(1));
          expect(result.matched_reference_external_id).toBe(`R${k}`);
          expect(result.evidence[0]!.reference_value).toBe(`${names[k]} v${version}`);
        }
      }
    } finally {
      await worker.stop();
    }
  });

  it('the index cache keys on the run and its reference version', () => {
    expect(runIndexKey('r', 1)).not.toBe(runIndexKey('r', 2));
    expect(runIndexKey('r', null)).not.toBe(runIndexKey('r', 1));
  });
});
