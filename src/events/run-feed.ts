/**
 * The workspace feed behind `runsUpdated`: the hub's events, plus a re-read after every reconnection of the LISTEN
 * connection (NOTIFYs sent while it was down are lost for good), deduplicated by run version so a subscriber sees
 * each state of a run at most once and never an older state after a newer one.
 */
import type postgres from 'postgres';
import { runStateFromRow, type RunEventStream, type RunState } from './run-events';

export interface RunFeedFilter {
  workspaceId: string;
  configId?: string;
}

export interface RunFeedOptions {
  /**
   * On a resync, runs updated up to this long before the last event seen (or before the subscription started) are
   * read again: covers the clock difference between this process and Postgres. Default 5000 ms.
   */
  resyncMarginMs?: number;
  /** Most runs re-read on one resync (the most recently updated). Default 1000. */
  resyncLimit?: number;
  /** Runs whose last version the feed remembers for deduplication (oldest forgotten first). Default 10000. */
  rememberRuns?: number;
}

/** Runs of the workspace (optionally of one config) updated at or after `since`, oldest change first. */
export async function runsChangedSince(sql: postgres.Sql, filter: RunFeedFilter, since: Date, limit: number): Promise<RunState[]> {
  const rows = await sql<Record<string, unknown>[]>`
    select * from (
      select id, workspace_id, matching_config_id, strategy_id, strategy_version, reference_version, status, triggered_by, phase,
             rows_total, rows_processed, rows_matched, avg_confidence, chunks_total, chunks_done, version,
             started_at, completed_at, error, created_at, updated_at
      from runs
      where workspace_id = ${filter.workspaceId}
        ${filter.configId ? sql`and matching_config_id = ${filter.configId}` : sql``}
        and updated_at >= ${since}
      order by updated_at desc
      limit ${limit}
    ) recent order by updated_at`;
  return rows.map(runStateFromRow);
}

/**
 * Turns a hub stream into the feed of run states (see the file comment). `reread(since, limit)` gives the runs changed
 * since a time (runsChangedSince in production). Closing the iterator closes the stream.
 */
export async function* runFeed(
  stream: RunEventStream,
  reread: (since: Date, limit: number) => Promise<RunState[]>,
  options: RunFeedOptions = {},
): AsyncGenerator<RunState> {
  const margin = options.resyncMarginMs ?? 5000;
  const limit = options.resyncLimit ?? 1000;
  const remember = options.rememberRuns ?? 10_000;
  const versions = new Map<string, number>();
  let watermark = Date.now();
  /** True when `run` is newer than anything this subscriber got for it; records it. */
  const fresh = (run: RunState): boolean => {
    const seen = versions.get(run.id);
    if (seen !== undefined && run.version <= seen) return false;
    versions.delete(run.id);
    versions.set(run.id, run.version);
    if (versions.size > remember) versions.delete(versions.keys().next().value!);
    watermark = Math.max(watermark, run.updatedAt.getTime());
    return true;
  };
  try {
    for await (const event of stream) {
      if (event.kind !== 'resync') {
        if (fresh(event.run)) yield event.run;
        continue;
      }
      const changed = await reread(new Date(watermark - margin), limit);
      for (const run of changed) if (fresh(run)) yield run;
    }
  } finally {
    stream.close();
  }
}
