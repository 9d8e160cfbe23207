import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { removeDataDir, startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded';
import { migrate } from '../../src/db/migrate';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser connection to the test PostgreSQL server (any database). */
    serverUrl: string;
    /** Name of the migrated template database every test file clones. */
    templateDatabase: string;
  }
}

let embedded: EmbeddedPostgres | undefined;
let serverUrl: string;
let templateDatabase: string;

/**
 * One PostgreSQL for the whole run (DATABASE_URL's server, or a throwaway embedded one) and one migrated template
 * database; each test file clones the template (test/support/database.ts), which takes milliseconds.
 */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    removeAbandonedClusters();
    embedded = await startEmbeddedPostgres({
      // Unique per call, not per process: every vitest project with this setup (integration, browser) runs it in the
      // same process, and a throwaway cluster's directory is wiped before it starts.
      dataDir: path.join(os.tmpdir(), `concord-test-${process.pid}-${randomBytes(4).toString('hex')}`),
      persistent: false,
    });
    serverUrl = embedded.url;
  }
  templateDatabase = `concord_template_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${templateDatabase}`);
  } finally {
    await admin.end();
  }
  const templateUrl = new URL(serverUrl);
  templateUrl.pathname = `/${templateDatabase}`;
  await migrate(templateUrl.toString());
  project.provide('serverUrl', serverUrl);
  project.provide('templateDatabase', templateDatabase);
}

/** Throwaway clusters of test runs that were killed before their teardown (70 MB each): their process is gone. */
function removeAbandonedClusters(): void {
  for (const entry of readdirSync(os.tmpdir())) {
    const pid = /^concord-test-(\d+)-[0-9a-f]{8}$/.exec(entry)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) removeDataDir(path.join(os.tmpdir(), entry));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function teardown(): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${templateDatabase} with (force)`);
  } finally {
    await admin.end();
  }
  await embedded?.stop();
}
