interface Props {
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious(): void;
  onNext(): void;
}

/** Previous / next over cursor pages (GraphQL connections have no page numbers, so the page is counted here). */
export function Pager({ page, hasPrevious, hasNext, onPrevious, onNext }: Props) {
  return (
    <nav class="pager" aria-label="Result pages">
      <button type="button" class="secondary" disabled={!hasPrevious} onClick={onPrevious}>
        ← Previous
      </button>
      <span aria-live="polite">Page {page}</span>
      <button type="button" class="secondary" disabled={!hasNext} onClick={onNext}>
        Next →
      </button>
    </nav>
  );
}
