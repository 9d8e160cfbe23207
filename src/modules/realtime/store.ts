/**
 * The reads of a match-now request, in one round trip: the config (within the caller's workspace), the columns of its
 * source dataset (what a record may carry) and its reference dataset's current version (which warm index answers).
 */
import { and, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client';
import { datasets, matchingConfigs } from '../../db/schema';
import type { MatchingConfig } from '../configs/service';

export interface MatchTarget {
  config: MatchingConfig;
  /** The source dataset's column names; null when the config names none (or it is gone). */
  sourceColumns: string[] | null;
  /** The reference dataset's version; null when it is gone. */
  referenceVersion: number | null;
}

const sourceDataset = alias(datasets, 'source_dataset');
const referenceDataset = alias(datasets, 'reference_dataset');

/** Prepared once per database handle: building the query costs more than running it (~1.5 ms against ~0.5 ms). */
const prepared = new WeakMap<Database, ReturnType<typeof prepareMatchTarget>>();

function prepareMatchTarget(db: Database) {
  return db
    .select({ config: matchingConfigs, sourceColumns: sourceDataset.columns, referenceVersion: referenceDataset.version })
    .from(matchingConfigs)
    .leftJoin(sourceDataset, eq(sourceDataset.id, matchingConfigs.sourceDataId))
    .leftJoin(referenceDataset, eq(referenceDataset.id, matchingConfigs.referenceDataId))
    .where(and(eq(matchingConfigs.id, sql.placeholder('configId')), eq(matchingConfigs.workspaceId, sql.placeholder('workspaceId'))))
    .limit(1)
    .prepare('match_target');
}

export async function loadMatchTarget(db: Database, workspaceId: string, configId: string): Promise<MatchTarget | undefined> {
  let query = prepared.get(db);
  if (query === undefined) {
    query = prepareMatchTarget(db);
    prepared.set(db, query);
  }
  const [row] = await query.execute({ configId, workspaceId });
  if (!row) return undefined;
  return {
    config: row.config,
    sourceColumns: row.sourceColumns?.map((column) => column.name) ?? null,
    referenceVersion: row.referenceVersion,
  };
}
