import { ValidationError } from '../errors';
import { encodeCursor, type CursorPage } from '../modules/pagination';

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Cursor lists are newest-first and forward only. */
export function assertForwardOnly(args: ConnectionArgs): void {
  if (args.last != null || args.before != null) {
    throw new ValidationError('Only forward pagination is supported.', [{ path: args.last != null ? 'last' : 'before', message: 'use first and after' }]);
  }
}

/** A service's cursor page as a Relay connection (with `totalCount`). */
export function cursorConnection<T extends { createdAt: Date; id: string }>(page: CursorPage<T>, args: ConnectionArgs) {
  const edges = page.data.map((node) => ({ node, cursor: encodeCursor(node) }));
  return {
    totalCount: page.total,
    edges,
    pageInfo: {
      hasNextPage: page.hasMore,
      hasPreviousPage: args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
