import { evidenceBody } from '../runs/body';
import type { RecordMatch } from './service';

/** The REST shape of a match-now result: a run result's keys (resultBody in runs/body.ts) and `matched`. */
export function matchResultBody(result: RecordMatch) {
  return {
    matched_reference_row_id: result.matchedReferenceRowId,
    matched_reference_external_id: result.matchedReferenceExternalId,
    confidence: result.confidence,
    matched: result.matched,
    evidence: result.evidence.map(evidenceBody),
    candidates: result.candidates.map((candidate) => ({
      reference_row_id: candidate.referenceRowId,
      reference_external_id: candidate.referenceExternalId,
      confidence: candidate.confidence,
    })),
  };
}
