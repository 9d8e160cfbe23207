/**
 * Match now (issue 21): one to 100 records matched at once against a config's reference data, with the config's
 * own mappings or a smart strategy's model, on a warm index of this process (warm-indexes.ts). Nothing is written:
 * the answer has the shape of run results, computed by the same engine call a run chunk makes (matchSlice).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { App, Context } from '../../context';
import type { StoredEvidence } from '../../db/schema';
import { NotFoundError, ValidationError, validationErrorFromIssues, type ErrorDetail } from '../../errors';
import type { MatchConfig } from '../../matching';
import type { MatchingConfig } from '../configs/service';
import { getStrategy, type Strategy } from '../strategies/service';
import { configMatch } from '../runs/service';
import { requireScope } from '../workspaces/actor';
import { isUuid } from '../shared/ids';
import { loadMatchTarget, type MatchTarget } from './store';
import { warmIndexesOf, type MatchSource } from './warm-indexes';

/** Records per request: a form, an invoice, a page of a table; larger batches are what runs are for. */
export const MAX_RECORDS = 100;

/** The outcome of matching one record: a run result's shape, without what only a stored result has (id, review). */
export interface RecordMatch {
  /** The best candidate when it reaches the threshold (matched), else null. */
  matchedReferenceRowId: string | null;
  matchedReferenceExternalId: string | null;
  /** The best candidate's confidence (also when below the threshold); 0 without any candidate. */
  confidence: number;
  matched: boolean;
  /** Per mapped field, against the best candidate. */
  evidence: StoredEvidence[];
  /** The top 5, best first, with their external ids; with their per-field scores (as `evidence`'s, null: did not
   *  count) when asked for (MatchRecordsOptions). */
  candidates: Array<{ referenceRowId: string; referenceExternalId: string | null; confidence: number; fieldScores?: Array<number | null> }>;
}

/** What callers inside the service may ask beyond the request (REST and GraphQL answers do not carry it). */
export interface MatchRecordsOptions {
  /** Every candidate's per-field scores (the reconciliation service's `features`), not only the best's evidence. */
  candidateFieldScores?: boolean;
}

const matchInput = z
  .object({
    configId: z.string(),
    records: z.array(z.unknown()).min(1, 'must hold at least one record').max(MAX_RECORDS, `at most ${MAX_RECORDS} records`),
    strategyId: z.string().nullish(),
  })
  .strict();

export type MatchRecordsInput = { configId: string; records: Array<Record<string, unknown>>; strategyId?: string | null };

/** POST /v1/matching/configs/:id/match and GraphQL matchRecords: the records' results, one per record, in order. */
export async function matchRecords(
  context: Context,
  rawInput: MatchRecordsInput,
  options: MatchRecordsOptions = {},
): Promise<RecordMatch[]> {
  // The scope first: a key that may not read learns nothing about its input either.
  requireScope(context.actor, 'read');
  const parsed = matchInput.safeParse(rawInput);
  if (!parsed.success) throw validationErrorFromIssues('Invalid match request.', parsed.error.issues);
  const input = parsed.data;
  const target = await findMatchTarget(context, input.configId);
  const { source } = await matchSourceOf(context, target.config, input.strategyId, 'Invalid match request.');
  return matchRecordsWith(context, target, source, input.records, options);
}

/** A config of the caller's workspace (else 404) with its source columns and reference version, in one read. */
export async function findMatchTarget(context: Context, configId: string): Promise<MatchTarget> {
  const actor = requireScope(context.actor, 'read');
  const target = isUuid(configId) ? await loadMatchTarget(context.db, actor.workspaceId, configId) : undefined;
  if (!target) throw new NotFoundError('matching config', configId);
  return target;
}

/**
 * What a config matches with: its own mappings, or the strategy `strategyId` names (of the caller's workspace, else
 * 404; made for the config's reference dataset, else a 400 with `invalidMessage` and the path strategyId).
 */
export async function matchSourceOf(
  context: Context,
  config: MatchingConfig,
  strategyId: string | null | undefined,
  invalidMessage: string,
): Promise<{ source: MatchSource; strategy: Strategy | null }> {
  if (strategyId === undefined || strategyId === null) return { source: configSource(config), strategy: null };
  const strategy = await getStrategy(context, strategyId);
  if (strategy.referenceDataId !== config.referenceDataId) {
    throw new ValidationError(invalidMessage, [
      { path: 'strategyId', message: "the strategy was made for another reference dataset than this config's" },
    ]);
  }
  return {
    source: {
      key: `strategy:${strategy.id}#${strategy.version}`,
      referenceDataId: config.referenceDataId,
      match: strategy.plan as MatchConfig,
    },
    strategy,
  };
}

/** matchRecords with the config and source already resolved (findMatchTarget, matchSourceOf); `records` are 1 to
 *  MAX_RECORDS. */
export async function matchRecordsWith(
  context: Context,
  target: MatchTarget,
  source: MatchSource,
  rawRecords: unknown[],
  options: MatchRecordsOptions = {},
): Promise<RecordMatch[]> {
  const records = checkRecords(rawRecords, knownColumns(source.match, target.sourceColumns));

  if (target.referenceVersion === null)
    throw new NotFoundError('reference dataset', source.referenceDataId, 'The reference dataset of this config no longer exists.');
  const warm = await warmIndexesOf(context).acquire(source, target.referenceVersion);
  const { rows } = warm.index.match(
    records.map((values, i) => ({ id: String(i), values })),
    { candidateFieldScores: options.candidateFieldScores === true },
  );
  return rows.map((row) => ({
    matchedReferenceRowId: row.referenceRowId,
    matchedReferenceExternalId: row.referenceRowId === null ? null : warm.externalId(row.referenceRowId),
    confidence: row.confidence,
    matched: row.referenceRowId !== null,
    evidence: row.evidence as StoredEvidence[],
    candidates: row.candidates.map((candidate) => ({
      referenceRowId: candidate.referenceRowId,
      referenceExternalId: warm.externalId(candidate.referenceRowId),
      confidence: candidate.confidence,
      ...(candidate.fieldScores === undefined ? {} : { fieldScores: candidate.fieldScores }),
    })),
  }));
}

/** A config's own mappings as a warm index source. Keyed by what the index is built from: an edited config gets an
 *  index of its own, an unrelated edit (name, schedule) does not. */
export function configSource(config: MatchingConfig): MatchSource {
  const match = configMatch(config) as MatchConfig;
  const digest = createHash('sha256').update(JSON.stringify(match)).digest('base64url').slice(0, 16);
  return { key: `config:${config.id}#${digest}`, referenceDataId: config.referenceDataId, match };
}

/** PRELOAD_INDEXES: the warm index source of a config by id, in any workspace (the operator named it). */
export async function preloadSource(app: App, configId: string): Promise<MatchSource | undefined> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(configId)) return undefined;
  const config = await app.db.query.matchingConfigs.findFirst({ where: { id: configId } });
  return config ? configSource(config) : undefined;
}

/** The columns a record may carry: those the match reads on the source side, and the config's source columns. */
function knownColumns(match: MatchConfig, sourceColumns: string[] | null): Set<string> {
  const known = new Set<string>(sourceColumns ?? []);
  for (const mapping of match.fieldMappings ?? []) {
    // A field over several columns reads those columns; its `source` only names it.
    if (mapping.sourceColumns) for (const column of mapping.sourceColumns) known.add(column);
    else known.add(mapping.source);
  }
  for (const key of match.blocking?.keys ?? []) for (const part of key.parts ?? []) known.add(part.source);
  return known;
}

/** Each record must be an object with at least one value, every key a known column; every problem is named. */
function checkRecords(records: unknown[], known: Set<string>): Array<Record<string, unknown>> {
  const problems: ErrorDetail[] = [];
  records.forEach((record, index) => {
    const path = `records[${index}]`;
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      problems.push({ path, message: 'must be an object of column: value' });
      return;
    }
    const keys = Object.keys(record);
    if (keys.length === 0) problems.push({ path, message: 'must not be empty' });
    for (const key of keys) {
      // The column is named in the message, not the path: REST writes paths in snake_case, and column names are the user's.
      if (!known.has(key))
        problems.push({ path, message: `unknown column ${JSON.stringify(key)} (known: ${[...known].sort().join(', ')})` });
    }
  });
  if (problems.length) throw new ValidationError('Invalid match request.', problems);
  return records as Array<Record<string, unknown>>;
}
