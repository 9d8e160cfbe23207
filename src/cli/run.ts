/**
 * `run <config-id> [--follow]`: starts a run over REST; with --follow, watches it over graphql-ws (`runUpdated`,
 * which sends the current state first and completes after a terminal state) and ends with a summary.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { json, type Connection } from './api';
import { progressPrinter, summary, type RunView } from './progress';

/** Exit codes of `run --follow`: completed 0, failed 1, cancelled 3 (2 is a usage error). */
export const RUN_EXIT_CODES: Record<string, number> = { completed: 0, failed: 1, cancelled: 3 };

const SUBSCRIPTION = /* GraphQL */ `subscription($id: ID!) {
  runUpdated(id: $id) {
    databaseId status phase phaseProgress rowsTotal rowsProcessed rowsMatched avgConfidence startedAt completedAt error
  }
}`;

interface RestRun {
  id: string;
  status: string;
  [key: string]: unknown;
}

export interface RunCommandOptions {
  follow: boolean;
  json: boolean;
}

export async function runCommand(conn: Connection, configId: string, options: RunCommandOptions): Promise<number> {
  const run = await json<RestRun>(conn, 'POST', `/v1/matching/configs/${encodeURIComponent(configId)}/run`, {});
  if (!options.follow) {
    process.stdout.write(
      options.json ? `${JSON.stringify(run)}\n` : `Run ${run.id} ${run.status} (GET /v1/matching/runs/${run.id} shows how it goes).\n`,
    );
    return 0;
  }
  if (!options.json) process.stderr.write(`Run ${run.id} ${run.status}\n`);
  const started = Date.now();
  const printer = progressPrinter(process.stderr);
  const last = await follow(conn, run.id, (view) => {
    if (!options.json) printer.update(view);
  });
  printer.done();
  // The run's own times when it has them (a run may wait in the queue before it starts).
  const durationMs = last.startedAt && last.completedAt ? Date.parse(last.completedAt) - Date.parse(last.startedAt) : Date.now() - started;
  if (options.json) {
    const final = await json<RestRun>(conn, 'GET', `/v1/matching/runs/${run.id}`);
    const { results: _results, ...body } = final;
    process.stdout.write(`${JSON.stringify({ ...body, duration_ms: durationMs })}\n`);
  } else {
    const lines = summary(last, durationMs);
    (last.status === 'completed' ? process.stdout : process.stderr).write(`${lines.join('\n')}\n`);
  }
  return RUN_EXIT_CODES[last.status] ?? 1;
}

/** Resolves with the run's terminal state; each state on the way goes to `onUpdate`. */
export function follow(conn: Connection, runId: string, onUpdate: (run: RunView) => void): Promise<RunView> {
  const client = createClient({
    url: `${conn.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${conn.key}` },
    // A dropped connection is retried; runUpdated then sends the current state again.
    retryAttempts: 5,
    lazy: true,
  });
  return new Promise<RunView>((resolve, reject) => {
    let latest: RunView | undefined;
    client.subscribe<{ runUpdated: RunView }>(
      { query: SUBSCRIPTION, variables: { id: runId } },
      {
        next: (result) => {
          if (result.errors?.length) {
            reject(new Error(result.errors.map((error) => error.message).join('; ')));
            return;
          }
          if (!result.data) return;
          // GraphQL spells the status as its enum (COMPLETED); the CLI speaks the REST values (completed).
          latest = { ...result.data.runUpdated, status: result.data.runUpdated.status.toLowerCase() };
          onUpdate(latest);
        },
        error: (error) => reject(error instanceof Error ? error : new Error(describe(error))),
        complete: () => (latest ? resolve(latest) : reject(new Error('the subscription ended without a state'))),
      },
    );
  }).finally(() => void client.dispose());
}

/** graphql-ws reports GraphQL errors as arrays and socket problems as CloseEvents. */
function describe(error: unknown): string {
  if (Array.isArray(error)) return error.map((item: { message?: string }) => item.message ?? String(item)).join('; ');
  const close = error as { code?: number; reason?: string; message?: string };
  if (close?.code !== undefined) return `the connection closed (${close.code}${close.reason ? `: ${close.reason}` : ''})`;
  return close?.message ?? String(error);
}
