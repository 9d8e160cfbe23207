import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../../graphql/builder';
import { assertForwardOnly, countedConnection, cursorConnection } from '../../graphql/connections';
import { databaseId } from '../../graphql/ids';
import { BlockingRef, FieldMappingRef, ReviewBandInput, ReviewBandRef } from '../configs/schema';
import { generateStrategy, getStrategy, listStrategies, strategyReviewBand, updateStrategy, type Strategy } from './service';

const strategyId = (id: string | number) => databaseId(String(id), 'Strategy');
const datasetId = (id: string | number | null | undefined) =>
  id === null || id === undefined ? undefined : databaseId(String(id), 'Dataset');

export const StrategyRef = builder.objectRef<Strategy>('Strategy').implement({
  description:
    'A plan for smart runs generated from the data: mappings with their rationale, blocking, a Fellegi–Sunter model, threshold and review band. Versioned: every edit makes a new version.',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({
      description: 'Global id (arguments also accept the UUID, which this field was before).',
      resolve: (strategy) => encodeGlobalID('Strategy', strategy.id),
    }),
    databaseId: t.exposeString('id', { description: 'The UUID the REST API uses.' }),
    name: t.exposeString('name', { description: 'Name.' }),
    matchingConfigId: t.exposeString('matchingConfigId', { nullable: true, description: 'The config it was generated for, if any.' }),
    referenceDataId: t.exposeString('referenceDataId', { description: 'The reference data it matches against.' }),
    sourceDataId: t.exposeString('sourceDataId', { nullable: true, description: 'The source data it was generated from, if any.' }),
    userPrompt: t.exposeString('userPrompt', { nullable: true, description: 'The instructions it was generated with.' }),
    version: t.exposeInt('version', { description: 'Starts at 1; every edit adds 1.' }),
    versionHash: t.exposeString('versionHash', { description: 'Digest of the plan and review band: equal hashes run the same way.' }),
    labelsUsed: t.exposeInt('labelsUsed', { description: 'Review decisions the weights of this version were fitted to.' }),
    fieldMappings: t.field({
      type: [FieldMappingRef],
      description: 'The comparisons a smart run makes.',
      resolve: (s) => s.plan.fieldMappings,
    }),
    threshold: t.float({ description: 'Match probability a result needs to count as a match.', resolve: (s) => s.plan.threshold }),
    reviewBand: t.field({
      type: ReviewBandRef,
      nullable: true,
      description: 'Probabilities that get the second pass.',
      resolve: (s) => strategyReviewBand(s),
    }),
    blocking: t.field({
      type: BlockingRef,
      nullable: true,
      description: 'Blocking keys chosen by measurement.',
      resolve: (s) => s.plan.blocking ?? null,
    }),
    model: t.field({
      type: 'JSON',
      nullable: true,
      description:
        "The Fellegi–Sunter model (prior; per field: levels, log Bayes factors, and interpolate where the factor rises linearly between level midpoints; margin; and for the review pass, record and variants: word pairs that tell the reference's siblings apart).",
      resolve: (s) => s.plan.model ?? null,
    }),
    mappings: t.field({
      type: 'JSON',
      description: 'Per mapping: kind of field, plain-language rationale and the figures it rests on.',
      resolve: (s) => (s.details as { mappings?: unknown } | null)?.mappings ?? [],
    }),
    details: t.field({ type: 'JSON', description: 'Profiles and measurements generation rests on.', resolve: (s) => s.details ?? {} }),
    createdAt: t.field({ type: 'DateTime', description: 'Creation time.', resolve: (s) => s.createdAt }),
    updatedAt: t.field({ type: 'DateTime', description: 'Time of the last edit.', resolve: (s) => s.updatedAt }),
  }),
});

const GenerateStrategyInput = builder.inputType('GenerateStrategyInput', {
  description: 'What to generate a strategy from: reference data (directly or through a config), optionally source data and instructions.',
  fields: (t) => ({
    referenceDataId: t.id({ description: 'Reference data (global id or UUID); optional when matchingConfigId is given.' }),
    sourceDataId: t.id({ description: "Source data; default: the config's." }),
    matchingConfigId: t.id({ description: 'A config whose datasets to use.' }),
    userPrompt: t.string({
      description: 'Instructions (docs/smart-runs.md lists what is understood; anything else is a ValidationError).',
    }),
    name: t.string({ description: 'Name of the strategy.' }),
    useReviews: t.boolean({ description: 'Fit the weights to review decisions made on earlier runs (default true).' }),
  }),
});

const StrategyPatch = builder.inputType('StrategyPatch', {
  description: 'Edits of a strategy; any edit makes a new version.',
  fields: (t) => ({
    name: t.string({ description: 'New name.' }),
    threshold: t.float({ description: 'New threshold, in [0, 1].' }),
    reviewBand: t.field({ type: ReviewBandInput, description: 'New review band.' }),
    userPrompt: t.string({ description: 'Regenerate with these instructions.' }),
    learnFromReviews: t.boolean({ description: 'Regenerate, fitting the weights to the review decisions made so far.' }),
  }),
});

function withoutNulls(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null && value !== undefined));
}

builder.queryFields((t) => ({
  strategy: t.field({
    type: StrategyRef,
    description: 'One strategy by id (global id or UUID).',
    args: { id: t.arg.id({ required: true, description: 'Global id or UUID.' }) },
    errors: {},
    resolve: (_root, args, context) => getStrategy(context, strategyId(args.id)),
  }),
  strategies: t.connection(
    {
      type: StrategyRef,
      description: 'Strategies of your workspace, newest first (forward pagination: first ≤ 100, after).',
      args: { configId: t.arg.id({ description: 'Only those generated for this config.' }) },
      resolve: async (_root, args, context) => {
        assertForwardOnly(args);
        const page = await listStrategies(context, {
          configId: args.configId ? databaseId(String(args.configId), 'MatchingConfig') : undefined,
          limit: args.first ?? undefined,
          cursor: args.after ?? undefined,
        });
        return cursorConnection(page, args);
      },
    },
    countedConnection('StrategyConnection', 'A page of strategies.', 'How many strategies match.'),
  ),
}));

builder.mutationFields((t) => ({
  generateStrategy: t.field({
    type: StrategyRef,
    description:
      'Generate a strategy from the data: profiling, mappings, comparators, blocking by measurement, Fellegi–Sunter weights by EM.',
    args: { input: t.arg({ type: GenerateStrategyInput, required: true, description: 'What to generate from.' }) },
    errors: {},
    resolve: (_root, { input }, context) => {
      const fields = withoutNulls(input);
      return generateStrategy(context, {
        ...fields,
        ...(input.referenceDataId ? { referenceDataId: datasetId(input.referenceDataId) } : {}),
        ...(input.sourceDataId ? { sourceDataId: datasetId(input.sourceDataId) } : {}),
        ...(input.matchingConfigId ? { matchingConfigId: databaseId(String(input.matchingConfigId), 'MatchingConfig') } : {}),
      });
    },
  }),
  updateStrategy: t.field({
    type: StrategyRef,
    description: 'Edit a strategy (a new version); a prompt or learnFromReviews regenerates it.',
    args: {
      id: t.arg.id({ required: true, description: 'Global id or UUID.' }),
      input: t.arg({ type: StrategyPatch, required: true, description: 'The edits.' }),
    },
    errors: {},
    resolve: (_root, { id, input }, context) => updateStrategy(context, strategyId(id), withoutNulls(input)),
  }),
}));
