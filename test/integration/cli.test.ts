/**
 * The CLI against a real server: spawned like `npm run cli` (node + tsx), its stdout, stderr and exit code checked.
 * Imports stream FEBRL4 files, runs are followed over graphql-ws, exports are compared with the API's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failRun } from '../../src/modules/runs/execute';
import { startWorker, type RunningWorker } from '../../src/worker';
import { request } from '../support/http';
import { projectRoot } from '../support/process';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { until } from '../support/wait';
import { FEBRL_MAPPINGS } from './runs-fixture';

let server: TestServer;
let worker: RunningWorker | undefined;
let workspace: TestWorkspace;
let scratch: string;
const ids = { reference: '', source: '', config: '', run: '' };

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  stderr(): string;
  done: Promise<Outcome>;
}

/** Spawns the CLI; the key and URL come from the environment unless `env` says otherwise. */
/** The CLI writing into a shell pipe whose reader starts a second late (`concord export … | slow-consumer`). */
function cliToSlowReader(args: string[]): Promise<{ code: number | null; stdout: string }> {
  // The words are ids and command names: plain enough to pass through the shell unquoted.
  const command = [process.execPath, '--import', 'tsx', 'src/cli/index.ts', ...args].join(' ');
  const child = spawn('bash', ['-c', `set -o pipefail; ${command} | (sleep 1; cat)`], {
    cwd: projectRoot,
    env: { ...process.env, CONCORD_URL: server.url, CONCORD_API_KEY: workspace.key },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: Buffer.concat(chunks).toString('utf8') })));
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Running {
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, CONCORD_URL: server.url, CONCORD_API_KEY: workspace.key, ...env })) {
    if (value !== undefined) merged[name] = value;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    cwd: projectRoot,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return {
    stderr: () => stderr,
    done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))),
  };
}

beforeAll(async () => {
  server = await startTestServer({ RUN_WORKER: false, RUN_CHUNK_SIZE: 1000 });
  workspace = await server.newWorkspace('cli');
  scratch = mkdtempSync(path.join(tmpdir(), 'concord-cli-'));
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

// Each spawn loads tsx and the CLI (seconds on a busy machine): generous timeouts.
describe('CLI', { timeout: 240_000 }, () => {
  it('provisioning on the database: workspace create, key create, key list, key revoke (the server refuses it)', async () => {
    const onDatabase = { DATABASE_URL: server.database.url, CONCORD_API_KEY: undefined };
    const created = await cli(['workspace', 'create', 'cli workspace', '--json'], onDatabase).done;
    expect(created.code, created.stderr).toBe(0);
    const workspaceOut = JSON.parse(created.stdout);
    expect(workspaceOut.prefix).toBe(workspaceOut.api_key.slice(0, 9));
    const badScope = await cli(['key', 'create', workspaceOut.workspace.id, '--scopes', 'admin'], onDatabase).done;
    expect(badScope.code).toBe(1);
    expect(badScope.stderr).toMatch(/^error: Invalid API key request\. \(scopes\[0\]: must be one of read, write\)\n$/);
    const key = await cli(['key', 'create', workspaceOut.workspace.id, '--scopes', 'read', '--json'], onDatabase).done;
    expect(key.code, key.stderr).toBe(0);
    const keyOut = JSON.parse(key.stdout);
    expect(keyOut.scopes).toEqual(['read']);
    expect((await request(server.url, 'GET', '/v1/reference-data', { key: keyOut.api_key })).status).toBe(200);

    const revoked = await cli(['key', 'revoke', workspaceOut.workspace.id, keyOut.prefix], onDatabase).done;
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`Revoked ${keyOut.prefix}`));
    // Another process revoked it: the server hears the announcement (LISTEN) and forgets the key; the poll allows for
    // the notification's delivery (and, had it been missed, for the 5-second cache).
    const refused = await until(
      'the revoked key to be refused',
      async () => {
        const { status } = await request(server.url, 'GET', '/v1/reference-data', { key: keyOut.api_key });
        return status === 200 ? undefined : status;
      },
      8_000,
    );
    expect(refused).toBe(401);

    const listed = await cli(['key', 'list', workspaceOut.workspace.id, '--json'], onDatabase).done;
    expect(listed.code, listed.stderr).toBe(0);
    const keys = JSON.parse(listed.stdout).data;
    // The same shape as GET /v1/admin/workspaces/:id/api-keys.
    expect(keys[0]).toEqual({
      prefix: keyOut.prefix,
      scopes: ['read'],
      created_at: expect.any(String),
      revoked_at: expect.any(String),
      rate_limit_per_minute: null,
    });
    expect(keys.map((k: any) => [k.prefix, k.revoked_at !== null])).toEqual([
      [keyOut.prefix, true],
      [workspaceOut.prefix, false],
    ]);
    const missingPrefix = await cli(['key', 'revoke', workspaceOut.workspace.id], onDatabase).done;
    expect(missingPrefix.code).toBe(2);
    expect(missingPrefix.stderr).toMatch(/needs a key prefix/);
    const unknown = await cli(['key', 'revoke', workspaceOut.workspace.id, 'ck_nope00'], onDatabase).done;
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No API key with this prefix/);
  });

  it('workspace list shows ids and names; key commands take a workspace name, and a shared name is refused with the ids', async () => {
    const onDatabase = { DATABASE_URL: server.database.url, CONCORD_API_KEY: undefined };
    const created = JSON.parse((await cli(['workspace', 'create', 'named once', '--json'], onDatabase).done).stdout);
    const listed = await cli(['workspace', 'list'], onDatabase).done;
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${created.workspace.id}  "named once"  created \\S+  1 live key$`, 'm'));
    const listedJson = await cli(['workspace', 'list', '--json'], onDatabase).done;
    // The same shape as GET /v1/admin/workspaces.
    expect(JSON.parse(listedJson.stdout).data).toContainEqual({
      id: created.workspace.id,
      name: 'named once',
      created_at: created.workspace.created_at,
      live_api_keys: 1,
    });

    const byName = await cli(['key', 'create', 'named once', '--json'], onDatabase).done;
    expect(byName.code, byName.stderr).toBe(0);
    const viewer = await request(server.url, 'POST', '/graphql', {
      key: JSON.parse(byName.stdout).api_key,
      json: { query: '{ viewer { workspace { name } } }' },
    });
    expect(viewer.body.data.viewer.workspace.name).toBe('named once');
    const keys = await cli(['key', 'list', 'named once', '--json'], onDatabase).done;
    expect(JSON.parse(keys.stdout).data.map((k: { prefix: string }) => k.prefix)).toEqual([
      JSON.parse(byName.stdout).prefix,
      created.prefix,
    ]);

    const twin = JSON.parse((await cli(['workspace', 'create', 'named once', '--json'], onDatabase).done).stdout);
    const [ambiguous, unknown] = await Promise.all([
      cli(['key', 'create', 'named once'], onDatabase).done,
      cli(['key', 'create', 'no such workspace'], onDatabase).done,
    ]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain(`2 workspaces are named "named once" (${created.workspace.id}, ${twin.workspace.id}): give the id`);
    const byId = await cli(['key', 'create', twin.workspace.id, '--json'], onDatabase).done;
    expect(byId.code, byId.stderr).toBe(0);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No workspace has the id or name "no such workspace"');
  });

  it('import streams a file as multipart (key and URL from options or the environment)', async () => {
    const reference = await cli(
      [
        'import',
        'test/fixtures/febrl4/dataset4a.csv',
        '--kind',
        'reference',
        '--name',
        'febrl4a',
        '--id-column',
        'rec_id',
        '--json',
        '--url',
        server.url,
        '--key',
        workspace.key,
      ],
      { CONCORD_URL: 'http://127.0.0.1:2', CONCORD_API_KEY: 'ck_wrong' },
    ).done;
    expect(reference.code, reference.stderr).toBe(0);
    const table = JSON.parse(reference.stdout);
    expect(table).toMatchObject({ name: 'febrl4a', kind: 'reference', row_count: 5000, id_column: 'rec_id' });
    ids.reference = table.id;

    const source = await cli([
      'import',
      'test/fixtures/febrl4/dataset4b.csv',
      '--kind',
      'source',
      '--name',
      'febrl4b',
      '--id-column',
      'rec_id',
    ]).done;
    expect(source.code, source.stderr).toBe(0);
    expect(source.stdout).toMatch(/^Imported 5000 rows into source data "febrl4b" \([0-9a-f-]{36}\)\.\n$/);
    ids.source = /\(([0-9a-f-]{36})\)/.exec(source.stdout)![1]!;

    // The server's validation comes back as an error with its message, exit code 1.
    const bad = await cli(['import', 'test/fixtures/febrl4/dataset4a.csv', '--kind', 'reference', '--name', 'x', '--id-column', 'nope'])
      .done;
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*nope.*validation_error, HTTP 400/);

    const config = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      json: { name: 'febrl', reference_data_id: ids.reference, source_data_id: ids.source, field_mappings: FEBRL_MAPPINGS, threshold: 0.8 },
    });
    expect(config.status, JSON.stringify(config.body)).toBe(201);
    ids.config = config.body.id;
  });

  it('usage errors exit 2; a wrong key or an unreachable server exit 1 with a message', async () => {
    // Independent processes: started together, as each spends seconds loading.
    const [noKey, noKind, unknown, wrongKey, down] = await Promise.all([
      cli(['run', ids.config], { CONCORD_API_KEY: undefined }).done,
      cli(['import', 'test/fixtures/febrl4/dataset4a.csv', '--name', 'x']).done,
      cli(['frobnicate']).done,
      cli(['run', ids.config], { CONCORD_API_KEY: 'ck_invalid' }).done,
      cli(['export', 'results', ids.config], { CONCORD_URL: 'http://127.0.0.1:2' }).done,
    ]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('CONCORD_API_KEY');
    expect(noKind.code).toBe(2);
    expect(noKind.stderr).toContain('--kind');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toContain('unauthorized, HTTP 401');
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach Concord at http://127.0.0.1:2 (ECONNREFUSED)');
  });

  it('run --follow: exit 1 and the error when the run fails, 3 when it is cancelled', async () => {
    // No worker yet: the runs stay queued until the test ends them.
    const failing = cli(['run', ids.config, '--follow']);
    await until('the queued run', () => /Run [0-9a-f-]{36} queued/.test(failing.stderr()));
    const failingId = /Run ([0-9a-f-]{36}) queued/.exec(failing.stderr())![1]!;
    await failRun(server.app, failingId, 'Planning failed: the test said so');
    const failed = await failing.done;
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).toContain(`Run ${failingId} failed`);
    expect(failed.stderr).toContain('error:          Planning failed: the test said so');

    const cancelling = cli(['run', ids.config, '--follow']);
    await until('the queued run', () => /Run [0-9a-f-]{36} queued/.test(cancelling.stderr()));
    const cancelId = /Run ([0-9a-f-]{36}) queued/.exec(cancelling.stderr())![1]!;
    expect((await request(server.url, 'POST', `/v1/matching/runs/${cancelId}/cancel`, { key: workspace.key })).status).toBe(200);
    const cancelled = await cancelling.done;
    expect(cancelled.code).toBe(3);
    expect(cancelled.stderr).toContain(`Run ${cancelId} cancelled`);
  });

  it('run --follow: plain progress lines off a terminal, then the summary; --json prints the run', async () => {
    worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
    const followed = await cli(['run', ids.config, '--follow']).done;
    expect(followed.code, followed.stderr).toBe(0);
    const lines = followed.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^Run [0-9a-f-]{36} queued$/);
    expect(lines.some((line) => /Z running \(matching\)/.test(line))).toBe(true);
    expect(followed.stderr).not.toContain('\r');
    expect(followed.stdout).toMatch(
      /^Run [0-9a-f-]{36} completed in \d+\.\d s\n {2}rows processed: 5000\n {2}rows matched: {3}\d+ \(\d+\.\d %\)\n {2}avg confidence: 0\.\d{3}\n$/,
    );
    ids.run = /^Run ([0-9a-f-]{36})/.exec(followed.stdout)![1]!;
    const run = await request(server.url, 'GET', `/v1/matching/runs/${ids.run}`, { key: workspace.key });
    expect(followed.stdout).toContain(`rows matched:   ${run.body.rows_matched} `);
    expect(followed.stdout).toContain(`avg confidence: ${run.body.avg_confidence.toFixed(3)}`);

    const quiet = await cli(['run', ids.config, '--follow', '--json']).done;
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    const body = JSON.parse(quiet.stdout);
    expect(body).toMatchObject({ status: 'completed', rows_processed: 5000, matching_config_id: ids.config });
    expect(body.duration_ms).toBeGreaterThanOrEqual(0);
    expect(body).not.toHaveProperty('results');

    const started = await cli(['run', ids.config, '--json']).done;
    expect(started.code).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ status: 'queued', triggered_by: 'manual' });
  });

  it('export results and datasets as CSV, to a file or stdout', async () => {
    const file = path.join(scratch, 'results.csv');
    const results = await cli(['export', 'results', ids.run, '-o', file]).done;
    expect(results.code, results.stderr).toBe(0);
    const api = await request(server.url, 'GET', `/v1/matching/runs/${ids.run}/results?format=csv`, { key: workspace.key });
    expect(readFileSync(file, 'utf8')).toBe(api.body);
    expect(api.body.split('\n').filter(Boolean)).toHaveLength(5001);

    const dataset = await cli(['export', 'dataset', ids.source]).done;
    expect(dataset.code, dataset.stderr).toBe(0);
    const sourceCsv = await request(server.url, 'GET', `/v1/source-data/${ids.source}/export`, { key: workspace.key });
    expect(dataset.stdout).toBe(sourceCsv.body);
    expect(dataset.stdout.split('\n')[0]).toContain('given_name');
    // process.exit() does not wait for a pipe: a reader slower than the CLI got the first 64 KB of 500 KB.
    const slow = await cliToSlowReader(['export', 'dataset', ids.source]);
    expect(slow.code).toBe(0);
    expect(slow.stdout).toBe(sourceCsv.body);

    const missing = await cli(['export', 'dataset', '00000000-0000-0000-0000-000000000000', '-o', path.join(scratch, 'none.csv')]).done;
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('not_found, HTTP 404');
    expect(missing.stderr).toContain('No reference or source data with this ID');
    const missingSource = await cli(['export', 'dataset', '00000000-0000-0000-0000-000000000000', '--kind', 'source']).done;
    expect(missingSource.stderr).toContain('No source data with this ID');
  });
});
