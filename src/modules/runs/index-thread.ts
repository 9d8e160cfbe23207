/**
 * Worker thread that loads a reference dataset and builds its index with `{ shared: true }`, so a large build
 * (seconds for a million rows) never blocks the event loop of the process that serves HTTP and events. The index
 * data lives on SharedArrayBuffers: posting it back shares the memory, nothing is copied.
 * Message in (workerData): {databaseUrl, referenceDataId, referenceVersion, config, serving?}; message out:
 * {data: IndexThreadOutput} or {error}. The rows are read as they were at the reference version, in one snapshot
 * (row-changes.ts). A `serving` index (a warm index of match now) also gets its row-by-id table and the rows'
 * external ids, which a request then reads from memory instead of the database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import postgres from 'postgres';
import { buildReferenceIndex, CodePoolBuilder, type CodePool, type MatchConfig, type ReferenceIndexData } from '../../matching';
import { loadReferenceSnapshotAs, ReferenceDatasetGone, ReferenceVersionUnavailable } from '../datasets/row-changes';

interface Input {
  databaseUrl: string;
  referenceDataId: string;
  /** null: a run planned before versions existed reads the current rows. */
  referenceVersion: number | null;
  config: MatchConfig;
  serving?: boolean;
}

export interface IndexThreadOutput {
  index: ReferenceIndexData;
  /** `serving`: the external id of each row, in row order (shared memory). */
  externalIds?: CodePool;
}

/** Keep in step with SNAPSHOT_FAILURE in execute.ts (not imported: that module pulls in the whole service). */
const SNAPSHOT_FAILURE = 'reference snapshot unavailable: ';

async function main(): Promise<void> {
  const { databaseUrl, referenceDataId, referenceVersion, config, serving } = workerData as Input;
  const externalIds = serving ? new CodePoolBuilder() : null;
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'concord-index' } });
  try {
    const { rows } = await loadReferenceSnapshotAs(sql, referenceDataId, referenceVersion ?? undefined, (row) => ({
      id: row.id,
      externalId: row.externalId,
      values: row.values,
    })).catch((error: unknown) => {
      if (error instanceof ReferenceDatasetGone) throw `${SNAPSHOT_FAILURE}The reference dataset of this run no longer exists.`;
      if (error instanceof ReferenceVersionUnavailable) throw `${SNAPSHOT_FAILURE}${error.message}`;
      throw error;
    });
    const index = buildReferenceIndex(rows, config, { shared: true, idLookup: serving === true });
    if (externalIds) for (const row of rows) externalIds.push(row.externalId);
    const output: IndexThreadOutput = { index: index.data, ...(externalIds ? { externalIds: externalIds.finish(true) } : {}) };
    parentPort?.postMessage({ data: output });
  } finally {
    await sql.end({ timeout: 5 });
  }
}

main().catch((error: unknown) => {
  parentPort?.postMessage({ error: typeof error === 'string' ? error : error instanceof Error ? error.message : String(error) });
});
