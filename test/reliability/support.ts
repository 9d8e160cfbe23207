/**
 * Helpers of the reliability suite: Concord as real processes (server, worker) on a given database, a graphql-ws
 * subscriber that records everything it receives (and how its socket closed), and run results for comparison.
 */
import { createClient, type Client } from 'graphql-ws';
import postgres from 'postgres';
import WebSocket from 'ws';
import { expect } from 'vitest';
import { request } from '../support/http';
import { startProcess, type StartedProcess } from '../support/process';

export const ADMIN_TOKEN = 'reliability-admin-token-0123';

export interface ServerProcess {
  process: StartedProcess;
  url: string;
}

const BASE_ENV = { LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', ADMIN_TOKEN };

/** `npm start` on `databaseUrl` (no in-process worker unless `RUN_WORKER=true` is given), on a free port. */
export async function startServerProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = startProcess('src/main.ts', { ...BASE_ENV, DATABASE_URL: databaseUrl, PORT: '0', RUN_WORKER: 'false', ...env });
  const match = await child.waitFor(/listening on (http:\/\/[\d.]+:\d+)/, 90_000);
  return { process: child, url: match[1]! };
}

/** `npm run worker` on `databaseUrl`; resolves with its worker id (`hostname:pid`) once it runs. */
export async function startWorkerProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<{ process: StartedProcess; workerId: string }> {
  const child = startProcess('src/worker/main.ts', { ...BASE_ENV, DATABASE_URL: databaseUrl, WORKER_CONCURRENCY: '1', ...env });
  const match = await child.waitFor(/Concord worker (\S+) is running/, 90_000);
  return { process: child, workerId: match[1]! };
}

/** A workspace and its key, through the admin route of a running server. */
export async function createWorkspace(url: string, name: string): Promise<{ id: string; key: string }> {
  const created = await request(url, 'POST', '/v1/admin/workspaces', { key: ADMIN_TOKEN, json: { name } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.workspace.id, key: created.body.api_key };
}

export async function startRun(url: string, key: string, configId: string): Promise<string> {
  const response = await request(url, 'POST', `/v1/matching/configs/${configId}/run`, { key });
  expect(response.status, JSON.stringify(response.body)).toBe(202);
  return response.body.id;
}

export type Results = Map<string, { ref: string | null; confidence: number }>;

/** Every result of a run, by document id. */
export async function runResults(sql: postgres.Sql, runId: string): Promise<Results> {
  const rows = await sql<{ document_id: string; matched_reference_row_id: string | null; confidence: number }[]>`
    select document_id, matched_reference_row_id, confidence from run_results where run_id = ${runId}`;
  return new Map(rows.map((row) => [row.document_id, { ref: row.matched_reference_row_id, confidence: row.confidence }]));
}

/** Polls the database (not the API: the server may be down) until `done(run)` holds. */
export async function waitForRunRow(sql: postgres.Sql, runId: string, done: (run: any) => boolean, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [run] = await sql`select * from runs where id = ${runId}`.catch(() => [undefined]);
    if (run && done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not get there: ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const isTerminal = (run: { status: string }) => ['completed', 'failed', 'cancelled'].includes(run.status);

export interface Subscriber {
  client: Client;
  /** Every `next` payload's data field, in arrival order. */
  events: any[];
  /** Resolves when the subscription completes or errors. */
  done: Promise<void>;
  /** Close events of the socket (code, reason). */
  closes: Array<{ code: number; reason: string }>;
  /** When each event arrived (Date.now()). */
  times: number[];
}

/** A graphql-ws client (no retries: a closed socket must show) subscribed to `query`, recording what it receives. */
export function subscribe(url: string, key: string, query: string, variables: Record<string, unknown>): Subscriber {
  const closes: Subscriber['closes'] = [];
  const client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: 0,
    on: { closed: (event) => closes.push({ code: (event as CloseEvent).code, reason: String((event as CloseEvent).reason) }) },
  });
  const events: any[] = [];
  const times: number[] = [];
  const done = new Promise<void>((resolve, reject) => {
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) reject(new Error(JSON.stringify(value.errors)));
          events.push(value.data);
          times.push(Date.now());
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => resolve(),
      },
    );
  });
  done.catch(() => {});
  return { client, events, done, closes, times };
}
