import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database';
import { request } from '../support/http';
import { projectRoot, startProcess } from '../support/process';
import { uploadForm } from '../support/fixtures';
import { startTestServer } from '../support/server';
import { clusterPath, removeDataDir } from '../../src/db/embedded';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'concord-start-'));
afterAll(() => {
  // As root with the checkout out of the postgres user's reach, the cluster lives elsewhere (pg-location says where):
  // it goes too, or every test run would leave one behind.
  const cluster = clusterPath(dataDir);
  removeDataDir(dataDir);
  expect(existsSync(cluster)).toBe(false);
  expect(existsSync(dataDir)).toBe(false);
});

const listening = /listening on (http:\/\/[\d.]+:\d+)/;
const printedKey = /\n\s+(ck_[A-Za-z0-9_-]{43})\n/;

/** The shell commands of the README's "Lost the printed key?" passage, as written there. */
function readmeLostKeyCommands(): string[] {
  const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const passage = readme.split('### Lost the printed key?')[1]?.split('\n#')[0] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(passage)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

/** Runs a README command line in a shell (as a reader would paste it) in the checkout. */
function shell(command: string, env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...env })) if (value !== undefined) merged[name] = value;
  const child = spawn('sh', ['-c', command], { cwd: projectRoot, env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('npm start', () => {
  it('starts an embedded PostgreSQL, prints a first key and its workspace id, keeps the data across a restart, and the README gets a lost key replaced', async () => {
    const env = { DATA_DIR: dataDir, PORT: '0', DATABASE_URL: undefined, LOG_LEVEL: 'warn' };
    const first = startProcess('src/main.ts', env);
    let url: string;
    let key: string;
    let workspaceId: string;
    try {
      url = (await first.waitFor(listening, 60_000))[1]!;
      workspaceId = (await first.waitFor(/Created workspace "default" \(([0-9a-f-]{36})\)/))[1]!;
      key = (await first.waitFor(printedKey))[1]!;
      const created = await request(url, 'POST', '/v1/reference-data', {
        key,
        body: uploadForm('name\nAcme\n', 'a.csv', { name: 'kept' }),
      });
      expect(created.status).toBe(201);
    } finally {
      expect(await first.stop('SIGTERM')).toBe(0);
    }

    const second = startProcess('src/main.ts', env);
    try {
      url = (await second.waitFor(listening, 60_000))[1]!;
      const list = await request(url, 'GET', '/v1/reference-data', { key });
      expect(list.status).toBe(200);
      expect(list.body.data.map((table: { name: string }) => table.name)).toEqual(['kept']);
      expect(second.output()).not.toMatch(printedKey);
      // Later starts list the workspaces with their ids.
      expect(second.output()).toContain(`${workspaceId}  "default"`);

      // The printed key is lost: the README's commands, run as written while the server runs, make a new one.
      const commands = readmeLostKeyCommands();
      expect(commands).toEqual(['npm run cli -- workspace list', 'npm run cli -- key create default']);
      const listed = await shell(commands[0]!, env);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(new RegExp(`${workspaceId}  "default"  created \\S+  1 live key\n`));
      const created = await shell(commands[1]!, env);
      expect(created.code, created.stderr).toBe(0);
      const newKey = /: (ck_[A-Za-z0-9_-]{43})\n/.exec(created.stdout)?.[1];
      expect(newKey, created.stdout).toBeDefined();
      expect(newKey).not.toBe(key);
      const withNewKey = await request(url, 'GET', '/v1/reference-data', { key: newKey! });
      expect(withNewKey.status).toBe(200);
      expect(withNewKey.body.data.map((table: { name: string }) => table.name)).toEqual(['kept']);
    } finally {
      expect(await second.stop('SIGINT')).toBe(0);
    }
  });

  it('uses DATABASE_URL when set, with admin provisioning', async () => {
    const database = await createTestDatabase();
    const server = startProcess('src/main.ts', {
      DATABASE_URL: database.url,
      PORT: '0',
      ADMIN_TOKEN: 'an-admin-token-of-16+',
      LOG_LEVEL: 'warn',
    });
    try {
      const url = (await server.waitFor(listening, 60_000))[1]!;
      expect(server.output()).not.toMatch(printedKey);
      const created = await request(url, 'POST', '/v1/admin/workspaces', { key: 'an-admin-token-of-16+', json: { name: 'ops' } });
      expect(created.status).toBe(201);
      const list = await request(url, 'GET', '/v1/reference-data', { key: created.body.api_key });
      expect(list.body.pagination.total).toBe(0);
    } finally {
      expect(await server.stop()).toBe(0);
      await database.drop();
    }
  });

  it('says so when its port is taken, and stops the PostgreSQL it started', async () => {
    const occupied = createServer();
    await new Promise<void>((resolve) => occupied.listen(0, '127.0.0.1', resolve));
    const port = (occupied.address() as AddressInfo).port;
    const ownDataDir = mkdtempSync(path.join(os.tmpdir(), 'concord-start-busy-'));
    try {
      const server = startProcess('src/main.ts', { PORT: String(port), DATA_DIR: ownDataDir, DATABASE_URL: undefined, LOG_LEVEL: 'warn' });
      const code = await new Promise<number | null>((resolve) => server.child.once('exit', resolve));
      expect(code).toBe(1);
      expect(server.output()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(server.output()).not.toMatch(/\n\s+at |Internal error/);
      const cluster = clusterPath(ownDataDir);
      expect(existsSync(path.join(cluster, 'PG_VERSION'))).toBe(true); // it did start one…
      expect(existsSync(path.join(cluster, 'postmaster.pid'))).toBe(false); // …and stopped it
    } finally {
      occupied.close();
      removeDataDir(ownDataDir);
    }
  });

  it('says in one line that DATABASE_URL cannot be used, password hidden', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const server = startProcess('src/main.ts', { DATABASE_URL: `postgres://concord:s3cret@127.0.0.1:${port}/concord`, PORT: '0' });
    const code = await new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(server.output()).toContain(
      `Cannot use the PostgreSQL at postgres://concord:***@127.0.0.1:${port}/concord: connect ECONNREFUSED`,
    );
    expect(server.output()).not.toMatch(/s3cret|\n\s+at /);
  });

  it('refuses an invalid environment with a clear message', async () => {
    const server = startProcess('src/main.ts', { PORT: 'not-a-port', DATA_DIR: dataDir });
    const code = await new Promise<number | null>((resolve) => server.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(server.output()).toMatch(/invalid environment: PORT/);
  });
});

describe('GraphiQL', () => {
  it('serves a self-contained explorer page (no CDN assets)', async () => {
    const server = await startTestServer();
    try {
      const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toMatch(/graphiql/i);
      expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=["']https?:\/\//i);
    } finally {
      await server.close();
    }
  });
});
