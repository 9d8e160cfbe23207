/** Display helpers shared by the views. */
import type { Run } from '../api/types';

export function percent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

export function confidence(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toFixed(3);
}

export function count(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toLocaleString('en');
}

export function time(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleTimeString('en-GB') : '–';
}

export function dateTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString('en-GB') : '–';
}

export function statusLabel(status: string): string {
  return status.toLowerCase().replace('_', ' ');
}

/** The review pass's evidence entries that are no column (src/matching/smart/review.ts), by what they compare. */
const EVIDENCE_NAMES: Record<string, string> = { '*': 'whole record', '~': 'variant words' };

/** An evidence entry's field as a person reads it: a column name, or what a named entry compares. */
export function evidenceField(name: string): string {
  return EVIDENCE_NAMES[name] ?? name;
}

/** A value from a result's evidence: JSON scalars as themselves, anything else as JSON, missing as a dash. */
export function value(raw: unknown): string {
  if (raw === null || raw === undefined || raw === '') return '–';
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

/**
 * How far a run is, in [0, 1]: rows processed over rows total while matching; a finished run is complete whatever
 * its counters say (a cancelled run stops where it was).
 */
export function runProgress(run: Run): number {
  if (run.status === 'COMPLETED') return 1;
  if (run.rowsTotal && run.rowsProcessed !== null) return Math.min(1, run.rowsProcessed / run.rowsTotal);
  return run.phase === 'matching' || run.phase === 'assigning' ? run.phaseProgress : 0;
}

export function duration(run: Pick<Run, 'startedAt' | 'completedAt'>, now = Date.now()): string {
  if (!run.startedAt) return '–';
  const end = run.completedAt ? Date.parse(run.completedAt) : now;
  const seconds = Math.max(0, (end - Date.parse(run.startedAt)) / 1000);
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
