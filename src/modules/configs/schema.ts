import { builder } from '../../graphql/builder';
import { databaseId } from '../../graphql/ids';
import type { StoredBlocking, StoredFieldMapping } from '../../db/schema';
import { DatasetRef } from '../datasets/schema';
import { assertForwardOnly, countedConnection, cursorConnection } from '../../graphql/connections';
import { createConfig, deleteConfig, getConfig, listConfigs, replaceConfig, updateConfig } from './service';
import type { EnumValues } from '../../graphql/enums';
import type { BLOCKING_STRATEGIES, BLOCKING_TRANSFORMS, FUZZY_ALGORITHMS, STRATEGIES } from './validation';

type BlockingPart = NonNullable<StoredBlocking['keys']>[number]['parts'][number];
type BlockingKey = NonNullable<StoredBlocking['keys']>[number];

const StrategyEnum = builder.enumType('MatchStrategy', {
  description: 'How a source field is compared with a reference column.',
  values: {
    EXACT: { value: 'exact' },
    FUZZY: { value: 'fuzzy' },
    PHONETIC: { value: 'phonetic' },
    DATE_RANGE: { value: 'date_range' },
    NUMERIC_RANGE: { value: 'numeric_range' },
  } satisfies EnumValues<(typeof STRATEGIES)[number]>,
});

const FuzzyAlgorithmEnum = builder.enumType('FuzzyAlgorithm', {
  description: 'The string similarity of a fuzzy comparison.',
  values: {
    JARO_WINKLER: { value: 'jaro_winkler' },
    LEVENSHTEIN: { value: 'levenshtein' },
    DAMERAU_LEVENSHTEIN: { value: 'damerau_levenshtein' },
    TOKEN_SET: { value: 'token_set' },
    TFIDF_COSINE: { value: 'tfidf_cosine' },
    CODES: { value: 'codes' },
    QUANTITIES: { value: 'quantities' },
    ABBREVIATION: { value: 'abbreviation' },
  } satisfies EnumValues<(typeof FUZZY_ALGORITHMS)[number]>,
});

const BlockingStrategyEnum = builder.enumType('BlockingStrategy', {
  description: 'PARALLEL: candidates are the union of all keys. ORDERED_FALLBACK: the candidates of the first key that yields any.',
  values: { PARALLEL: { value: 'parallel' }, ORDERED_FALLBACK: { value: 'ordered_fallback' } } satisfies EnumValues<
    (typeof BLOCKING_STRATEGIES)[number]
  >,
});

const BlockingTransformEnum = builder.enumType('BlockingTransform', {
  description:
    'How a value becomes blocking keys: the normalised value, its tokens, q-grams, phonetic codes, a prefix, or (dates and numbers) cells of two overlapping grids, so that values close to each other share one.',
  values: {
    EXACT: { value: 'exact' },
    TOKENS: { value: 'tokens' },
    QGRAMS: { value: 'qgrams' },
    PHONETIC: { value: 'phonetic' },
    PREFIX: { value: 'prefix' },
    NEARBY: { value: 'nearby' },
  } satisfies EnumValues<(typeof BLOCKING_TRANSFORMS)[number]>,
});

type Options = NonNullable<StoredFieldMapping['options']>;

const FieldMappingOptionsRef = builder.objectRef<Options>('FieldMappingOptions').implement({
  description: 'Options of a comparison; which ones apply depends on the strategy.',
  fields: (t) => ({
    algorithm: t.field({
      type: FuzzyAlgorithmEnum,
      nullable: true,
      description: 'FUZZY: the similarity algorithm (default JARO_WINKLER).',
      resolve: (options) => (options.algorithm as (typeof FUZZY_ALGORITHMS)[number] | undefined) ?? null,
    }),
    toleranceDays: t.float({
      nullable: true,
      description: 'DATE_RANGE: days apart that still count as the same date.',
      resolve: (options) => (options.toleranceDays as number | undefined) ?? null,
    }),
    monthFirst: t.boolean({
      nullable: true,
      description: 'DATE_RANGE: numeric dates that could be either (03/05/2020) are read month-first on both sides.',
      resolve: (options) => (options.monthFirst as boolean | undefined) ?? null,
    }),
    tolerance: t.float({
      nullable: true,
      description: 'NUMERIC_RANGE: absolute difference that still counts as equal.',
      resolve: (options) => (options.tolerance as number | undefined) ?? null,
    }),
    tolerancePct: t.float({
      nullable: true,
      description: 'NUMERIC_RANGE: difference in percent of the larger value (10 = 10 %) that still counts as equal.',
      resolve: (options) => (options.tolerancePct as number | undefined) ?? null,
    }),
    minDifferenceDays: t.float({
      nullable: true,
      description:
        'DATE_RANGE: the source date is expected at least this many days after the reference date (negative: before). With maxDifferenceDays it replaces toleranceDays: 1 at the difference in the window nearest 0, 0.5 at its ends, 0 outside.',
      resolve: (options) => (options.minDifferenceDays as number | undefined) ?? null,
    }),
    maxDifferenceDays: t.float({
      nullable: true,
      description: 'DATE_RANGE: the source date is expected at most this many days after the reference date (see minDifferenceDays).',
      resolve: (options) => (options.maxDifferenceDays as number | undefined) ?? null,
    }),
    minDifference: t.float({
      nullable: true,
      description:
        'NUMERIC_RANGE: smallest expected source − reference, absolute. With maxDifference it replaces the tolerance, scored like minDifferenceDays.',
      resolve: (options) => (options.minDifference as number | undefined) ?? null,
    }),
    maxDifference: t.float({
      nullable: true,
      description: 'NUMERIC_RANGE: largest expected source − reference, absolute (see minDifference).',
      resolve: (options) => (options.maxDifference as number | undefined) ?? null,
    }),
    minDifferencePct: t.float({
      nullable: true,
      description:
        'NUMERIC_RANGE: smallest expected source − reference in percent of the larger value. With an absolute window too, the more permissive applies on each side.',
      resolve: (options) => (options.minDifferencePct as number | undefined) ?? null,
    }),
    maxDifferencePct: t.float({
      nullable: true,
      description: 'NUMERIC_RANGE: largest expected source − reference in percent of the larger value (see minDifferencePct).',
      resolve: (options) => (options.maxDifferencePct as number | undefined) ?? null,
    }),
  }),
});

export const FieldMappingRef = builder.objectRef<StoredFieldMapping>('FieldMapping').implement({
  description: 'Which source field is compared with which reference column, how, and with what weight.',
  fields: (t) => ({
    source: t.exposeString('source', { description: 'Column of the source data.' }),
    target: t.exposeString('target', { description: 'Column of the reference data.' }),
    strategy: t.field({ type: StrategyEnum, description: 'The comparison.', resolve: (mapping) => mapping.strategy }),
    weight: t.exposeFloat('weight', { description: 'Share of this field in the confidence; the weights of a config sum to 1.' }),
    options: t.field({
      type: FieldMappingOptionsRef,
      description: 'Options of the comparison.',
      resolve: (mapping) => mapping.options ?? {},
    }),
    sourceColumns: t.stringList({
      nullable: true,
      description:
        'A field over several source columns (smart strategies: whole-record text, codes anywhere): their texts joined; `source` then names the field.',
      resolve: (mapping) => mapping.sourceColumns ?? null,
    }),
    targetColumns: t.stringList({
      nullable: true,
      description: 'A field over several reference columns, as sourceColumns.',
      resolve: (mapping) => mapping.targetColumns ?? null,
    }),
  }),
});

export const ReviewBandRef = builder.objectRef<{ low: number; high: number }>('ReviewBand').implement({
  description: 'Confidences in [low, high] are sent to review (and, in smart runs, to a second pass).',
  fields: (t) => ({
    low: t.exposeFloat('low', { description: 'Lower bound, in [0, 1].' }),
    high: t.exposeFloat('high', { description: 'Upper bound, in [0, 1], at least `low`.' }),
  }),
});

const BlockingKeyPartRef = builder.objectRef<BlockingPart>('BlockingKeyPart').implement({
  description: 'One part of a blocking key: a source column and a reference column transformed the same way.',
  fields: (t) => ({
    source: t.exposeString('source', { description: 'Column of the source data.' }),
    target: t.exposeString('target', { description: 'Column of the reference data.' }),
    transform: t.field({
      type: BlockingTransformEnum,
      description: 'How the values become keys.',
      resolve: (part) => part.transform as (typeof BLOCKING_TRANSFORMS)[number],
    }),
    length: t.int({
      nullable: true,
      description: 'PREFIX: prefix length (default 4); QGRAMS: q (default 3); NEARBY: width w in days (default 3) or percent (default 2).',
      resolve: (part) => part.length ?? null,
    }),
  }),
});

const BlockingKeyRef = builder.objectRef<BlockingKey>('BlockingKey').implement({
  description: 'Two rows share a key when every part yields a common value.',
  fields: (t) => ({
    parts: t.field({ type: [BlockingKeyPartRef], description: 'The parts, all of which must agree.', resolve: (key) => key.parts }),
  }),
});

export const BlockingRef = builder.objectRef<StoredBlocking>('Blocking').implement({
  description: 'Which reference rows each source row is compared with.',
  fields: (t) => ({
    strategy: t.field({
      type: BlockingStrategyEnum,
      nullable: true,
      description: 'How keys combine (default PARALLEL).',
      resolve: (blocking) => blocking.strategy ?? null,
    }),
    keys: t.field({
      type: [BlockingKeyRef],
      nullable: true,
      description: 'The keys; when absent, keys are derived from the field mappings.',
      resolve: (blocking) => blocking.keys ?? null,
    }),
    maxPostings: t.int({
      nullable: true,
      description: 'Keys shared by more reference rows than this are ignored as too common.',
      resolve: (blocking) => blocking.maxPostings ?? null,
    }),
  }),
});

export const MatchingConfigRef = builder.drizzleNode('matchingConfigs', {
  name: 'MatchingConfig',
  description: 'How source rows are matched against a reference dataset: field mappings, weights, threshold, blocking.',
  id: { column: (config) => config.id },
  fields: (t) => ({
    databaseId: t.exposeString('id', { description: 'The UUID the REST API uses.' }),
    name: t.exposeString('name', { description: 'A name for people.' }),
    referenceData: t.relation('referenceData', {
      type: DatasetRef,
      description: 'The reference dataset rows are matched against (cannot change after create).',
    }),
    sourceData: t.relation('sourceData', {
      type: DatasetRef,
      nullable: true,
      description: 'The default source dataset of runs, if set.',
    }),
    fieldMappings: t.field({
      type: [FieldMappingRef],
      description: 'The compared fields; the weights sum to 1.',
      resolve: (config) => config.fieldMappings,
    }),
    threshold: t.exposeFloat('threshold', { description: 'A source row matches when its best confidence reaches this (default 0.85).' }),
    reviewBand: t.field({
      type: ReviewBandRef,
      nullable: true,
      description: 'Confidences sent to review, if set.',
      resolve: (config) => config.reviewBand,
    }),
    blocking: t.field({
      type: BlockingRef,
      nullable: true,
      description: 'Blocking settings; when absent, derived from the field mappings.',
      resolve: (config) => config.blocking,
    }),
    oneToOne: t.exposeBoolean('oneToOne', { description: 'Each reference row matches at most one source row (default false).' }),
    schedule: t.exposeString('schedule', { nullable: true, description: 'Cron expression (5 fields, UTC) of scheduled runs, if any.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the config was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the config last changed.' }),
  }),
});

const FieldMappingOptionsInput = builder.inputType('FieldMappingOptionsInput', {
  description: "Options of a comparison; give only those of the mapping's strategy.",
  fields: (t) => ({
    algorithm: t.field({ type: FuzzyAlgorithmEnum, description: 'FUZZY only (default JARO_WINKLER).' }),
    toleranceDays: t.float({ description: 'DATE_RANGE only: days apart still equal (default 0 when no window is given).' }),
    monthFirst: t.boolean({
      description: 'DATE_RANGE only: read numeric dates that could be either (03/05/2020) month-first (default false: day-first).',
    }),
    tolerance: t.float({ description: 'NUMERIC_RANGE only: absolute tolerance (exactly one of tolerance, tolerancePct, or a window).' }),
    tolerancePct: t.float({
      description: 'NUMERIC_RANGE only: tolerance in percent (exactly one of tolerance, tolerancePct, or a window).',
    }),
    minDifferenceDays: t.float({
      description:
        'DATE_RANGE only: window start, days the source date is after the reference date (negative: before); with maxDifferenceDays, instead of toleranceDays.',
    }),
    maxDifferenceDays: t.float({ description: 'DATE_RANGE only: window end, days after the reference date; at least minDifferenceDays.' }),
    minDifference: t.float({
      description: 'NUMERIC_RANGE only: window start, source − reference (absolute); with maxDifference, instead of a tolerance.',
    }),
    maxDifference: t.float({ description: 'NUMERIC_RANGE only: window end, source − reference (absolute); at least minDifference.' }),
    minDifferencePct: t.float({
      description:
        'NUMERIC_RANGE only: window start in percent of the larger value (−200 to 200); with maxDifferencePct, instead of a tolerance, and may go with an absolute window.',
    }),
    maxDifferencePct: t.float({ description: 'NUMERIC_RANGE only: window end in percent of the larger value; at least minDifferencePct.' }),
  }),
});

const FieldMappingInput = builder.inputType('FieldMappingInput', {
  description: 'One compared field.',
  fields: (t) => ({
    source: t.string({ required: true, description: 'Column of the source data.' }),
    target: t.string({ required: true, description: 'Column of the reference data.' }),
    strategy: t.field({ type: StrategyEnum, required: true, description: 'The comparison.' }),
    weight: t.float({ required: true, description: 'In (0, 1]; the weights of a config sum to 1.' }),
    options: t.field({ type: FieldMappingOptionsInput, description: 'Options of the strategy.' }),
    sourceColumns: t.stringList({
      description: 'A field over several source columns (with targetColumns): their texts joined; `source` then names the field.',
    }),
    targetColumns: t.stringList({ description: 'A field over several reference columns (with sourceColumns).' }),
  }),
});

export const ReviewBandInput = builder.inputType('ReviewBandInput', {
  description: 'Confidences sent to review.',
  fields: (t) => ({
    low: t.float({ required: true, description: 'Lower bound, in [0, 1].' }),
    high: t.float({ required: true, description: 'Upper bound, in [0, 1], at least `low`.' }),
  }),
});

const BlockingKeyPartInput = builder.inputType('BlockingKeyPartInput', {
  description: 'One part of a blocking key.',
  fields: (t) => ({
    source: t.string({ required: true, description: 'Column of the source data.' }),
    target: t.string({ required: true, description: 'Column of the reference data.' }),
    transform: t.field({ type: BlockingTransformEnum, required: true, description: 'How the values become keys.' }),
    length: t.int({ description: 'PREFIX: prefix length; QGRAMS: q; NEARBY: width in days (dates) or percent (numbers).' }),
  }),
});

const BlockingKeyInput = builder.inputType('BlockingKeyInput', {
  description: 'A blocking key: the conjunction of its parts.',
  fields: (t) => ({
    parts: t.field({ type: [BlockingKeyPartInput], required: true, description: 'At least one part.' }),
  }),
});

const BlockingInput = builder.inputType('BlockingInput', {
  description: 'Blocking settings.',
  fields: (t) => ({
    strategy: t.field({ type: BlockingStrategyEnum, description: 'How keys combine (default PARALLEL).' }),
    keys: t.field({ type: [BlockingKeyInput], description: 'The keys; when absent, derived from the field mappings.' }),
    maxPostings: t.int({ description: 'Keys shared by more reference rows than this are ignored.' }),
  }),
});

const configInputFields = {
  name: 'A name for people.',
  referenceDataId: 'The reference dataset (global id or UUID). Required on create; cannot change afterwards.',
  sourceDataId: 'The default source dataset of runs (global id or UUID); null for none.',
  fieldMappings: 'The compared fields (at least one; weights sum to 1).',
  threshold: 'Confidence a match needs, in [0, 1] (default 0.85).',
  reviewBand: 'Confidences sent to review; null for none.',
  blocking: 'Blocking settings; null to derive them from the field mappings.',
  oneToOne: 'Each reference row matches at most one source row (default false).',
  schedule: 'Cron expression (5 fields) of scheduled runs; null for none.',
} as const;

const MatchingConfigInput = builder.inputType('MatchingConfigInput', {
  description: 'A whole matching config (create and replace). Omitted (or null) optional fields take their defaults.',
  fields: (t) => ({
    name: t.string({ required: true, description: configInputFields.name }),
    referenceDataId: t.id({ description: configInputFields.referenceDataId }),
    sourceDataId: t.id({ description: configInputFields.sourceDataId }),
    fieldMappings: t.field({ type: [FieldMappingInput], required: true, description: configInputFields.fieldMappings }),
    threshold: t.float({ description: configInputFields.threshold }),
    reviewBand: t.field({ type: ReviewBandInput, description: configInputFields.reviewBand }),
    blocking: t.field({ type: BlockingInput, description: configInputFields.blocking }),
    oneToOne: t.boolean({ description: configInputFields.oneToOne }),
    schedule: t.string({ description: configInputFields.schedule }),
  }),
});

const MatchingConfigPatch = builder.inputType('MatchingConfigPatch', {
  description: 'The fields to change; the others keep their values. null clears an optional field.',
  fields: (t) => ({
    name: t.string({ description: configInputFields.name }),
    referenceDataId: t.id({ description: 'Cannot change: only the current id is accepted.' }),
    sourceDataId: t.id({ description: configInputFields.sourceDataId }),
    fieldMappings: t.field({ type: [FieldMappingInput], description: configInputFields.fieldMappings }),
    threshold: t.float({ description: configInputFields.threshold }),
    reviewBand: t.field({ type: ReviewBandInput, description: configInputFields.reviewBand }),
    blocking: t.field({ type: BlockingInput, description: configInputFields.blocking }),
    oneToOne: t.boolean({ description: configInputFields.oneToOne }),
    schedule: t.string({ description: configInputFields.schedule }),
  }),
});

/**
 * GraphQL input → the service's input. Nested nulls mean "not given"; top-level nulls clear optional fields in a
 * patch and mean "the default" in a whole config (`keepNulls` false). Dataset ids accept global ids.
 */
function serviceInput(input: Record<string, unknown>, keepNulls = false): Record<string, unknown> {
  const stripNulls = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(stripNulls);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([, inner]) => inner !== null && inner !== undefined)
          .map(([key, inner]) => [key, stripNulls(inner)]),
      );
    }
    return value;
  };
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || (value === null && !keepNulls)) continue;
    if (value !== null && (key === 'referenceDataId' || key === 'sourceDataId')) result[key] = databaseId(String(value), 'Dataset');
    else result[key] = value === null ? null : stripNulls(value);
  }
  return result;
}

const DeletedMatchingConfigRef = builder.objectRef<{ id: string }>('DeletedMatchingConfig').implement({
  description: 'A deleted matching config (past runs are kept).',
  fields: (t) => ({ databaseId: t.exposeString('id', { description: 'The UUID of the deleted config.' }) }),
});

const configId = (id: string | number) => databaseId(String(id), 'MatchingConfig');

builder.queryFields((t) => ({
  matchingConfigs: t.connection(
    {
      type: MatchingConfigRef,
      description:
        'The matching configs of your workspace, newest first (forward pagination: first ≤ 100, after). An invalid cursor is a GraphQL error with code validation_error.',
      resolve: async (_root, args, context) => {
        assertForwardOnly(args);
        const page = await listConfigs(context, { limit: args.first ?? undefined, cursor: args.after ?? undefined });
        return cursorConnection(page, args);
      },
    },
    countedConnection('MatchingConfigConnection', 'A page of matching configs.', 'How many configs the workspace has.'),
  ),
  matchingConfig: t.field({
    type: MatchingConfigRef,
    description: 'One matching config by id (global id or UUID).',
    args: { id: t.arg.id({ required: true, description: 'Global id or UUID.' }) },
    errors: {},
    resolve: (_root, args, context) => getConfig(context, configId(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createMatchingConfig: t.field({
    type: MatchingConfigRef,
    description: 'Create a matching config. Unknown or foreign dataset ids are a ValidationError on that field.',
    args: { input: t.arg({ type: MatchingConfigInput, required: true, description: 'The config.' }) },
    errors: {},
    resolve: (_root, { input }, context) => createConfig(context, serviceInput(input)),
  }),
  replaceMatchingConfig: t.field({
    type: MatchingConfigRef,
    description: 'Replace a matching config as a whole (omitted optional fields take their defaults).',
    args: {
      id: t.arg.id({ required: true, description: 'Global id or UUID.' }),
      input: t.arg({ type: MatchingConfigInput, required: true, description: 'The whole config.' }),
    },
    errors: {},
    resolve: (_root, { id, input }, context) => replaceConfig(context, configId(id), serviceInput(input)),
  }),
  updateMatchingConfig: t.field({
    type: MatchingConfigRef,
    description: 'Change some fields of a matching config; the merged config is validated as a whole.',
    args: {
      id: t.arg.id({ required: true, description: 'Global id or UUID.' }),
      input: t.arg({ type: MatchingConfigPatch, required: true, description: 'The fields to change.' }),
    },
    errors: {},
    resolve: (_root, { id, input }, context) => updateConfig(context, configId(id), serviceInput(input, true)),
  }),
  deleteMatchingConfig: t.field({
    type: DeletedMatchingConfigRef,
    description: 'Delete a matching config (past runs are kept).',
    args: { id: t.arg.id({ required: true, description: 'Global id or UUID.' }) },
    errors: {},
    resolve: async (_root, { id }, context) => {
      const uuid = configId(id);
      await deleteConfig(context, uuid);
      return { id: uuid };
    },
  }),
}));
