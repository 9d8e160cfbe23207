// The whole-record TF-IDF cosine as one more Fellegi–Sunter field, used only by the review pass: u from the
// random sample pairs, m from the blocked sample pairs weighted by their posterior under the fitted field model.
// It overlaps with the field evidence (the same words), so its log Bayes factors are damped by RECORD_DAMPING.
// Its columns are the mapped ones but those whose two sides differ by design (differsByDesign).

import type { ColumnInfo } from './types';
import type { EngineRow, FieldMapping, ModelField } from '../types';
import { levelOf } from '../match';
import { monotoneDecreasing } from './best-candidate';
import type { PairSet } from './pairs';
import { recordColumns, WholeRecordText, type RecordColumn } from './record-text';

export const RECORD_LEVELS = [0.9, 0.75, 0.6, 0.45, 0.3, 0];
export const RECORD_DAMPING = 0.5;

export function fitRecordModel(
  sourceRows: EngineRow[],
  referenceRows: EngineRow[],
  blocked: PairSet,
  posteriors: Float64Array,
  random: PairSet,
  sourceColumns: ColumnInfo[],
  referenceColumns: ColumnInfo[],
  mappings: FieldMapping[],
  excluded: Set<string>,
): { field: ModelField & { columns: RecordColumn[] }; summary: Record<string, unknown> } | null {
  const columns = recordColumns(
    mappings.filter((m) => m.sourceColumns === undefined && !differsByDesign(m)).map((m) => ({ source: m.source, target: m.target })),
    sourceColumns.map((c) => c.name),
    referenceColumns.map((c) => c.name),
    excluded,
  );
  const text = new WholeRecordText(columns, referenceRows);
  const sourceVectors = new Map<number, ReturnType<WholeRecordText['vector']>>();
  const referenceVectors = new Map<number, ReturnType<WholeRecordText['vector']>>();
  const cosine = (s: number, r: number) => {
    let a = sourceVectors.get(s);
    if (a === undefined) sourceVectors.set(s, (a = text.vector(sourceRows[s]?.values, 'source')));
    let b = referenceVectors.get(r);
    if (b === undefined) referenceVectors.set(r, (b = text.vector(referenceRows[r]?.values, 'target')));
    return WholeRecordText.cosine(a, b);
  };
  const m = new Array<number>(RECORD_LEVELS.length).fill(0.5);
  const u = new Array<number>(RECORD_LEVELS.length).fill(0.5);
  for (let i = 0; i < blocked.count; i++) {
    const c = cosine(blocked.source[i] as number, blocked.reference[i] as number);
    if (Number.isNaN(c)) continue;
    const l = levelOf(RECORD_LEVELS, c);
    m[l] = (m[l] as number) + (posteriors[i] as number);
  }
  for (let i = 0; i < random.count; i++) {
    const c = cosine(random.source[i] as number, random.reference[i] as number);
    if (Number.isNaN(c)) continue;
    const l = levelOf(RECORD_LEVELS, c);
    u[l] = (u[l] as number) + 1;
  }
  const mTotal = m.reduce((a, b) => a + b, 0);
  const uTotal = u.reduce((a, b) => a + b, 0);
  if (mTotal <= RECORD_LEVELS.length) return null; // no match mass: nothing to learn
  const mp = m.map((x) => x / mTotal);
  const up = u.map((x) => x / uTotal);
  // Monotone like every other field's (best-candidate.ts): a closer record never counts less (bank memos had
  // 3.30, 3.48, 4.27, 4.25, 3.43 from cosine ≥ 0.9 down to ≥ 0.3).
  const logBayesFactors = monotoneDecreasing(
    mp.map((x, l) => Math.log(x / (up[l] as number))),
    mp.map((x, l) => x + (up[l] as number)),
  ).map((x) => round(RECORD_DAMPING * x));
  return {
    // A cosine, where each further shared word counts: interpolated between levels, as text fields are.
    field: { levels: RECORD_LEVELS, logBayesFactors, m: mp.map(round), u: up.map(round), interpolate: true, columns },
    summary: {
      columns: columns.map((c) => (c.source === c.target ? c.source : `${c.source}→${c.target}`)),
      levels: RECORD_LEVELS,
      m: mp.map(round),
      u: up.map(round),
      logBayesFactors,
      damping: RECORD_DAMPING,
    },
  };
}

/** A date or number compared within a window of expected differences learnt from the data (offsets.ts: posting
 *  delays, fees): its two sides are written with other digits by design, so as words they only add noise. Bank
 *  memos: with posted dates and debits read as words, true matches fell to cosine 0.1–0.25 and the review pass
 *  lowered F1 from 0.982 to 0.977. A date that is the same day on both sides (a birth date) keeps its words. */
function differsByDesign(m: FieldMapping): boolean {
  const o = m.options ?? {};
  return (
    (m.strategy === 'date_range' && (o.minDifferenceDays !== undefined || o.maxDifferenceDays !== undefined)) ||
    (m.strategy === 'numeric_range' &&
      [o.minDifference, o.maxDifference, o.minDifferencePct, o.maxDifferencePct].some((x) => x !== undefined))
  );
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
