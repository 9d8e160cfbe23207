/** The REST `pagination` object of a cursor page (newest-first lists walked with `next_cursor`). */
export function cursorPagination(page: { total: number; limit: number; hasMore: boolean; nextCursor: string | null }) {
  return { total: page.total, limit: page.limit, has_more: page.hasMore, next_cursor: page.nextCursor };
}

/** The REST `pagination` object of a numbered page (tables, their rows, a run's results). */
export function numberedPagination(page: { total: number; page: number; limit: number }) {
  return { total: page.total, page: page.page, limit: page.limit };
}
