import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../../graphql/builder';
import { assertForwardOnly, countedConnection, cursorConnection, offsetConnection } from '../../graphql/connections';
import { databaseId } from '../../graphql/ids';
import type { RunStatus, RunTrigger, StoredEvidence } from '../../db/schema';
import type { EnumValues } from '../../graphql/enums';
import { NotFoundError } from '../../errors';
import { runFeed, runsChangedSince } from '../../events/run-feed';
import { closingStream, runEventHub, type RunState } from '../../events/run-events';
import { runUpdates } from '../../events/run-updates';
import { MatchingConfigRef } from '../configs/schema';
import { getConfig } from '../configs/service';
import { requireScope } from '../workspaces/actor';
import { REVIEW_MEANING } from './review-meaning';
import {
  cancelRun,
  getResult,
  getRun,
  listRuns,
  phaseProgress,
  resultsSlice,
  reviewResult,
  aiResolveRun,
  smartRun,
  startRun,
  topResults,
  type RunResult,
} from './service';
import type { ResultStatus } from './results-store';

const RunStatusEnum = builder.enumType('RunStatus', {
  description: 'queued → running → (ai_resolving →) completed | failed | cancelled.',
  values: {
    QUEUED: { value: 'queued', description: 'Waiting for a worker.' },
    RUNNING: { value: 'running', description: 'Chunks are being matched.' },
    AI_RESOLVING: { value: 'ai_resolving', description: 'Smart runs: second pass over the review band.' },
    COMPLETED: { value: 'completed', description: 'Every source row has a result.' },
    FAILED: { value: 'failed', description: 'Stopped by an error (see `error`).' },
    CANCELLED: { value: 'cancelled', description: 'Cancelled; the results written so far are kept.' },
  } satisfies EnumValues<RunStatus>,
});

const RunTriggerEnum = builder.enumType('RunTrigger', {
  description: 'How a run was started.',
  values: {
    MANUAL: { value: 'manual', description: 'Started by a caller: GraphQL, the REST API, the dashboard or the CLI.' },
    API: {
      value: 'api',
      description: 'Never returned: runs started through the REST API are MANUAL.',
      deprecationReason: 'Runs started through the REST API are MANUAL (the public API contract).',
    },
    SCHEDULED: { value: 'scheduled', description: "The config's cron schedule." },
  } satisfies EnumValues<RunTrigger | 'api'>,
});

const ResultStatusEnum = builder.enumType('RunResultStatus', {
  description: 'Review state of a result.',
  values: {
    PENDING: { value: 'pending', description: 'Not reviewed.' },
    APPROVED: { value: 'approved', description: `Approved. ${REVIEW_MEANING.approved}` },
    REJECTED: { value: 'rejected', description: `Rejected. ${REVIEW_MEANING.rejected}` },
  } satisfies EnumValues<ResultStatus>,
});

const ReviewDecisionEnum = builder.enumType('ReviewDecision', {
  description:
    'A review decision on the pair a result shows: its source row and the reference row whose evidence it shows (the matched row; without a match, the best candidate). Strategies learn from it with this meaning.',
  values: {
    APPROVED: { value: 'approved', description: REVIEW_MEANING.approved },
    REJECTED: { value: 'rejected', description: REVIEW_MEANING.rejected },
  } satisfies EnumValues<Exclude<ResultStatus, 'pending'>>,
});

export const EvidenceRef = builder.objectRef<StoredEvidence>('FieldEvidence').implement({
  description: 'How one mapped field compared between the source row and the matched reference row.',
  fields: (t) => ({
    sourceField: t.exposeString('source', { description: 'Column of the source data.' }),
    targetField: t.exposeString('target', { description: 'Column of the reference data.' }),
    strategy: t.exposeString('strategy', { description: 'The comparison (exact, fuzzy, phonetic, date_range, numeric_range).' }),
    score: t.float({
      nullable: true,
      description: 'In [0, 1]; null when a value is missing on either side.',
      resolve: (item) => item.score,
    }),
    sourceValue: t.field({ type: 'JSON', nullable: true, description: 'The source value.', resolve: (item) => item.sourceValue ?? null }),
    referenceValue: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The reference value.',
      resolve: (item) => item.referenceValue ?? null,
    }),
  }),
});

const CandidateRef = builder.objectRef<{ referenceRowId: string; confidence: number }>('MatchCandidate').implement({
  description: 'One of the best reference rows for a source row.',
  fields: (t) => ({
    referenceRowId: t.exposeString('referenceRowId', { description: 'Reference row id (UUID).' }),
    confidence: t.exposeFloat('confidence', { description: 'In [0, 1].' }),
  }),
});

export const RunResultRef = builder.objectRef<RunResult>('RunResult').implement({
  description: 'The outcome of matching one source row in a run.',
  fields: (t) => ({
    id: t.id({ description: 'Global id.', resolve: (result) => encodeGlobalID('RunResult', result.id) }),
    databaseId: t.exposeString('id', { description: 'The UUID the REST API uses.' }),
    documentId: t.exposeString('documentId', { description: "The source row's document id." }),
    documentFilename: t.exposeString('documentFilename', { nullable: true, description: 'The document filename, if any.' }),
    matchedReferenceRowId: t.exposeString('matchedReferenceRowId', {
      nullable: true,
      description: 'The matched reference row; null when nothing reached the threshold.',
    }),
    matchedReferenceExternalId: t.exposeString('matchedReferenceExternalId', {
      nullable: true,
      description: "The matched reference row's id column value.",
    }),
    confidence: t.exposeFloat('confidence', { description: 'Confidence of the best candidate, in [0, 1].' }),
    status: t.field({ type: ResultStatusEnum, description: 'Review state.', resolve: (result) => result.status }),
    evidence: t.field({
      type: [EvidenceRef],
      description: 'Per mapped field, against the best candidate.',
      resolve: (result) => result.evidence,
    }),
    candidates: t.field({ type: [CandidateRef], description: 'The top 5 candidates, best first.', resolve: (result) => result.candidates }),
    notes: t.exposeString('notes', { nullable: true, description: 'Review notes.' }),
    reviewedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When it was reviewed. Null on an approved result: approved by a review decision the smart run’s strategy version keeps, made on an earlier run.',
      resolve: (result) => result.reviewedAt,
    }),
  }),
});

export const RunRef = builder.objectRef<RunState>('Run').implement({
  description: 'One execution of a matching config (or of a strategy, for smart runs) over its source rows.',
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    id: t.id({ description: 'Global id.', resolve: (run) => encodeGlobalID('Run', run.id) }),
    databaseId: t.exposeString('id', { description: 'The UUID the REST API uses.' }),
    matchingConfigId: t.exposeString('matchingConfigId', { description: 'UUID of the config that owns the run.' }),
    matchingConfig: t.field({
      type: MatchingConfigRef,
      nullable: true,
      description: 'The config as it is now; null once deleted (the run keeps the snapshot it used).',
      resolve: async (run, _args, context) => {
        try {
          return await getConfig(context, run.matchingConfigId);
        } catch (error) {
          if (error instanceof NotFoundError) return null;
          throw error;
        }
      },
    }),
    strategyId: t.exposeString('strategyId', {
      nullable: true,
      description: "Smart runs: the UUID of the strategy used (as matchingConfigId is the config's).",
    }),
    strategyVersion: t.exposeInt('strategyVersion', { nullable: true, description: 'Smart runs: the version of the strategy used.' }),
    referenceVersion: t.exposeInt('referenceVersion', {
      nullable: true,
      description:
        'The version of the reference data the run matches against (set when the run is planned; null while queued). Every chunk sees the rows as they were at this version.',
    }),
    status: t.field({ type: RunStatusEnum, resolve: (run) => run.status }),
    triggeredBy: t.field({ type: RunTriggerEnum, resolve: (run) => run.triggeredBy }),
    phase: t.exposeString('phase', { description: 'queued, matching, assigning, ai_resolving, done, cancelled or failed.' }),
    phaseProgress: t.float({ description: 'Share of the current phase done, in [0, 1].', resolve: (run) => phaseProgress(run) }),
    rowsTotal: t.exposeInt('rowsTotal', { nullable: true, description: 'Source rows of the run; null until planned.' }),
    rowsProcessed: t.exposeInt('rowsProcessed', { nullable: true, description: 'Rows matched so far; null until started.' }),
    rowsMatched: t.exposeInt('rowsMatched', { nullable: true, description: 'Rows whose best candidate reached the threshold.' }),
    avgConfidence: t.exposeFloat('avgConfidence', { nullable: true, description: 'Average confidence of matched rows; null until any.' }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (run) => run.startedAt }),
    completedAt: t.field({ type: 'DateTime', nullable: true, resolve: (run) => run.completedAt }),
    error: t.exposeString('error', { nullable: true, description: 'Why the run failed.' }),
    createdAt: t.field({ type: 'DateTime', resolve: (run) => run.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (run) => run.updatedAt }),
    topResults: t.field({
      type: [RunResultRef],
      description: 'The best results by confidence (default 50, at most 500).',
      args: { limit: t.arg.int({ description: 'How many (default 50).' }) },
      resolve: (run, args, context) => topResults(context, run.id, Math.min(Math.max(args.limit ?? 50, 1), 500)),
    }),
    results: t.connection({
      type: RunResultRef,
      description: 'Results in source order, filtered (at most 500 a page).',
      args: {
        status: t.arg({ type: ResultStatusEnum, description: 'Only results in this review state.' }),
        matched: t.arg.boolean({ description: 'true: only matched rows; false: only unmatched ones.' }),
        minConfidence: t.arg.float({ description: 'Only results with at least this confidence.' }),
      },
      resolve: (run, args, context) =>
        offsetConnection(
          args,
          { defaultSize: 50, maxSize: 500 },
          async ({ offset, limit }) =>
            (
              await resultsSlice(
                context,
                run.id,
                { status: args.status, matched: args.matched, minConfidence: args.minConfidence },
                offset,
                limit,
              )
            ).data,
        ),
    }),
  }),
});

const RunDocumentInput = builder.inputType('RunDocumentInput', {
  description: 'One inline document.',
  fields: (t) => ({
    documentId: t.string({ required: true, description: 'Its id (unique within the run).' }),
    documentFilename: t.string({ description: 'Its filename, if any.' }),
    values: t.field({ type: 'JSON', required: true, description: 'Field name → value.' }),
  }),
});

const StartRunInput = builder.inputType('StartRunInput', {
  description: "What to run on: by default the config's source data.",
  fields: (t) => ({
    sourceDataId: t.id({ description: 'Another source dataset (global id or UUID).' }),
    documents: t.field({ type: [RunDocumentInput], description: 'Inline documents instead of a dataset.' }),
  }),
});

const runId = (id: string | number) => databaseId(String(id), 'Run');
const configId = (id: string | number) => databaseId(String(id), 'MatchingConfig');

builder.queryFields((t) => ({
  run: t.field({
    type: RunRef,
    description: 'One run by id (global id or UUID).',
    args: { id: t.arg.id({ required: true, description: 'Global id or UUID.' }) },
    errors: {},
    resolve: (_root, args, context) => getRun(context, runId(args.id)),
  }),
  runs: t.connection(
    {
      type: RunRef,
      description: 'The runs of your workspace, newest first (forward pagination: first ≤ 100, after).',
      args: {
        configId: t.arg.id({ description: 'Only runs of this config.' }),
        status: t.arg({ type: RunStatusEnum, description: 'Only runs in this status.' }),
      },
      resolve: async (_root, args, context) => {
        assertForwardOnly(args);
        const page = await listRuns(context, {
          configId: args.configId ? configId(args.configId) : undefined,
          status: args.status ?? undefined,
          limit: args.first ?? undefined,
          cursor: args.after ?? undefined,
        });
        return cursorConnection(page, args);
      },
    },
    countedConnection('RunConnection', 'A page of runs.', 'How many runs match the filters.'),
  ),
}));

builder.mutationFields((t) => ({
  startRun: t.field({
    type: RunRef,
    description: 'Queue a run of a matching config (triggered_by manual).',
    args: {
      configId: t.arg.id({ required: true, description: 'The config (global id or UUID).' }),
      input: t.arg({ type: StartRunInput, description: 'Optional source override or inline documents.' }),
    },
    errors: {},
    resolve: (_root, args, context) => {
      const input: Record<string, unknown> = {};
      if (args.input?.sourceDataId) input.sourceDataId = databaseId(String(args.input.sourceDataId), 'Dataset');
      if (args.input?.documents) {
        input.documents = args.input.documents.map((document) => ({
          documentId: document.documentId,
          ...(document.documentFilename ? { documentFilename: document.documentFilename } : {}),
          values: document.values,
        }));
      }
      return startRun(context, configId(args.configId), input, 'manual');
    },
  }),
  smartRun: t.field({
    type: RunRef,
    description: "Queue a smart run: the config's source data matched with a strategy's plan.",
    args: {
      configId: t.arg.id({ required: true, description: 'The config (global id or UUID).' }),
      strategyId: t.arg.id({ required: true, description: 'The strategy (global id or UUID).' }),
    },
    errors: {},
    resolve: (_root, args, context) =>
      smartRun(context, configId(args.configId), { strategyId: databaseId(String(args.strategyId), 'Strategy') }, 'manual'),
  }),
  cancelRun: t.field({
    type: RunRef,
    description: 'Cancel a queued, running or ai_resolving run (ConflictError otherwise); results so far are kept.',
    args: { id: t.arg.id({ required: true, description: 'Global id or UUID.' }) },
    errors: {},
    resolve: (_root, args, context) => cancelRun(context, runId(args.id)),
  }),
  aiResolveRun: t.field({
    type: RunRef,
    description: "Run the review band's second pass again on a completed smart run (ConflictError otherwise).",
    args: { id: t.arg.id({ required: true, description: 'Global id or UUID.' }) },
    errors: {},
    resolve: (_root, args, context) => aiResolveRun(context, runId(args.id)),
  }),
  reviewRunResult: t.field({
    type: RunResultRef,
    description:
      'Approve (the result is right as shown) or reject (it is wrong) one result of a run; see ReviewDecision for what each says about a result with and without a match.',
    args: {
      runId: t.arg.id({ required: true, description: 'The run (global id or UUID).' }),
      resultId: t.arg.id({ required: true, description: 'The result (global id or UUID).' }),
      status: t.arg({ type: ReviewDecisionEnum, required: true, description: 'The decision.' }),
      notes: t.arg.string({ description: 'Notes for the record.' }),
    },
    errors: {},
    resolve: (_root, args, context) =>
      reviewResult(context, runId(args.runId), databaseId(String(args.resultId), 'RunResult'), {
        status: args.status,
        notes: args.notes ?? null,
      }),
  }),
}));

builder.queryFields((t) => ({
  runResult: t.field({
    type: RunResultRef,
    description: 'One result of a run.',
    args: {
      runId: t.arg.id({ required: true, description: 'The run (global id or UUID).' }),
      resultId: t.arg.id({ required: true, description: 'The result (global id or UUID).' }),
    },
    errors: {},
    resolve: (_root, args, context) => getResult(context, runId(args.runId), databaseId(String(args.resultId), 'RunResult')),
  }),
}));

builder.subscriptionFields((t) => ({
  runUpdated: t.field({
    type: RunRef,
    description:
      'One run: its current state at once, then every change (state changes, and progress at most every 250 ms), completing after a terminal state. A run of another workspace is not_found.',
    args: { id: t.arg.id({ required: true, description: 'Global id or UUID.' }) },
    subscribe: async (_root, args, context) => {
      const actor = requireScope(context.actor, 'read');
      const id = runId(args.id);
      const current = await getRun(context, id);
      // Listen before reading the state again, so no change falls between the two.
      const stream = await runEventHub(context).subscribe(
        { workspaceId: actor.workspaceId, runId: current.id, apiKeyId: actor.apiKeyId },
        context.settings.SUBSCRIPTIONS_PER_KEY,
      );
      let latest: RunState;
      try {
        latest = await getRun(context, id);
      } catch (error) {
        stream.close();
        throw error;
      }
      return closingStream(
        runUpdates(stream, latest, () => getRun(context, id)),
        stream,
      );
    },
    resolve: (run) => run,
  }),
  runsUpdated: t.field({
    type: RunRef,
    description: "The workspace's feed: every run change (optionally of one config), as it happens.",
    args: { configId: t.arg.id({ description: 'Only runs of this config (global id or UUID).' }) },
    subscribe: async (_root, args, context) => {
      const actor = requireScope(context.actor, 'read');
      const config = args.configId ? await getConfig(context, configId(args.configId)) : undefined;
      const filter = { workspaceId: actor.workspaceId, ...(config ? { configId: config.id } : {}) };
      // After a reconnection of the LISTEN connection the feed re-reads recently changed runs (src/events/run-feed.ts).
      const stream = await runEventHub(context).subscribe({ ...filter, apiKeyId: actor.apiKeyId }, context.settings.SUBSCRIPTIONS_PER_KEY);
      return closingStream(
        runFeed(stream, (since, limit) => runsChangedSince(context.sql, filter, since, limit)),
        stream,
      );
    },
    resolve: (run) => run,
  }),
}));
