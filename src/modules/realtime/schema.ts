import { builder } from '../../graphql/builder';
import { databaseId } from '../../graphql/ids';
import { EvidenceRef } from '../runs/schema';
import { MAX_RECORDS, matchRecords, type RecordMatch } from './service';

const MatchNowCandidateRef = builder.objectRef<RecordMatch['candidates'][number]>('MatchNowCandidate').implement({
  description: 'One of the best reference rows for a record.',
  fields: (t) => ({
    referenceRowId: t.exposeString('referenceRowId', { description: 'Reference row id (UUID).' }),
    referenceExternalId: t.exposeString('referenceExternalId', { nullable: true, description: "The reference row's id column value." }),
    confidence: t.exposeFloat('confidence', { description: 'In [0, 1].' }),
  }),
});

const RecordMatchRef = builder.objectRef<RecordMatch>('RecordMatch').implement({
  description: 'The outcome of matching one record now: the fields of a run result, and `matched`.',
  fields: (t) => ({
    matchedReferenceRowId: t.exposeString('matchedReferenceRowId', {
      nullable: true,
      description: 'The matched reference row; null when nothing reached the threshold.',
    }),
    matchedReferenceExternalId: t.exposeString('matchedReferenceExternalId', {
      nullable: true,
      description: "The matched reference row's id column value.",
    }),
    confidence: t.exposeFloat('confidence', {
      description: 'Confidence of the best candidate, in [0, 1] (also below the threshold; 0 without any).',
    }),
    matched: t.exposeBoolean('matched', { description: 'The best candidate reaches the threshold.' }),
    evidence: t.field({
      type: [EvidenceRef],
      description: 'Per mapped field, against the best candidate.',
      resolve: (result) => result.evidence,
    }),
    candidates: t.field({
      type: [MatchNowCandidateRef],
      description: 'The top 5 candidates, best first.',
      resolve: (result) => result.candidates,
    }),
  }),
});

// A query, not a mutation: it changes nothing, so a client may retry it, batch it with other reads and send it over
// GET. Rate limits count it like any GraphQL request; Idempotency-Key concerns REST writes only.
builder.queryFields((t) => ({
  matchRecords: t.field({
    type: [RecordMatchRef],
    description: `Match 1–${MAX_RECORDS} records now against a config's reference data (its mappings, or a strategy's model); one result per record, in order. Nothing is stored. While the config's warm index is being built past a short wait: error index_building (retryable, extensions.retryAfter seconds).`,
    args: {
      configId: t.arg.id({ required: true, description: 'The config (global id or UUID).' }),
      records: t.arg({ type: ['JSON'], required: true, description: 'Objects of column: value, with the columns of the source side.' }),
      strategyId: t.arg.id({ description: "Match with this strategy's model (global id or UUID) instead of the config's mappings." }),
    },
    errors: {},
    resolve: (_root, args, context) =>
      matchRecords(context, {
        configId: databaseId(String(args.configId), 'MatchingConfig'),
        records: args.records as Array<Record<string, unknown>>,
        ...(args.strategyId ? { strategyId: databaseId(String(args.strategyId), 'Strategy') } : {}),
      }),
  }),
}));
