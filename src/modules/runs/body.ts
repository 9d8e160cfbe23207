import { phaseProgress, type Run, type RunResult } from './service';

/**
 * The REST shapes of a run, its progress and its results (snake_case). Webhook events carry the same run object
 * (webhooks/payload.ts), so they live here, with the run, rather than in the REST layer.
 */

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** One field's evidence as REST shows it, in a run result and in a match-now result alike. */
export function evidenceBody(item: RunResult['evidence'][number]) {
  return {
    source_field: item.source,
    target_field: item.target,
    strategy: item.strategy,
    score: item.score,
    source_value: item.sourceValue,
    reference_value: item.referenceValue,
  };
}

/** The run object of the reference page (plus `strategy_id`, `strategy_version` for smart runs). */
export function runBody(run: Run) {
  return {
    id: run.id,
    matching_config_id: run.matchingConfigId,
    status: run.status,
    triggered_by: run.triggeredBy,
    rows_processed: run.rowsProcessed,
    rows_matched: run.rowsMatched,
    avg_confidence: run.avgConfidence,
    started_at: iso(run.startedAt),
    completed_at: iso(run.completedAt),
    error: run.error,
    created_at: run.createdAt.toISOString(),
    ...(run.strategyId ? { strategy_id: run.strategyId, strategy_version: run.strategyVersion } : {}),
    reference_version: run.referenceVersion,
    links: {
      self: `/v1/matching/runs/${run.id}`,
      config: `/v1/matching/configs/${run.matchingConfigId}`,
    },
  };
}

export function progressBody(run: Run) {
  return {
    run_id: run.id,
    status: run.status,
    phase: run.phase,
    phase_progress: phaseProgress(run),
    rows_total: run.rowsTotal,
    rows_processed: run.rowsProcessed,
    rows_matched: run.rowsMatched,
    avg_confidence: run.avgConfidence,
    updated_at: run.updatedAt.toISOString(),
  };
}

/** A result; evidence and candidate keys are ours, the values inside evidence are the rows' own. */
export function resultBody(result: RunResult) {
  return {
    id: result.id,
    document_id: result.documentId,
    document_filename: result.documentFilename,
    matched_reference_row_id: result.matchedReferenceRowId,
    matched_reference_external_id: result.matchedReferenceExternalId,
    confidence: result.confidence,
    status: result.status,
    evidence: result.evidence.map(evidenceBody),
    candidates: result.candidates.map((candidate) => ({ reference_row_id: candidate.referenceRowId, confidence: candidate.confidence })),
    notes: result.notes,
    reviewed_at: iso(result.reviewedAt),
  };
}
