import { useEffect, useState } from 'preact/hooks';
import type { ResultFilters } from '../api/types';

interface Props {
  filters: ResultFilters;
  onChange(filters: ResultFilters): void;
}

/** Review status, matched or not, and a minimum confidence. */
export function ResultFilterBar({ filters, onChange }: Props) {
  // What is typed in the confidence box is kept here and applied on change (Enter, leaving the field): applying each
  // keystroke would query "0", "0.", "0.9" in turn, and a re-render while typing must not reset the box.
  const [minDraft, setMinDraft] = useState(filters.minConfidence);
  useEffect(() => setMinDraft(filters.minConfidence), [filters.minConfidence]);
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset's default border and legend layout break the filter bar's row; role=group names it the same
    <div class="fields filters" role="group" aria-label="Filter results">
      <div class="field">
        <label for="filter-status">Review status</label>
        <select
          id="filter-status"
          value={filters.status}
          onChange={(event) => onChange({ ...filters, status: event.currentTarget.value as ResultFilters['status'] })}
        >
          <option value="">any</option>
          <option value="PENDING">pending</option>
          <option value="APPROVED">approved</option>
          <option value="REJECTED">rejected</option>
        </select>
      </div>
      <div class="field">
        <label for="filter-matched">Matched</label>
        <select
          id="filter-matched"
          value={filters.matched}
          onChange={(event) => onChange({ ...filters, matched: event.currentTarget.value as ResultFilters['matched'] })}
        >
          <option value="any">any</option>
          <option value="matched">matched</option>
          <option value="unmatched">not matched</option>
        </select>
      </div>
      <div class="field">
        <label for="filter-min">Min confidence</label>
        <input
          id="filter-min"
          type="number"
          min={0}
          max={1}
          step={0.05}
          value={minDraft}
          onInput={(event) => setMinDraft(event.currentTarget.value)}
          onChange={(event) => onChange({ ...filters, minConfidence: event.currentTarget.value })}
        />
      </div>
    </div>
  );
}
