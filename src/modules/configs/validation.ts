import { parseCrontab } from 'graphile-worker';
import { z } from 'zod';
import type { Dataset } from '../datasets/service';
import type { StoredBlocking, StoredFieldMapping } from '../../db/schema';
import { MAX_PART_LENGTH } from '../../matching/blocking';
import { UUID_PATTERN } from '../shared/ids';

/**
 * Validation of matching configs, on the camelCase (service/engine) shape. Each top-level field is parsed on its own
 * so that every problem of a body is reported at once, with its path (`fieldMappings[1].weight`); the checks that
 * need several fields or the database (weights summing to 1, datasets, columns) run on whatever parsed.
 */

export type Issue = { path: PropertyKey[]; message: string };

export const STRATEGIES = ['exact', 'fuzzy', 'phonetic', 'date_range', 'numeric_range'] as const;
export const FUZZY_ALGORITHMS = [
  'jaro_winkler',
  'levenshtein',
  'damerau_levenshtein',
  'token_set',
  'tfidf_cosine',
  'codes',
  'quantities',
  'abbreviation',
] as const;
export const BLOCKING_STRATEGIES = ['parallel', 'ordered_fallback'] as const;
export const BLOCKING_TRANSFORMS = ['exact', 'tokens', 'qgrams', 'phonetic', 'prefix', 'nearby'] as const;
export const DEFAULT_THRESHOLD = 0.85;
const WEIGHT_TOLERANCE = 1e-6;

/** The values of a config, as stored (matching_configs row minus ids/timestamps). */
export interface ConfigValues {
  name: string;
  referenceDataId: string;
  sourceDataId: string | null;
  fieldMappings: StoredFieldMapping[];
  threshold: number;
  reviewBand: { low: number; high: number } | null;
  blocking: StoredBlocking | null;
  oneToOne: boolean;
  schedule: string | null;
}

/** Column names are compared exactly as the dataset stores them (no trimming here). */
const column = z.string('must be a column name').min(1, 'must be a column name').max(500);
const datasetId = z.string('must be a UUID').regex(UUID_PATTERN, 'must be a UUID');
const unit = z.number('must be a number').min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

const fieldSchemas = {
  name: z.string('must be a string').trim().min(1, 'name is required').max(200, 'at most 200 characters'),
  referenceDataId: datasetId,
  sourceDataId: datasetId.nullable(),
  threshold: unit,
  reviewBand: z
    .strictObject({ low: unit, high: unit })
    .refine((band) => band.low <= band.high, { message: 'low must not be greater than high', path: ['low'] })
    .nullable(),
  oneToOne: z.boolean('must be true or false'),
  schedule: z.string('must be a cron expression').trim().min(1, 'must be a cron expression').max(200).nullable(),
} as const;

type FieldName = keyof ConfigValues;
const FIELD_NAMES: readonly FieldName[] = [
  'name',
  'referenceDataId',
  'sourceDataId',
  'fieldMappings',
  'threshold',
  'reviewBand',
  'blocking',
  'oneToOne',
  'schedule',
];

/** A field over several columns (as smart strategies make them): `source` / `target` then name the field. */
const columnList = z
  .array(column, 'must be a list of column names')
  .min(1, 'must name at least one column')
  .max(100, 'must name at most 100 columns');

const mappingBase = z.strictObject({
  source: column,
  target: column,
  strategy: z.enum(STRATEGIES, `must be one of ${STRATEGIES.join(', ')}`),
  weight: z.number('must be a number').gt(0, 'must be greater than 0').max(1, 'must be at most 1'),
  options: z.unknown().optional(),
  sourceColumns: columnList.optional(),
  targetColumns: columnList.optional(),
});

const nonNegative = z.number('must be a number').min(0, 'must be 0 or more');
/** A window's end in days: a century either way is more than any two records of one event differ by. */
export const MAX_WINDOW_DAYS = 36_600;
/** Two numbers differ by at most 200 % of the larger magnitude (when their signs differ). */
export const MAX_WINDOW_PCT = 200;
const windowEnd = (limit: number, unit: string) =>
  z
    .number('must be a number')
    .min(-limit, `must be between -${limit} and ${limit}${unit}`)
    .max(limit, `must be between -${limit} and ${limit}${unit}`);
const anyEnd = z.number('must be a finite number');

type WindowOptions = Record<string, unknown>;

/** A window [min, max] of expected differences source − reference (comparators/ranges.ts): both ends or none,
 *  min ≤ max, and not with the symmetric tolerances (`exclusive`) it replaces. */
function checkWindow(
  options: WindowOptions,
  context: z.core.$RefinementCtx,
  minKey: string,
  maxKey: string,
  exclusive: readonly string[],
): void {
  const min = options[minKey];
  const max = options[maxKey];
  if (min === undefined && max === undefined) return;
  if (min === undefined || max === undefined) {
    const missing = min === undefined ? minKey : maxKey;
    context.addIssue({ code: 'custom', path: [missing], message: 'a window needs both ends (its min and its max difference)' });
    return;
  }
  if ((min as number) > (max as number))
    context.addIssue({ code: 'custom', path: [minKey], message: "the window's start (min) must not be greater than its end (max)" });
  for (const key of exclusive) {
    if (options[key] !== undefined)
      context.addIssue({
        code: 'custom',
        path: [key],
        message: 'give a window of differences or this symmetric tolerance, not both (the window replaces it)',
      });
  }
}

const optionSchemas = {
  fuzzy: z
    .strictObject({ algorithm: z.enum(FUZZY_ALGORITHMS, `must be one of ${FUZZY_ALGORITHMS.join(', ')}`).default('jaro_winkler') })
    .default({ algorithm: 'jaro_winkler' }),
  date_range: z
    .strictObject({
      toleranceDays: nonNegative.optional(),
      monthFirst: z.boolean('must be true or false').optional(),
      minDifferenceDays: windowEnd(MAX_WINDOW_DAYS, ' days').optional(),
      maxDifferenceDays: windowEnd(MAX_WINDOW_DAYS, ' days').optional(),
    })
    .superRefine((options, context) => checkWindow(options, context, 'minDifferenceDays', 'maxDifferenceDays', ['toleranceDays']))
    // Without a window the tolerance is stored with its default, as before windows existed.
    .transform((options) =>
      options.minDifferenceDays === undefined && options.toleranceDays === undefined ? { ...options, toleranceDays: 0 } : options,
    )
    .default({ toleranceDays: 0 }),
  numeric_range: z
    .strictObject(
      {
        tolerance: nonNegative.optional(),
        tolerancePct: nonNegative.optional(),
        minDifference: anyEnd.optional(),
        maxDifference: anyEnd.optional(),
        minDifferencePct: windowEnd(MAX_WINDOW_PCT, ' %').optional(),
        maxDifferencePct: windowEnd(MAX_WINDOW_PCT, ' %').optional(),
      },
      'numeric_range needs options with a tolerance or a window',
    )
    .superRefine((options, context) => {
      const tolerances = ['tolerance', 'tolerancePct'] as const;
      checkWindow(options, context, 'minDifference', 'maxDifference', tolerances);
      checkWindow(options, context, 'minDifferencePct', 'maxDifferencePct', tolerances);
      const windowed = [options.minDifference, options.maxDifference, options.minDifferencePct, options.maxDifferencePct].some(
        (end) => end !== undefined,
      );
      if (!windowed && (options.tolerance === undefined) === (options.tolerancePct === undefined))
        context.addIssue({
          code: 'custom',
          path: [],
          message:
            'give exactly one of tolerance (absolute) or tolerancePct (percent), or a window of differences (absolute and/or in percent)',
        });
    }),
} as const;

const blockingPart = z
  .strictObject({
    source: column,
    target: column,
    transform: z.enum(BLOCKING_TRANSFORMS, `must be one of ${BLOCKING_TRANSFORMS.join(', ')}`),
    length: z
      .number()
      .int('must be an integer')
      .min(1, 'must be 1 or more')
      .max(MAX_PART_LENGTH, `must be at most ${MAX_PART_LENGTH}`)
      .optional(),
  })
  .refine(
    (part) => part.length === undefined || part.transform === 'prefix' || part.transform === 'qgrams' || part.transform === 'nearby',
    {
      message: 'length applies to the prefix, qgrams and nearby transforms only',
      path: ['length'],
    },
  );

const blockingSchema = z
  .strictObject({
    strategy: z.enum(BLOCKING_STRATEGIES, `must be one of ${BLOCKING_STRATEGIES.join(', ')}`).optional(),
    keys: z
      .array(z.strictObject({ parts: z.array(blockingPart).min(1, 'a key needs at least one part') }), 'must be a list of keys')
      .optional(),
    maxPostings: z.number().int('must be an integer').min(1, 'must be 1 or more').optional(),
  })
  .nullable();

/** zod issues → ours, prefixed; an unknown key becomes one issue at the key's own path. */
function collect(issues: Issue[], prefix: PropertyKey[], zodIssues: ReadonlyArray<z.core.$ZodIssue>): void {
  for (const issue of zodIssues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: [...prefix, ...issue.path, key], message: 'unknown field' });
    } else {
      issues.push({ path: [...prefix, ...issue.path], message: issue.message });
    }
  }
}

/** Column pairs named by the body, also of mappings with other problems, so their columns are checked too. */
/** A column a config names, on one side or both (`path` points at it). */
export type ColumnRef = { path: PropertyKey[]; source?: string; target?: string };

/** The columns a mapping reads: its source and target, or each column of a field over several columns. */
function mappingColumnRefs(
  prefix: PropertyKey[],
  mapping: { source?: unknown; target?: unknown; sourceColumns?: unknown; targetColumns?: unknown },
): ColumnRef[] {
  const listed = (side: 'sourceColumns' | 'targetColumns') => (Array.isArray(mapping[side]) ? (mapping[side] as unknown[]) : undefined);
  const sources = listed('sourceColumns');
  const targets = listed('targetColumns');
  if (sources === undefined && targets === undefined) {
    return typeof mapping.source === 'string' && typeof mapping.target === 'string'
      ? [{ path: prefix, source: mapping.source, target: mapping.target }]
      : [];
  }
  const refs: ColumnRef[] = [];
  sources?.forEach((c, i) => typeof c === 'string' && refs.push({ path: [...prefix, 'sourceColumns', i], source: c }));
  targets?.forEach((c, i) => typeof c === 'string' && refs.push({ path: [...prefix, 'targetColumns', i], target: c }));
  return refs;
}

function parseMappings(raw: unknown, issues: Issue[], columnRefs: ColumnRef[]): StoredFieldMapping[] | undefined {
  if (!Array.isArray(raw)) {
    issues.push({ path: ['fieldMappings'], message: 'must be a list of field mappings' });
    return undefined;
  }
  if (raw.length === 0) {
    issues.push({ path: ['fieldMappings'], message: 'at least one field mapping is required' });
    return undefined;
  }
  const before = issues.length;
  const mappings: StoredFieldMapping[] = [];
  const weights: number[] = [];
  raw.forEach((item, index) => {
    const prefix = ['fieldMappings', index];
    const fields = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const base = mappingBase.safeParse(item);
    if (!base.success) collect(issues, prefix, base.error.issues);
    if ((fields.sourceColumns === undefined) !== (fields.targetColumns === undefined)) {
      issues.push({
        path: [...prefix, fields.sourceColumns === undefined ? 'targetColumns' : 'sourceColumns'],
        message: 'sourceColumns and targetColumns go together: a field over several columns names them on both sides',
      });
    }
    columnRefs.push(...mappingColumnRefs(prefix, fields));
    if (typeof fields.weight === 'number' && fields.weight > 0 && fields.weight <= 1) weights.push(fields.weight);
    // The options are checked against the strategy even when another part of the mapping is wrong.
    const strategy = z.enum(STRATEGIES).safeParse(fields.strategy);
    if (!strategy.success) return;
    const rawOptions = fields.options ?? undefined;
    let options: StoredFieldMapping['options'];
    if (strategy.data === 'exact' || strategy.data === 'phonetic') {
      if (rawOptions !== undefined) {
        if (typeof rawOptions !== 'object' || Array.isArray(rawOptions)) {
          issues.push({ path: [...prefix, 'options'], message: 'must be an object' });
        } else {
          for (const key of Object.keys(rawOptions)) {
            issues.push({ path: [...prefix, 'options', key], message: `the ${strategy.data} strategy takes no options` });
          }
        }
      }
    } else {
      const parsed = optionSchemas[strategy.data].safeParse(rawOptions);
      if (parsed.success) options = stripUndefined(parsed.data);
      else collect(issues, [...prefix, 'options'], parsed.error.issues);
    }
    if (base.success) {
      const { options: _ignored, ...rest } = base.data;
      mappings.push(options ? { ...rest, options } : rest);
    }
  });
  // The sum is checked whenever every weight is itself valid.
  if (weights.length === raw.length) {
    const sum = weights.reduce((total, weight) => total + weight, 0);
    if (Math.abs(sum - 1) > WEIGHT_TOLERANCE) {
      issues.push({ path: ['fieldMappings'], message: `the weights must sum to 1; they sum to ${Number(sum.toFixed(6))}` });
    }
  }
  return issues.length === before ? mappings : undefined;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as T;
}

function parseSchedule(raw: string | null, issues: Issue[]): string | null | undefined {
  if (raw === null) return null;
  const fields = raw.split(/\s+/);
  if (/[\r\n#]/.test(raw) || fields.length !== 5) {
    issues.push({ path: ['schedule'], message: 'must be a cron expression of 5 fields (minute hour day month weekday), e.g. "0 3 * * *"' });
    return undefined;
  }
  try {
    parseCrontab(`${fields.join(' ')} some_task`);
  } catch (error) {
    const message = (error as Error).message.replace(/ in line 1 of crontab/, '').replace(/ of crontab: '.*'$/, '');
    issues.push({ path: ['schedule'], message: `invalid cron expression: ${message}` });
    return undefined;
  }
  return fields.join(' ');
}

export interface ParsedConfig {
  values: Partial<ConfigValues>;
  /** When the body gives field mappings: their column pairs, including those of invalid mappings. */
  mappingRefs?: ColumnRef[];
  /** When the body gives blocking: the column pairs of its key parts, including those of invalid parts. */
  blockingRefs?: ColumnRef[];
}

/**
 * Parses the fields present in `input` (a plain object). `required` fields must be there; unknown keys are
 * reported. Returns the fields that parsed; `issues` receives the problems.
 */
export function parseConfigFields(input: unknown, required: readonly FieldName[], issues: Issue[]): ParsedConfig {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    issues.push({ path: [], message: 'the body must be a JSON object' });
    return { values: {} };
  }
  const body = input as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!(FIELD_NAMES as readonly string[]).includes(key)) issues.push({ path: [key], message: 'unknown field' });
  }
  const values: Partial<ConfigValues> = {};
  const result: ParsedConfig = { values };
  const assign = values as Record<string, unknown>;
  for (const name of FIELD_NAMES) {
    const raw = body[name];
    if (raw === undefined) {
      if (required.includes(name)) issues.push({ path: [name], message: 'is required' });
      continue;
    }
    if (name === 'fieldMappings') {
      result.mappingRefs = [];
      const mappings = parseMappings(raw, issues, result.mappingRefs);
      if (mappings) values.fieldMappings = mappings;
      continue;
    }
    if (name === 'blocking') {
      result.blockingRefs = [];
      blockingColumnRefs(raw, result.blockingRefs);
      const parsed = blockingSchema.safeParse(raw);
      if (parsed.success) values.blocking = parsed.data ? stripUndefined(parsed.data) : null;
      else collect(issues, ['blocking'], parsed.error.issues);
      continue;
    }
    const parsed = fieldSchemas[name].safeParse(raw);
    if (!parsed.success) {
      collect(issues, [name], parsed.error.issues);
      continue;
    }
    if (name === 'schedule') {
      const schedule = parseSchedule(parsed.data as string | null, issues);
      if (schedule !== undefined) values.schedule = schedule;
      continue;
    }
    assign[name] = parsed.data;
  }
  return result;
}

function blockingColumnRefs(raw: unknown, columnRefs: ColumnRef[]): void {
  const keys = (raw as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return;
  keys.forEach((key, k) => {
    const parts = (key as { parts?: unknown } | null)?.parts;
    if (!Array.isArray(parts)) return;
    parts.forEach((part, p) => {
      const { source, target } = (part ?? {}) as { source?: unknown; target?: unknown };
      if (typeof source === 'string' && typeof target === 'string') {
        columnRefs.push({ path: ['blocking', 'keys', k, 'parts', p], source, target });
      }
    });
  });
}

/** The defaults of the optional fields, for create and replace. */
export function withDefaults(values: Partial<ConfigValues>): Partial<ConfigValues> {
  return {
    sourceDataId: null,
    threshold: DEFAULT_THRESHOLD,
    reviewBand: null,
    blocking: null,
    oneToOne: false,
    schedule: null,
    ...values,
  };
}

export interface ConfigDatasets {
  reference?: Dataset;
  source?: Dataset;
}

/**
 * Checks against the datasets that were found: every named column exists. Given mappings/blocking are checked from
 * the body's refs (so invalid entries get their columns checked too); stored ones from the values.
 */
export function checkColumns(parsed: ParsedConfig, values: Partial<ConfigValues>, datasets: ConfigDatasets, issues: Issue[]): void {
  const referenceColumns = datasets.reference ? new Set(datasets.reference.columns.map((c) => c.name)) : undefined;
  const sourceColumns = datasets.source ? new Set(datasets.source.columns.map((c) => c.name)) : undefined;
  const mappingRefs =
    parsed.mappingRefs ?? (values.fieldMappings ?? []).flatMap((mapping, index) => mappingColumnRefs(['fieldMappings', index], mapping));
  // A blocking key part may name a field over several columns by its name.
  const fieldNames = new Set(
    (values.fieldMappings ?? []).filter((m) => m.sourceColumns !== undefined).map((m) => `${m.source}\u0000${m.target}`),
  );
  const blockingRefs =
    parsed.blockingRefs ??
    (values.blocking?.keys ?? []).flatMap((key, k) =>
      key.parts.map((part, p) => ({ path: ['blocking', 'keys', k, 'parts', p], source: part.source, target: part.target })),
    );
  for (const ref of [...mappingRefs, ...blockingRefs.filter((r) => !fieldNames.has(`${r.source}\u0000${r.target}`))]) {
    // A ref of one listed column points at it; a source/target pair at the mapping or key part.
    const listed = ref.source === undefined || ref.target === undefined;
    if (sourceColumns && ref.source !== undefined && !sourceColumns.has(ref.source)) {
      issues.push({ path: listed ? ref.path : [...ref.path, 'source'], message: `the source data has no column "${ref.source}"` });
    }
    if (referenceColumns && ref.target !== undefined && !referenceColumns.has(ref.target)) {
      issues.push({ path: listed ? ref.path : [...ref.path, 'target'], message: `the reference data has no column "${ref.target}"` });
    }
  }
}

/**
 * The config body as one zod schema, for documentation only (the OpenAPI document derives its JSON Schema from
 * it): built from the same field schemas the parser above uses, which stays the one that validates.
 */
export const configBodySchema = z.strictObject({
  name: fieldSchemas.name,
  referenceDataId: fieldSchemas.referenceDataId,
  sourceDataId: fieldSchemas.sourceDataId.optional(),
  fieldMappings: z
    .array(
      mappingBase.extend({
        options: z.union([optionSchemas.fuzzy, optionSchemas.date_range, optionSchemas.numeric_range, z.strictObject({})]).optional(),
      }),
    )
    .min(1),
  threshold: fieldSchemas.threshold.optional(),
  reviewBand: fieldSchemas.reviewBand.optional(),
  blocking: blockingSchema.optional(),
  oneToOne: fieldSchemas.oneToOne.optional(),
  schedule: fieldSchemas.schedule.optional(),
});
