/**
 * A matching config as a W3C Reconciliation Service (API v0.2, what OpenRefine 3.x speaks; the JSON schemas are in
 * test/fixtures/reconciliation/0.2, the choices below in docs/reconciliation.md):
 * - entities are the rows of the config's reference table, identified by their external id;
 * - the service matches with the config's own mappings, or with a smart strategy's (`strategy_id` on the service
 *   URL, carried by every URL the manifest announces): "the mappings" below are those;
 * - a query's `query` text goes to the mappings' name mapping (nameMapping), its `properties` to the mappings whose
 *   source column is the property id; matching is match now's engine (matchRecordsWith);
 * - candidates: `score` = confidence × 100, `match` = the run's decision (the best candidate at or above the
 *   threshold), `features` = the candidate's per-mapping scores (the engine's, as the best one's evidence);
 * - preview, suggest (entities: prefix search on the name column; properties: the query properties), and data
 *   extension over the reference columns.
 * The HTTP layer (src/http/rest/reconcile.ts) turns parameters into these calls and adds the key, JSONP and CORS.
 */
import { z } from 'zod';
import type { Context } from '../../context';
import type { Dataset } from '../datasets/service';
import type { StoredFieldMapping } from '../../db/schema';
import {
  ClientKey,
  clientKeySegment,
  NotFoundError,
  ServiceUnavailableError,
  ValidationError,
  validationErrorFromIssues,
  type ErrorDetail,
} from '../../errors';
import { assertJsonDepth } from '../../json-depth';
import { requireScope } from '../workspaces/actor';
import type { MatchingConfig } from '../configs/service';
import { getDataset } from '../datasets/service';
import { findMatchTarget, matchRecordsWith, matchSourceOf, type RecordMatch } from '../realtime/service';
import type { MatchTarget } from '../realtime/store';
import type { MatchSource } from '../realtime/warm-indexes';
import type { Strategy } from '../strategies/service';
import type { PreviewCard } from './preview';

/** Queries of one batch: as many records as one `matchRecords` call takes. OpenRefine sends 10 by default. */
export const MAX_QUERIES = 100;
/** Candidates the engine keeps per record (its top list): a larger `limit` gives no more. */
export const MAX_CANDIDATES = 5;
export const MAX_QUERY_CHARS = 1000;
export const MAX_EXTEND_IDS = 1000;
export const MAX_SUGGEST_RESULTS = 50;
/** Prefix searches scan the reference rows in file order (no per-column index): bounded in time instead. */
export const SUGGEST_TIMEOUT_MS = 2000;

/** Where the service's endpoints are, as the HTTP layer knows them (absolute URLs for the manifest). */
export interface ServiceLinks {
  /** The service URL, `https://host/v1/reconcile/<config id>`, without query string. */
  serviceUrl: string;
  /** `key=ck_…` when the caller put its key in the URL (it must go into every URL the manifest announces), else null. */
  keyParameter: string | null;
  /** `strategy_id=…` when the service URL names a strategy (every announced URL carries it too), else null. */
  strategyParameter: string | null;
}

/** Which service: a config, matched with its own mappings (strategyId null) or with one of its workspace's strategies. */
export interface ServiceTarget {
  configId: string;
  strategyId: string | null;
}

/** The config and reference table a service answers for (the caller's workspace only: another's is a 404). */
interface Service {
  /** The config, with its source columns and reference version (what match now reads). */
  target: MatchTarget;
  config: MatchingConfig;
  reference: Dataset;
  strategy: Strategy | null;
  /** What the engine matches with: the config's mappings or the strategy's plan. */
  source: MatchSource;
  /** The mappings the service speaks of (name column, property ids, features): the source's. */
  mappings: StoredFieldMapping[];
  name: StoredFieldMapping | undefined;
  typeId: string;
}

async function loadService(context: Context, target: ServiceTarget): Promise<Service> {
  requireScope(context.actor, 'read');
  if (target.strategyId !== null && target.strategyId.trim() === '') {
    throw new ValidationError("The strategy_id parameter is empty: leave it out to match with the config's own mappings.", [
      { path: 'strategy_id', message: 'must not be empty' },
    ]);
  }
  const matchTarget = await findMatchTarget(context, target.configId);
  const { config } = matchTarget;
  // As match now validates it: another workspace's strategy or none is a 404, one of another reference table a 400.
  const { source, strategy } = await matchSourceOf(context, config, target.strategyId, 'Invalid reconciliation service parameters.');
  const reference = await getDataset(context, 'reference', config.referenceDataId);
  const mappings = strategy ? (strategy.plan.fieldMappings as StoredFieldMapping[]) : config.fieldMappings;
  return { target: matchTarget, config, reference, strategy, source, mappings, name: nameMapping(mappings), typeId: reference.id };
}

const TITLE_LIKE = /name|title|label/i;
const TEXT_STRATEGIES = new Set(['fuzzy', 'phonetic', 'exact']);

/**
 * The mapping whose reference column names an entity (a candidate's `name`, the column `suggest` searches) and
 * whose source column takes a query's text: of the mappings over one column with a text strategy (fuzzy, phonetic,
 * exact), the first whose reference column looks like a name (`name`, `title`, `label` in it), else the first
 * fuzzy or phonetic one, else the first. Undefined when the config has no such mapping (dates and numbers only).
 */
export function nameMapping(mappings: readonly StoredFieldMapping[]): StoredFieldMapping | undefined {
  const text = mappings.filter(
    (mapping) => !mapping.sourceColumns?.length && !mapping.targetColumns?.length && TEXT_STRATEGIES.has(mapping.strategy),
  );
  return text.find((mapping) => TITLE_LIKE.test(mapping.target)) ?? text.find((mapping) => mapping.strategy !== 'exact') ?? text[0];
}

/** A property a query may use: a source column the mappings read, and the reference columns it is compared with. */
interface QueryProperty {
  id: string;
  referenceColumns: string[];
}

/** The properties a query may use: the source columns of the mappings (each column of a field over several), in
 *  mapping order. Property suggest lists them; a query naming another is a 400. */
function queryProperties(mappings: readonly StoredFieldMapping[]): QueryProperty[] {
  const properties = new Map<string, Set<string>>();
  for (const mapping of mappings) {
    const columns = mapping.sourceColumns?.length ? mapping.sourceColumns : [mapping.source];
    const compared = mapping.targetColumns?.length ? mapping.targetColumns : [mapping.target];
    for (const column of columns) {
      const referenceColumns = properties.get(column) ?? new Set<string>();
      for (const target of compared) referenceColumns.add(target);
      properties.set(column, referenceColumns);
    }
  }
  return [...properties].map(([id, referenceColumns]) => ({ id, referenceColumns: [...referenceColumns] }));
}

function propertyIds(mappings: readonly StoredFieldMapping[]): string[] {
  return queryProperties(mappings).map((property) => property.id);
}

// ─── manifest ───────────────────────────────────────────────────────────────────────────────────────────────────

/** The parameters every announced URL carries, the key last (a client that appends its own after a `?` glues them
 *  onto the last value, which the HTTP layer repairs: url-key.ts). */
function announcedParameters(links: ServiceLinks): string {
  return [links.strategyParameter, links.keyParameter].filter((parameter) => parameter !== null).join('&');
}

function withParameters(url: string, links: ServiceLinks): string {
  const parameters = announcedParameters(links);
  return parameters ? `${url}?${parameters}` : url;
}

export async function manifest(context: Context, target: ServiceTarget, links: ServiceLinks) {
  const service = await loadService(context, target);
  // The key goes before `id={{id}}`: a client that substitutes the id without escaping it cannot cut the key off.
  const previewUrl = `${withParameters(`${links.serviceUrl}/preview`, links)}${announcedParameters(links) ? '&' : '?'}id={{id}}`;
  return {
    versions: ['0.1', '0.2'],
    name: `Concord: ${service.config.name}${service.strategy ? ` (strategy "${service.strategy.name}")` : ''}`,
    identifierSpace: `urn:concord:reference-data:${service.reference.id}`,
    schemaSpace: `urn:concord:reference-data:${service.reference.id}:columns`,
    defaultTypes: [{ id: service.typeId, name: service.reference.name }],
    view: { url: previewUrl },
    preview: { url: previewUrl, width: 400, height: 240 },
    suggest: {
      entity: { service_url: links.serviceUrl, service_path: withParameters('/suggest/entity', links) },
      property: { service_url: links.serviceUrl, service_path: withParameters('/suggest/property', links) },
    },
    extend: {
      propose_properties: { service_url: links.serviceUrl, service_path: withParameters('/propose_properties', links) },
      property_settings: [],
    },
  };
}

// ─── parsing ────────────────────────────────────────────────────────────────────────────────────────────────────

/** A JSON parameter (`queries=`, `extend=`): its text parsed, or a 400 naming the parameter. */
function parseJsonParameter(name: string, text: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`The ${name} parameter is not valid JSON: ${(error as Error).message}`, [
      { path: name, message: 'not valid JSON' },
    ]);
  }
  assertJsonDepth(parsed);
  return parsed;
}

/** zod issues under the parameter they came from (`queries["q0"].limit`), unknown fields each under its own path. */
function fail(
  message: string,
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey | ClientKey>; message: string; code?: string; keys?: readonly string[] }>,
  root: string,
): never {
  // Query fields are read as sent (no snake_case conversion): an unknown one is the client's own key.
  throw validationErrorFromIssues(
    message,
    issues.map((issue) => ({ ...issue, path: [root, ...issue.path] })),
    { keysAsSent: true },
  );
}

const entityValue = z.object({ id: z.string(), name: z.string().optional() }).passthrough();
const propertyValue = z.union([z.string(), z.number(), z.boolean(), entityValue]);
const query = z
  .object({
    query: z.string().max(MAX_QUERY_CHARS).optional(),
    type: z.union([z.string(), z.array(z.string())]).optional(),
    limit: z.number().int('must be a whole number').min(1).optional(),
    properties: z
      .array(z.object({ pid: z.string(), v: z.union([propertyValue, z.array(propertyValue)]) }).strict())
      .max(100)
      .optional(),
    type_strict: z.enum(['any', 'should', 'all']).optional(),
  })
  .strict()
  .refine((value) => value.query !== undefined || (value.properties?.length ?? 0) > 0, 'a query needs "query" or at least one property');
/** A batch of queries by id, each validated on its own (zod's record would drop an id such as `__proto__`). */
function parseQueryBatch(raw: unknown): Array<[string, Query]> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('Invalid reconciliation queries.', [{ path: 'queries', message: 'must be an object of query id: query' }]);
  }
  const entries = Object.entries(raw);
  if (entries.length < 1 || entries.length > MAX_QUERIES) {
    throw new ValidationError('Invalid reconciliation queries.', [{ path: 'queries', message: `must hold 1 to ${MAX_QUERIES} queries` }]);
  }
  const issues: Array<{ path: Array<PropertyKey | ClientKey>; message: string; code?: string; keys?: readonly string[] }> = [];
  const batch: Array<[string, Query]> = [];
  for (const [id, value] of entries) {
    if (id.length > 200) issues.push({ path: [], message: 'a query id has more than 200 characters' });
    const parsed = query.safeParse(value);
    if (parsed.success) batch.push([id, parsed.data]);
    else issues.push(...parsed.error.issues.map((issue) => ({ ...issue, path: [new ClientKey(id), ...issue.path] })));
  }
  if (issues.length) fail('Invalid reconciliation queries.', issues, 'queries');
  return batch;
}

type Query = z.infer<typeof query>;

/** The first value of a property that says something: entities by their name (else id), arrays by their first such. */
function recordValue(value: z.infer<typeof propertyValue> | Array<z.infer<typeof propertyValue>>): unknown {
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    const plain = typeof item === 'object' ? (item.name ?? item.id) : item;
    if (typeof plain === 'string' ? plain.trim() !== '' : true) return plain;
  }
  return undefined;
}

// ─── reconcile ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface ReconciliationCandidate {
  id: string;
  name: string;
  score: number;
  match: boolean;
  type: Array<{ id: string; name: string }>;
  features: Array<{ id: string; value: number }>;
}

/** `queries=` → `{"q0": {"result": [candidate…]}, …}`. */
export async function reconcile(
  context: Context,
  target: ServiceTarget,
  queriesText: string,
): Promise<Record<string, { result: ReconciliationCandidate[] }>> {
  const batch = parseQueryBatch(parseJsonParameter('queries', queriesText));
  const service = await loadService(context, target);
  const known = new Set(propertyIds(service.mappings));
  const issues: ErrorDetail[] = [];
  // The record each query becomes (keyed by source column); null: the query asks for another type (no candidates).
  const records = new Map<string, Record<string, unknown> | null>();
  for (const [id, item] of batch) records.set(id, recordOf(service, id, item, known, issues));
  if (issues.length) throw new ValidationError('Invalid reconciliation queries.', issues);

  const asked = [...records].filter(
    (entry): entry is [string, Record<string, unknown>] => entry[1] !== null && Object.keys(entry[1]).length > 0,
  );
  const matches = asked.length
    ? await matchRecordsWith(
        context,
        service.target,
        service.source,
        asked.map(([, record]) => record),
        { candidateFieldScores: true },
      )
    : [];
  const byQuery = new Map(asked.map(([id], position) => [id, matches[position]!]));
  const rows = await referenceRows(
    context,
    service.reference.id,
    matches.flatMap((match) => match.candidates.map((candidate) => candidate.referenceRowId)),
  );

  // Query ids and entity ids are the client's: `__proto__` must become a key like any other, not the prototype.
  const answer: Record<string, { result: ReconciliationCandidate[] }> = Object.create(null);
  for (const [id, item] of batch) {
    const match = byQuery.get(id);
    answer[id] = { result: match ? candidatesOf(service, match, rows, Math.min(item.limit ?? MAX_CANDIDATES, MAX_CANDIDATES)) : [] };
  }
  return answer;
}

/** The record a query stands for; null when it asks for a type this service does not have. Problems go to `issues`. */
function recordOf(service: Service, id: string, item: Query, known: Set<string>, issues: ErrorDetail[]): Record<string, unknown> | null {
  const types = item.type === undefined ? [] : Array.isArray(item.type) ? item.type : [item.type];
  if (types.length > 0 && !types.includes(service.typeId)) return null;
  const record: Record<string, unknown> = {};
  item.properties?.forEach((property, index) => {
    if (!known.has(property.pid)) {
      issues.push({
        path: `queries${clientKeySegment(id)}.properties[${index}].pid`,
        message: `unknown property "${property.pid}"; this service's properties are ${[...known].join(', ')}`,
      });
      return;
    }
    const value = recordValue(property.v);
    if (value !== undefined) record[property.pid] = value;
  });
  if (item.query !== undefined && item.query.trim() !== '') {
    if (!service.name) {
      issues.push({
        path: `queries${clientKeySegment(id)}.query`,
        message: `this ${service.strategy ? 'strategy' : 'config'} has no text mapping to match a query text against; send properties instead`,
      });
    } else if (!(service.name.source in record)) {
      // A property that names the name mapping's source column explicitly wins over the query text.
      record[service.name.source] = item.query;
    }
  }
  return record;
}

interface ReferenceRow {
  id: string;
  external_id: string;
  values: Record<string, unknown>;
}

async function referenceRows(context: Context, datasetId: string, rowIds: string[]): Promise<Map<string, ReferenceRow>> {
  const unique = [...new Set(rowIds)];
  if (unique.length === 0) return new Map();
  const found = await context.sql<ReferenceRow[]>`
    select id, external_id, values from dataset_rows where dataset_id = ${datasetId} and id = any(${unique}::uuid[])`;
  return new Map(found.map((row) => [row.id, row]));
}

function displayName(service: Service, row: ReferenceRow): string {
  const value = service.name ? row.values[service.name.target] : undefined;
  const text = value === null || value === undefined ? '' : String(value).trim();
  return text || row.external_id;
}

/** Feature ids: a mapping's source column; a source column mapped twice gets `source→target` (then a number). */
export function featureIds(evidence: ReadonlyArray<{ source: string; target: string }>): string[] {
  const taken = new Set<string>();
  const counts = new Map<string, number>();
  for (const item of evidence) counts.set(item.source, (counts.get(item.source) ?? 0) + 1);
  return evidence.map((item) => {
    let id = counts.get(item.source)! > 1 ? `${item.source}→${item.target}` : item.source;
    for (let n = 2; taken.has(id); n++) id = `${item.source}→${item.target} (${n})`;
    taken.add(id);
    return id;
  });
}

function candidatesOf(service: Service, match: RecordMatch, rows: Map<string, ReferenceRow>, limit: number): ReconciliationCandidate[] {
  const type = [{ id: service.typeId, name: service.reference.name }];
  // Evidence names the fields (one item per mapping whenever there is a candidate); each candidate has its scores.
  const ids = featureIds(match.evidence);
  const featuresOf = (scores: ReadonlyArray<number | null>) =>
    scores.flatMap((score, index) => (score === null ? [] : [{ id: ids[index]!, value: score }]));
  const result: ReconciliationCandidate[] = [];
  match.candidates.slice(0, limit).forEach((candidate, position) => {
    const row = rows.get(candidate.referenceRowId);
    if (!row) return; // deleted since it was indexed
    const best = position === 0;
    result.push({
      id: row.external_id,
      name: displayName(service, row),
      score: Math.round(candidate.confidence * 10_000) / 100,
      match: best && match.matched,
      type,
      features: featuresOf(candidate.fieldScores ?? []),
    });
  });
  return result;
}

// ─── preview, suggest, properties, extend ───────────────────────────────────────────────────────────────────────

async function rowByExternalId(context: Context, service: Service, externalId: string): Promise<ReferenceRow | undefined> {
  const [row] = await context.sql<ReferenceRow[]>`
    select id, external_id, values from dataset_rows where dataset_id = ${service.reference.id} and external_id = ${externalId}`;
  return row;
}

export async function preview(context: Context, target: ServiceTarget, externalId: string): Promise<PreviewCard> {
  if (!externalId) throw new ValidationError('The id parameter is required.', [{ path: 'id', message: 'required' }]);
  const service = await loadService(context, target);
  const row = await rowByExternalId(context, service, externalId);
  if (!row) throw new NotFoundError('reference row', externalId, `No row of this reference data has the id "${externalId}".`);
  return {
    name: displayName(service, row),
    externalId: row.external_id,
    datasetName: service.reference.name,
    columns: service.reference.columns.map((column) => ({ name: column.name, value: row.values[column.name] })),
  };
}

const suggestParams = z.object({
  prefix: z.string().trim().min(1, 'required').max(MAX_QUERY_CHARS),
  limit: z.coerce.number().int().min(1).max(MAX_SUGGEST_RESULTS).default(10),
  cursor: z.coerce.number().int().min(0).max(100_000).default(0),
});

export type SuggestParams = { prefix?: string | null; limit?: string | null; cursor?: string | null };

/** A suggest call's prefix, limit and cursor (defaults filled in), or a 400 naming each bad one. */
function parseSuggestParams(params: SuggestParams): z.infer<typeof suggestParams> {
  const parsed = suggestParams.safeParse({
    prefix: params.prefix ?? '',
    limit: params.limit ?? undefined,
    cursor: params.cursor ?? undefined,
  });
  if (!parsed.success) fail('Invalid suggest parameters.', parsed.error.issues, 'suggest');
  return parsed.data;
}

/** Escapes LIKE's wildcards and its escape character in user text. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

/**
 * Entities whose name starts with the prefix (case-insensitive), in file order, `limit` at a time after `cursor`.
 * The rows are scanned in file order until enough match (there is no index per column), within SUGGEST_TIMEOUT_MS.
 */
export async function suggestEntities(context: Context, target: ServiceTarget, params: SuggestParams) {
  const asked = parseSuggestParams(params);
  const service = await loadService(context, target);
  if (!service.name) return { result: [] };
  const column = service.name.target;
  const pattern = `${likeLiteral(asked.prefix.toLowerCase())}%`;
  const rows = await context.sql
    .begin(async (tx) => {
      await tx.unsafe(`set local statement_timeout = ${SUGGEST_TIMEOUT_MS}`);
      return tx<Array<{ external_id: string; name: string }>>`
        select external_id, values->>${column} as name from dataset_rows
        where dataset_id = ${service.reference.id} and lower(values->>${column}) like ${pattern}
        order by position limit ${asked.limit} offset ${asked.cursor}`;
    })
    .catch((error: unknown) => {
      if ((error as { code?: string }).code === '57014') {
        throw new ServiceUnavailableError('The prefix search took too long on this reference table; type a longer prefix.');
      }
      throw error;
    });
  return { result: rows.map((row) => ({ id: row.external_id, name: row.name })) };
}

/**
 * The properties a query may use (its `properties`' `pid`: the mappings' source columns) whose id or compared
 * reference column starts with the prefix (case-insensitive), `limit` at a time after `cursor`; each described by
 * the reference columns it is compared with. Data extension's properties are the reference columns instead
 * (propose_properties).
 */
export async function suggestProperties(context: Context, target: ServiceTarget, params: SuggestParams) {
  const asked = parseSuggestParams(params);
  const service = await loadService(context, target);
  const prefix = asked.prefix.toLowerCase();
  const startsWith = (text: string) => text.toLowerCase().startsWith(prefix);
  const found = queryProperties(service.mappings).filter(
    (property) => startsWith(property.id) || property.referenceColumns.some(startsWith),
  );
  const page = found.slice(asked.cursor, asked.cursor + asked.limit);
  return {
    result: page.map((property) => ({ id: property.id, name: property.id, description: describeProperty(service, property) })),
  };
}

/** `compared with the reference column "city"`: what a user picking a property for a column needs to know. */
function describeProperty(service: Service, property: QueryProperty): string {
  const columns = property.referenceColumns.map((column) => JSON.stringify(column)).join(', ');
  const compared = `compared with the reference ${property.referenceColumns.length > 1 ? 'columns' : 'column'} ${columns}`;
  return property.id === service.name?.source ? `${compared}; a query's text goes here too` : compared;
}

const proposeParams = z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() });

/** The properties data extension can fetch: the reference table's columns. */
export async function proposeProperties(context: Context, target: ServiceTarget, params: { type?: string | null; limit?: string | null }) {
  const parsed = proposeParams.safeParse({ limit: params.limit ?? undefined });
  if (!parsed.success) fail('Invalid property proposal parameters.', parsed.error.issues, 'propose_properties');
  const service = await loadService(context, target);
  const properties = service.reference.columns.map((column) => ({ id: column.name, name: column.name }));
  return {
    type: params.type || service.typeId,
    properties: parsed.data.limit === undefined ? properties : properties.slice(0, parsed.data.limit),
    ...(parsed.data.limit === undefined ? {} : { limit: parsed.data.limit }),
  };
}

const extendQuery = z
  .object({
    ids: z.array(z.string()).min(1, 'at least one id').max(MAX_EXTEND_IDS),
    properties: z
      .array(z.object({ id: z.string(), settings: z.record(z.string(), z.unknown()).optional() }).strict())
      .min(1, 'at least one property'),
  })
  .strict();

type ExtendValue = { str: string } | { int: number } | { float: number };

/** A reference cell as a data extension value: numbers as int or float, anything else as text; empty → none. */
function extendValues(value: unknown, columnType: string | undefined): ExtendValue[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'number' && Number.isFinite(value)) return [Number.isInteger(value) ? { int: value } : { float: value }];
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text.trim() === '') return [];
  if (columnType === 'number' && /^-?\d+(\.\d+)?$/.test(text.trim())) {
    const number = Number(text.trim());
    if (Number.isFinite(number)) return [Number.isSafeInteger(number) ? { int: number } : { float: number }];
  }
  return [{ str: text }];
}

/** `extend=` → the requested reference columns of the requested entities (an unknown id gets no values). */
export async function extend(context: Context, target: ServiceTarget, extendText: string) {
  const parsed = extendQuery.safeParse(parseJsonParameter('extend', extendText));
  if (!parsed.success) fail('Invalid data extension query.', parsed.error.issues, 'extend');
  const service = await loadService(context, target);
  const columns = new Map(service.reference.columns.map((column) => [column.name, column.type]));
  const issues: ErrorDetail[] = [];
  parsed.data.properties.forEach((property, index) => {
    if (!columns.has(property.id))
      issues.push({ path: `extend.properties[${index}].id`, message: `unknown property "${property.id}"; propose_properties lists them` });
  });
  if (issues.length) throw new ValidationError('Invalid data extension query.', issues);
  const ids = [...new Set(parsed.data.ids)];
  const found = await context.sql<ReferenceRow[]>`
    select id, external_id, values from dataset_rows where dataset_id = ${service.reference.id} and external_id = any(${ids}::text[])`;
  const byId = new Map(found.map((row) => [row.external_id, row]));
  const rows: Record<string, Record<string, ExtendValue[]>> = Object.create(null);
  for (const id of ids) {
    const row = byId.get(id);
    rows[id] = Object.fromEntries(
      parsed.data.properties.map((property) => [property.id, row ? extendValues(row.values[property.id], columns.get(property.id)) : []]),
    );
  }
  return { meta: parsed.data.properties.map((property) => ({ id: property.id, name: property.id })), rows };
}
