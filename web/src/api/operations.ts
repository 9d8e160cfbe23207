/**
 * Every GraphQL operation of the dashboard, named, with the fragments the views share. Each document is a template
 * literal marked with the GraphQL comment, so graphql-codegen reads them (test/unit/graphql-codegen.test.ts); a
 * fragment is appended to the operations that spread it (codegen drops the interpolations and finds it by name).
 */
import { graphql, unwrap, type Outcome } from './graphql';
import type { MatchingConfigSummary, ResultFilters, Run, RunResult } from './types';

const RUN_FIELDS = /* GraphQL */ `
  fragment DashboardRunFields on Run {
    id databaseId matchingConfigId status phase phaseProgress rowsTotal rowsProcessed rowsMatched avgConfidence
    triggeredBy strategyId strategyVersion error createdAt startedAt completedAt updatedAt
  }`;

const RESULT_FIELDS = /* GraphQL */ `
  fragment DashboardResultFields on RunResult {
    id databaseId documentId documentFilename matchedReferenceRowId matchedReferenceExternalId confidence status notes
    reviewedAt evidence { sourceField targetField strategy score sourceValue referenceValue }
  }`;

const ERROR_FIELDS = /* GraphQL */ `
  fragment DashboardErrorFields on Error { code message }`;

export async function fetchViewer(key: string): Promise<{ workspace: { name: string }; scopes: string[] }> {
  const data = await graphql<{ viewer: { workspace: { name: string }; scopes: string[] } }>(
    key,
    /* GraphQL */ `query DashboardViewer { viewer { workspace { name } scopes } }`,
  );
  return data.viewer;
}

export async function fetchConfigs(key: string): Promise<MatchingConfigSummary[]> {
  const data = await graphql<{ matchingConfigs: { edges: Array<{ node: MatchingConfigSummary }> } }>(
    key,
    /* GraphQL */ `query DashboardConfigs { matchingConfigs(first: 100) { edges { node { id databaseId name threshold referenceData { name } sourceData { name } } } } }`,
  );
  return data.matchingConfigs.edges.map((edge) => edge.node);
}

export async function fetchRuns(key: string): Promise<{ runs: Run[]; totalCount: number }> {
  const data = await graphql<{ runs: { totalCount: number; edges: Array<{ node: Run }> } }>(
    key,
    /* GraphQL */ `query DashboardRuns { runs(first: 50) { totalCount edges { node { ...DashboardRunFields } } } } ${RUN_FIELDS}`,
  );
  return { runs: data.runs.edges.map((edge) => edge.node), totalCount: data.runs.totalCount };
}

export interface RunWithConfig extends Run {
  matchingConfig: { name: string; threshold: number } | null;
}

export async function fetchRun(key: string, id: string): Promise<RunWithConfig> {
  const data = await graphql<{ run: Outcome<RunWithConfig> }>(
    key,
    /* GraphQL */ `query DashboardRun($id: ID!) {
      run(id: $id) { __typename ...DashboardErrorFields ... on QueryRunSuccess { data { ...DashboardRunFields matchingConfig { name threshold } } } }
    } ${ERROR_FIELDS} ${RUN_FIELDS}`,
    { id },
  );
  return unwrap(data.run);
}

export async function startRun(key: string, configId: string): Promise<Run> {
  const data = await graphql<{ startRun: Outcome<Run> }>(
    key,
    /* GraphQL */ `mutation DashboardStartRun($configId: ID!) {
      startRun(configId: $configId) { __typename ...DashboardErrorFields ... on MutationStartRunSuccess { data { ...DashboardRunFields } } }
    } ${ERROR_FIELDS} ${RUN_FIELDS}`,
    { configId },
  );
  return unwrap(data.startRun);
}

export async function startSmartRun(key: string, configId: string, strategyId: string): Promise<Run> {
  const data = await graphql<{ smartRun: Outcome<Run> }>(
    key,
    /* GraphQL */ `mutation DashboardSmartRun($configId: ID!, $strategyId: ID!) {
      smartRun(configId: $configId, strategyId: $strategyId) { __typename ...DashboardErrorFields ... on MutationSmartRunSuccess { data { ...DashboardRunFields } } }
    } ${ERROR_FIELDS} ${RUN_FIELDS}`,
    { configId, strategyId },
  );
  return unwrap(data.smartRun);
}

export interface ResultPage {
  results: RunResult[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Filters as GraphQL arguments: empty choices are left out rather than sent as null. */
function filterVariables(filters: ResultFilters): Record<string, unknown> {
  const minConfidence = Number.parseFloat(filters.minConfidence);
  return {
    status: filters.status || undefined,
    matched: filters.matched === 'any' ? undefined : filters.matched === 'matched',
    minConfidence: Number.isFinite(minConfidence) ? minConfidence : undefined,
  };
}

export async function fetchResults(
  key: string,
  runId: string,
  filters: ResultFilters,
  first: number,
  after: string | null,
): Promise<ResultPage> {
  const data = await graphql<{
    run: Outcome<{ results: { edges: Array<{ node: RunResult }>; pageInfo: { endCursor: string | null; hasNextPage: boolean } } }>;
  }>(
    key,
    /* GraphQL */ `query DashboardResults($id: ID!, $first: Int!, $after: String, $status: RunResultStatus, $matched: Boolean, $minConfidence: Float) {
      run(id: $id) { __typename ...DashboardErrorFields ... on QueryRunSuccess { data {
        results(first: $first, after: $after, status: $status, matched: $matched, minConfidence: $minConfidence) {
          edges { node { ...DashboardResultFields } } pageInfo { endCursor hasNextPage }
        } } } } } ${ERROR_FIELDS} ${RESULT_FIELDS}`,
    { id: runId, first, after, ...filterVariables(filters) },
  );
  const { results } = unwrap(data.run);
  return { results: results.edges.map((edge) => edge.node), ...results.pageInfo };
}

/**
 * Every result's confidence, for the histogram: pages of 500 (the server's maximum), up to `limit` results so a huge
 * run does not flood the API (the histogram then says how many it covers).
 */
export async function fetchConfidences(key: string, runId: string, limit = 10_000): Promise<{ confidences: number[]; complete: boolean }> {
  const confidences: number[] = [];
  let after: string | null = null;
  for (;;) {
    const data: {
      run: Outcome<{
        results: { edges: Array<{ node: { confidence: number } }>; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
      }>;
    } = await graphql(
      key,
      /* GraphQL */ `query DashboardConfidences($id: ID!, $after: String) { run(id: $id) { __typename ...DashboardErrorFields ... on QueryRunSuccess { data {
          results(first: 500, after: $after) { edges { node { confidence } } pageInfo { endCursor hasNextPage } } } } } } ${ERROR_FIELDS}`,
      { id: runId, after },
    );
    const { results } = unwrap(data.run);
    for (const edge of results.edges) confidences.push(edge.node.confidence);
    if (!results.pageInfo.hasNextPage) return { confidences, complete: true };
    if (confidences.length >= limit) return { confidences, complete: false };
    after = results.pageInfo.endCursor;
  }
}

export async function reviewResult(
  key: string,
  runId: string,
  resultId: string,
  status: 'APPROVED' | 'REJECTED',
  notes: string,
): Promise<RunResult> {
  const data = await graphql<{ reviewRunResult: Outcome<RunResult> }>(
    key,
    /* GraphQL */ `mutation DashboardReviewResult($runId: ID!, $resultId: ID!, $status: ReviewDecision!, $notes: String) {
      reviewRunResult(runId: $runId, resultId: $resultId, status: $status, notes: $notes) {
        __typename ...DashboardErrorFields ... on MutationReviewRunResultSuccess { data { ...DashboardResultFields } } } } ${ERROR_FIELDS} ${RESULT_FIELDS}`,
    { runId, resultId, status, notes: notes || undefined },
  );
  return unwrap(data.reviewRunResult);
}

export const RUNS_UPDATED = /* GraphQL */ `subscription DashboardRunsUpdated { runsUpdated { ...DashboardRunFields } } ${RUN_FIELDS}`;
export const RUN_UPDATED = /* GraphQL */ `subscription DashboardRunUpdated($id: ID!) { runUpdated(id: $id) { ...DashboardRunFields } } ${RUN_FIELDS}`;
