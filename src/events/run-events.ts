/**
 * Run events: every state change and (throttled) progress of a run is published with NOTIFY on one channel, from
 * inside the transaction that made the change (so an event is delivered exactly when its change is committed). Each
 * process holds one LISTEN connection (postgres.js `sql.listen`, opened on first use) and fans events out to its
 * in-process subscribers, each an async iterator with a bounded queue.
 */
import type postgres from 'postgres';
import { TooManySubscriptionsError } from '../errors';
import type { Logger } from '../logger';
import type { RunTrigger } from '../db/schema';

export const RUN_EVENTS_CHANNEL = 'concord_run_events';

export type RunEventKind = 'state' | 'progress';

/**
 * A run as carried by an event (the `runs` row without its snapshot), parsed back into typed values; or `resync`
 * after the LISTEN connection was re-established (events may have been missed meanwhile: re-read what matters).
 */
export type RunEvent = { kind: RunEventKind; run: RunState } | { kind: 'resync' };

export interface RunState {
  id: string;
  workspaceId: string;
  matchingConfigId: string;
  strategyId: string | null;
  strategyVersion: number | null;
  /** The version of the reference dataset the run matches against (set when it is planned; null while queued). */
  referenceVersion: number | null;
  status: 'queued' | 'running' | 'ai_resolving' | 'completed' | 'failed' | 'cancelled';
  triggeredBy: RunTrigger;
  phase: string;
  rowsTotal: number | null;
  rowsProcessed: number | null;
  rowsMatched: number | null;
  avgConfidence: number | null;
  chunksTotal: number;
  chunksDone: number;
  version: number;
  startedAt: Date | null;
  completedAt: Date | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

/**
 * A `runs` row under its column names, as it travels: from SQL (postgres.js gives timestamps as text, see
 * src/db/client.ts), in an event's JSON (to_jsonb of the row, in notifyRun) and in a webhook delivery's payload.
 * The snapshot and the bookkeeping columns may be left out.
 */
export interface RunRow {
  id: string;
  workspace_id: string;
  matching_config_id: string;
  strategy_id: string | null;
  strategy_version: number | null;
  /** bigint: text from SQL, a number in an event's JSON; absent in rows written before reference versions. */
  reference_version?: string | number | null;
  status: RunState['status'];
  triggered_by: RunTrigger;
  phase: string;
  rows_total: number | null;
  rows_processed: number | null;
  rows_matched: number | null;
  avg_confidence: number | null;
  chunks_total?: number;
  chunks_done?: number;
  version?: number;
  started_at: string | Date | null;
  completed_at: string | Date | null;
  error: string | null;
  created_at: string | Date;
  updated_at: string | Date;
}

const date = (value: string | Date | null | undefined): Date | null =>
  value === null || value === undefined ? null : value instanceof Date ? value : new Date(value);
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/** A `runs` row (from SQL, an event or a webhook payload) → RunState. */
export function runStateFromRow(row: RunRow): RunState {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    matchingConfigId: row.matching_config_id,
    strategyId: row.strategy_id ?? null,
    strategyVersion: num(row.strategy_version),
    referenceVersion: num(row.reference_version),
    status: row.status,
    triggeredBy: row.triggered_by,
    phase: String(row.phase),
    rowsTotal: num(row.rows_total),
    rowsProcessed: num(row.rows_processed),
    rowsMatched: num(row.rows_matched),
    avgConfidence: num(row.avg_confidence),
    chunksTotal: Number(row.chunks_total ?? 0),
    chunksDone: Number(row.chunks_done ?? 0),
    version: Number(row.version ?? 0),
    startedAt: date(row.started_at),
    completedAt: date(row.completed_at),
    error: row.error ?? null,
    createdAt: date(row.created_at)!,
    updatedAt: date(row.updated_at)!,
  };
}

/** Publishes the current row of a run; call inside the transaction that changed it. */
export async function notifyRun(sql: postgres.Sql | postgres.TransactionSql, runId: string, kind: RunEventKind): Promise<void> {
  await sql`
    select pg_notify(${RUN_EVENTS_CHANNEL},
      (to_jsonb(r) - 'snapshot' - 'confidence_sum' || jsonb_build_object('kind', ${kind}::text))::text)
    from runs r where r.id = ${runId}`;
}

export interface RunEventFilter {
  workspaceId: string;
  runId?: string;
  configId?: string;
  /** The API key the subscriber authenticated with: its stream fails when that key is revoked (endStreamsOfKey). */
  apiKeyId?: string;
}

interface Listener {
  filter: RunEventFilter;
  push(event: RunEvent): void;
  fail(error: Error): void;
}

/** A subscriber's stream: iterate it; `close()` (or `return()`) unsubscribes. */
export interface RunEventStream extends AsyncIterableIterator<RunEvent> {
  close(): void;
}

const QUEUE_LIMIT = 1000;

/** The LISTEN connection of one process (per postgres.js pool) and its subscribers. */
export class RunEventHub {
  private readonly listeners = new Set<Listener>();
  private listening: Promise<void> | undefined;
  private listens = 0;

  constructor(
    private readonly sql: postgres.Sql,
    private readonly logger?: Logger,
  ) {}

  private ensureListening(): Promise<void> {
    this.listening ??= this.sql
      .listen(
        RUN_EVENTS_CHANNEL,
        (payload) => this.dispatch(payload),
        () => {
          // postgres.js calls this on every (re)connection of the LISTEN connection.
          if (this.listens++ > 0) for (const listener of this.listeners) listener.push({ kind: 'resync' });
        },
      )
      .then(() => undefined)
      .catch((error: unknown) => {
        this.listening = undefined;
        throw error;
      });
    return this.listening;
  }

  private dispatch(payload: string): void {
    let event: { kind: RunEventKind; run: RunState };
    try {
      const row = JSON.parse(payload) as RunRow & { kind: RunEventKind };
      event = { kind: row.kind === 'progress' ? 'progress' : 'state', run: runStateFromRow(row) };
    } catch (error) {
      this.logger?.warn({ err: error }, 'run events: unreadable payload');
      return;
    }
    for (const listener of this.listeners) {
      const { workspaceId, runId, configId } = listener.filter;
      if (event.run.workspaceId !== workspaceId) continue;
      if (runId && event.run.id !== runId) continue;
      if (configId && event.run.matchingConfigId !== configId) continue;
      listener.push(event);
    }
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Fails the streams of subscribers that authenticated with this key (revoked): their next read throws `error`. */
  endStreamsOfKey(apiKeyId: string, error: Error): number {
    let ended = 0;
    for (const listener of [...this.listeners]) {
      if (listener.filter.apiKeyId !== apiKeyId) continue;
      listener.fail(error);
      ended++;
    }
    return ended;
  }

  /**
   * Starts listening (if not yet) and returns a stream of the events that pass the filter, from now on. With
   * `maxPerKey`, a subscriber whose API key already holds that many streams here gets TooManySubscriptionsError.
   */
  async subscribe(filter: RunEventFilter, maxPerKey?: number): Promise<RunEventStream> {
    await this.ensureListening();
    // Counted and added with no await in between, so concurrent subscribes cannot pass the limit together.
    if (filter.apiKeyId && maxPerKey !== undefined) {
      let held = 0;
      for (const listener of this.listeners) if (listener.filter.apiKeyId === filter.apiKeyId) held++;
      if (held >= maxPerKey) {
        throw new TooManySubscriptionsError(
          `This API key already has ${held} subscriptions open (SUBSCRIPTIONS_PER_KEY is ${maxPerKey}); complete one before starting another.`,
        );
      }
    }
    const queue: RunEvent[] = [];
    let wake: { resolve: (result: IteratorResult<RunEvent>) => void; reject: (error: Error) => void } | undefined;
    let closed = false;
    let failure: Error | undefined;
    const listener: Listener = {
      filter,
      push: (event) => {
        if (closed) return;
        if (wake) {
          const { resolve } = wake;
          wake = undefined;
          resolve({ value: event, done: false });
          return;
        }
        if (queue.length >= QUEUE_LIMIT) {
          // Bounded: drop the oldest progress event (a later event carries newer counters anyway).
          const progressIndex = queue.findIndex((queued) => queued.kind === 'progress');
          queue.splice(progressIndex >= 0 ? progressIndex : 0, 1);
        }
        queue.push(event);
      },
      fail: (error) => {
        if (closed) return;
        failure = error;
        close();
      },
    };
    this.listeners.add(listener);
    const close = () => {
      if (closed) return;
      closed = true;
      this.listeners.delete(listener);
      queue.length = 0;
      if (wake) {
        const pending = wake;
        wake = undefined;
        if (failure) pending.reject(failure);
        else pending.resolve({ value: undefined, done: true });
      }
    };
    const stream: RunEventStream = {
      next: () => {
        const queued = queue.shift();
        if (queued) return Promise.resolve({ value: queued, done: false });
        if (failure) return Promise.reject(failure);
        if (closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          wake = { resolve, reject };
        });
      },
      return: () => {
        close();
        return Promise.resolve({ value: undefined, done: true });
      },
      close,
      [Symbol.asyncIterator]() {
        return stream;
      },
    };
    return stream;
  }
}

/**
 * `iterator` (an async generator reading `stream`), whose return() closes `stream` first. A generator waiting for its
 * next event only runs a return() after that event: a subscription completed by its client (or its socket closed) on
 * a quiet run kept its listener, and its SUBSCRIPTIONS_PER_KEY slot, until the run changed again.
 */
export function closingStream<T>(iterator: AsyncGenerator<T>, stream: RunEventStream): AsyncIterableIterator<T> {
  const wrapped: AsyncIterableIterator<T> = {
    next: () => iterator.next(),
    return: (value?: unknown) => {
      stream.close();
      return iterator.return(value as T);
    },
    throw: (error?: unknown) => {
      stream.close();
      return iterator.throw(error);
    },
    [Symbol.asyncIterator]: () => wrapped,
  };
  return wrapped;
}

const hubs = new WeakMap<postgres.Sql, RunEventHub>();

/** The process's hub for this pool (one LISTEN connection per pool, opened on the first subscription). */
export function runEventHub(app: { sql: postgres.Sql; logger?: Logger }): RunEventHub {
  let hub = hubs.get(app.sql);
  if (!hub) {
    hub = new RunEventHub(app.sql, app.logger);
    hubs.set(app.sql, hub);
  }
  return hub;
}
