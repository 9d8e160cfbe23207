/** The GraphQL shapes the dashboard reads (a subset of schema/schema.graphql). */

export type RunStatus = 'QUEUED' | 'RUNNING' | 'AI_RESOLVING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
export type ResultStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

export interface Run {
  id: string;
  databaseId: string;
  matchingConfigId: string;
  status: RunStatus;
  phase: string;
  phaseProgress: number;
  rowsTotal: number | null;
  rowsProcessed: number | null;
  rowsMatched: number | null;
  avgConfidence: number | null;
  triggeredBy: 'MANUAL' | 'SCHEDULED';
  strategyId: string | null;
  strategyVersion: number | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  updatedAt: string;
}

export interface MatchingConfigSummary {
  id: string;
  databaseId: string;
  name: string;
  threshold: number;
  referenceData: { name: string };
  sourceData: { name: string } | null;
}

export interface FieldEvidence {
  sourceField: string;
  targetField: string;
  strategy: string;
  score: number | null;
  sourceValue: unknown;
  referenceValue: unknown;
}

export interface RunResult {
  id: string;
  databaseId: string;
  documentId: string;
  documentFilename: string | null;
  matchedReferenceRowId: string | null;
  matchedReferenceExternalId: string | null;
  confidence: number;
  status: ResultStatus;
  notes: string | null;
  reviewedAt: string | null;
  evidence: FieldEvidence[];
}

export interface ResultFilters {
  status: ResultStatus | '';
  matched: 'any' | 'matched' | 'unmatched';
  minConfidence: string;
}

export const TERMINAL: ReadonlySet<RunStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
