import { statusLabel } from '../lib/format';

/** A run or result status as a coloured word (the colour repeats the word; it never replaces it). */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status.toLowerCase()}`}>{statusLabel(status)}</span>;
}
