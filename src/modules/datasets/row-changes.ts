/**
 * Versions and change records of live reference data (issue 21), read side: what consumers of reference rows need to
 * follow them (warm indexes, runs). The writes are in rows.ts.
 *
 * - `datasets.version` is 1 after the upload and bumped once per row write request, in the transaction that changes
 *   the rows and records each row's change in `reference_row_changes` (with the row as it was before, so a reader can
 *   rewind the current rows to an older version).
 * - That transaction also sends NOTIFY on REFERENCE_ROWS_CHANNEL with `{"datasetId", "version"}`; PostgreSQL delivers
 *   it on commit. A listener that missed notifications (reconnecting) catches up with `changesSince`.
 * - Change records are pruned (rows.ts, pruneRowChanges): the last KEEP_VERSIONS versions of a dataset are kept, and
 *   every version an unfinished run still reads. A consumer further behind gets `complete: false` and rebuilds from
 *   `loadReferenceSnapshot`.
 *
 * This file imports no service code (context, auth): index threads use it with their own connection.
 */
import type postgres from 'postgres';

export interface ReferenceRowChange {
  version: number;
  op: 'upsert' | 'delete';
  /** dataset_rows.id: the engine's reference row id; an upsert of an existing external id keeps it. */
  rowId: string;
  externalId: string;
  /** The row's values after an upsert (every column of the dataset); absent for a delete. */
  values?: Record<string, unknown>;
}

/** NOTIFY channel of row writes; payload: JSON `{"datasetId": "…", "version": n}`. */
export const REFERENCE_ROWS_CHANNEL = 'reference_rows_changed';

/** Change records kept per dataset (in versions, i.e. write requests), besides those an unfinished run needs. */
export const KEEP_VERSIONS = 1000;

/** A catch-up longer than this many changes answers `complete: false`: rebuilding is then cheaper than replaying. */
export const MAX_CATCH_UP_CHANGES = 200_000;

/** Anything with the postgres.js query interface (App.sql, or a thread's own connection). */
type Sql = postgres.Sql;

/** The dataset does not exist (any more). */
export class ReferenceDatasetGone extends Error {
  constructor(readonly datasetId: string) {
    super(`Reference dataset ${datasetId} does not exist.`);
  }
}

/** The change records needed to rewind to a version were pruned. */
export class ReferenceVersionUnavailable extends Error {
  constructor(
    readonly datasetId: string,
    readonly version: number,
  ) {
    super(`Version ${version} of reference dataset ${datasetId} can no longer be reconstructed (its change records were pruned).`);
  }
}

/**
 * The changes of the dataset after `afterVersion`, oldest first, and the dataset's current version, read in one
 * snapshot. `complete: false` (with no changes) means the caller cannot catch up from `afterVersion`: the records are
 * pruned, `afterVersion` is older than the first recorded change (0, or the upload's 1 when nothing was recorded is
 * fine only if nothing changed), ahead of the dataset (it was replaced), or the gap is over MAX_CATCH_UP_CHANGES.
 * Then rebuild from `loadReferenceSnapshot` and follow from its version. Throws ReferenceDatasetGone when the
 * dataset is deleted. `App` here is anything holding `sql` (the services' App, or a thread's connection).
 */
export async function changesSince(
  app: { sql: Sql },
  datasetId: string,
  afterVersion: number,
): Promise<{ version: number; changes: ReferenceRowChange[]; complete: boolean }> {
  return app.sql.begin('isolation level repeatable read read only', async (tx) => {
    const version = await currentVersion(tx, datasetId);
    if (afterVersion === version) return { version, changes: [], complete: true };
    if (!Number.isSafeInteger(afterVersion) || afterVersion < 1 || afterVersion > version) return { version, changes: [], complete: false };
    const [extent] = await tx<{ changes: string; versions: string }[]>`
      select count(*) as changes, count(distinct version) as versions
      from reference_row_changes where dataset_id = ${datasetId} and version > ${afterVersion} and version <= ${version}`;
    const complete = Number(extent!.versions) === version - afterVersion && Number(extent!.changes) <= MAX_CATCH_UP_CHANGES;
    if (!complete) return { version, changes: [], complete: false };
    const rows = await tx<
      { version: string; op: 'upsert' | 'delete'; row_id: string; external_id: string; values: Record<string, unknown> | null }[]
    >`
      select version, op, row_id, external_id, values from reference_row_changes
      where dataset_id = ${datasetId} and version > ${afterVersion} and version <= ${version}
      order by version, seq`;
    const changes = rows.map(
      (row): ReferenceRowChange => ({
        version: Number(row.version),
        op: row.op,
        rowId: row.row_id,
        externalId: row.external_id,
        ...(row.op === 'upsert' && row.values ? { values: row.values } : {}),
      }),
    );
    return { version, changes, complete: true };
  });
}

async function currentVersion(tx: postgres.TransactionSql, datasetId: string): Promise<number> {
  const [dataset] = await tx<{ version: string }[]>`select version from datasets where id = ${datasetId}`;
  if (!dataset) throw new ReferenceDatasetGone(datasetId);
  return Number(dataset.version);
}

/** The current version of a dataset (undefined when it does not exist). */
export async function referenceVersion(sql: Sql | postgres.TransactionSql, datasetId: string): Promise<number | undefined> {
  const [dataset] = await sql<{ version: string }[]>`select version from datasets where id = ${datasetId}`;
  return dataset ? Number(dataset.version) : undefined;
}

export interface SnapshotRow {
  id: string;
  externalId: string;
  position: number;
  values: Record<string, unknown>;
}

/** How a row was before the first change after the wanted version: its values and position, or null (absent then). */
type RowBefore = { externalId: string; values: Record<string, unknown>; position: number } | null;

/**
 * Every row of a reference dataset as it was at one version (default: the current one), in position order, read in
 * one REPEATABLE READ transaction with the version: a write committed meanwhile is wholly in or wholly out. For an
 * older version, the current rows are rewound with the change records after it (each changed row takes its values
 * from before its first later change; rows created later are left out, rows deleted later come back). Throws
 * ReferenceVersionUnavailable when those records were pruned, ReferenceDatasetGone when the dataset is gone.
 */
export async function loadReferenceSnapshot(
  sql: Sql,
  datasetId: string,
  atVersion?: number,
): Promise<{ version: number; rows: SnapshotRow[] }> {
  return loadReferenceSnapshotAs(sql, datasetId, atVersion, (row) => row);
}

/**
 * loadReferenceSnapshot keeping only what `shape` makes of each row (engine rows for an index: a million rows are
 * not held twice).
 */
export async function loadReferenceSnapshotAs<T>(
  sql: Sql,
  datasetId: string,
  atVersion: number | undefined,
  shape: (row: SnapshotRow) => T,
): Promise<{ version: number; rows: T[] }> {
  const rows: T[] = [];
  const positions: number[] = [];
  const { version, restored } = await visitReferenceSnapshot(sql, datasetId, atVersion, (row) => {
    rows.push(shape(row));
    positions.push(row.position);
  });
  if (!restored) return { version, rows };
  // Rows deleted after the version came last: put them back at their positions.
  const order = rows.map((_, index) => index).sort((a, b) => positions[a]! - positions[b]!);
  return { version, rows: order.map((index) => rows[index]!) };
}

/**
 * The rows of `loadReferenceSnapshot`, handed to `visit` one by one instead of kept (for statistics over a large
 * reference): in position order, except rows deleted after the version, which come last (`restored` says whether
 * there were any).
 */
export async function visitReferenceSnapshot(
  sql: Sql,
  datasetId: string,
  atVersion: number | undefined,
  visit: (row: SnapshotRow) => void,
): Promise<{ version: number; restored: boolean }> {
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const current = await currentVersion(tx, datasetId);
    const version = atVersion ?? current;
    if (version > current || version < 1) throw new ReferenceVersionUnavailable(datasetId, version);
    const before = version < current ? await rowsBefore(tx, datasetId, version, current) : new Map<string, RowBefore>();
    const cursor = tx<{ id: string; external_id: string; position: number; values: Record<string, unknown> }[]>`
      select id, external_id, position, "values" from dataset_rows where dataset_id = ${datasetId} order by position`.cursor(10_000);
    for await (const batch of cursor) {
      for (const row of batch) {
        if (!before.has(row.id)) {
          visit({ id: row.id, externalId: row.external_id, position: row.position, values: row.values });
          continue;
        }
        const then = before.get(row.id)!;
        before.delete(row.id);
        if (then) visit({ id: row.id, ...then });
      }
    }
    // Rows deleted after `version` are no longer in dataset_rows: they come back with their old positions.
    let restored = false;
    for (const [id, then] of before) {
      if (!then) continue;
      visit({ id, ...then });
      restored = true;
    }
    return { version, restored };
  });
}

/**
 * Some rows of a reference dataset (by row id) as they were at a version, in one snapshot: absent from the map when
 * they did not exist then. Same errors as loadReferenceSnapshot.
 */
export async function referenceRowsAt(
  sql: Sql,
  datasetId: string,
  atVersion: number | undefined,
  ids: string[],
): Promise<Map<string, SnapshotRow>> {
  if (ids.length === 0) return new Map();
  return sql.begin('isolation level repeatable read read only', async (tx) => {
    const current = await currentVersion(tx, datasetId);
    const version = atVersion ?? current;
    if (version > current || version < 1) throw new ReferenceVersionUnavailable(datasetId, version);
    const before = version < current ? await rowsBefore(tx, datasetId, version, current) : new Map<string, RowBefore>();
    const found = await tx<{ id: string; external_id: string; position: number; values: Record<string, unknown> }[]>`
      select id, external_id, position, "values" from dataset_rows where dataset_id = ${datasetId} and id = any(${ids}::uuid[])`;
    const rows = new Map<string, SnapshotRow>();
    for (const row of found) rows.set(row.id, { id: row.id, externalId: row.external_id, position: row.position, values: row.values });
    for (const id of ids) {
      if (!before.has(id)) continue;
      const then = before.get(id)!;
      if (then) rows.set(id, { id, ...then });
      else rows.delete(id);
    }
    return rows;
  });
}

/** For each row changed after `version`: how it was at `version` (from its first later change). */
async function rowsBefore(
  tx: postgres.TransactionSql,
  datasetId: string,
  version: number,
  current: number,
): Promise<Map<string, RowBefore>> {
  const [extent] = await tx<{ versions: string }[]>`
    select count(distinct version) as versions from reference_row_changes
    where dataset_id = ${datasetId} and version > ${version} and version <= ${current}`;
  if (Number(extent!.versions) !== current - version) throw new ReferenceVersionUnavailable(datasetId, version);
  const firsts = await tx<
    { row_id: string; external_id: string; previous_values: Record<string, unknown> | null; previous_position: number | null }[]
  >`
    select distinct on (row_id) row_id, external_id, previous_values, previous_position from reference_row_changes
    where dataset_id = ${datasetId} and version > ${version} and version <= ${current}
    order by row_id, version, seq`;
  const before = new Map<string, RowBefore>();
  for (const first of firsts) {
    before.set(
      first.row_id,
      first.previous_values && first.previous_position !== null
        ? { externalId: first.external_id, values: first.previous_values, position: first.previous_position }
        : null,
    );
  }
  return before;
}
