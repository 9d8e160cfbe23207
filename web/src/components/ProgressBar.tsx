import { percent } from '../lib/format';

interface Props {
  /** In [0, 1]. */
  value: number;
  /** What the bar measures, for screen readers ("Progress of run 3f2a…"). */
  label: string;
  tone?: 'active' | 'done' | 'failed';
}

/** A progress bar with its percentage written out; the width is set through the style object, which CSP allows. */
export function ProgressBar({ value, label, tone = 'active' }: Props) {
  const shown = percent(value);
  return (
    <div
      class={`progress progress-${tone}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(value * 100)}
      aria-valuetext={shown}
    >
      <div class="progress-track">
        <div class="progress-fill" style={{ width: `${Math.round(value * 1000) / 10}%` }} />
      </div>
      <span class="progress-text">{shown}</span>
    </div>
  );
}
