import { resolveOffsetConnection } from '@pothos/plugin-relay';
import { ValidationError } from '../errors';
import { encodeCursor, type CursorPage } from '../modules/shared/pagination';
import type { SchemaTypes } from './builder';

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Cursor lists are newest-first and forward only. */
export function assertForwardOnly(args: ConnectionArgs): void {
  if (args.last != null || args.before != null) {
    throw new ValidationError('Only forward pagination is supported.', [
      { path: args.last != null ? 'last' : 'before', message: 'use first and after' },
    ]);
  }
}

/**
 * The connection type of a cursor list, as `t.connection`'s connection options: its name, description and
 * `totalCount` (how many items pass the list's filters), which cursorConnection fills from the page.
 */
export function countedConnection(name: string, description: string, totalCountDescription: string) {
  return {
    name,
    description,
    fields: <Connection extends object>(t: PothosSchemaTypes.ObjectFieldBuilder<SchemaTypes, Connection>) => ({
      // The relay plugin types a connection object as its edges and pageInfo only, whatever the resolver returns.
      totalCount: t.int({ description: totalCountDescription, resolve: (connection) => (connection as Counted).totalCount }),
    }),
  };
}

type Counted = ReturnType<typeof cursorConnection>;

/** A service's cursor page as a Relay connection (with `totalCount`, see countedConnection). */
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

/** Pothos' offset cursors: base64 of `OffsetConnection:<n>`, n a row offset. */
const OFFSET_CURSOR = /^OffsetConnection:(0|[1-9]\d{0,14})$/;

function assertOffsetCursor(cursor: string | null | undefined, path: 'after' | 'before'): void {
  if (cursor == null) return;
  const text = /^[A-Za-z0-9+/]+={0,2}$/.test(cursor) ? Buffer.from(cursor, 'base64').toString('utf8') : '';
  if (!OFFSET_CURSOR.test(text)) throw new ValidationError('Invalid cursor.', [{ path, message: 'not a cursor returned by this list' }]);
}

/**
 * A Relay connection over an offset-paged list (`load` gets the offset and how many rows to fetch), with its
 * cursors checked first: Pothos read `OffsetConnection:-5` as a negative SQL OFFSET (an internal error) and
 * `OffsetConnection:x` as NaN (an empty page), and named bad base64 differently from the other lists.
 */
export function offsetConnection<T>(
  args: ConnectionArgs,
  sizes: { defaultSize: number; maxSize: number },
  load: (page: { offset: number; limit: number }) => Promise<T[]>,
) {
  assertOffsetCursor(args.after, 'after');
  assertOffsetCursor(args.before, 'before');
  return resolveOffsetConnection({ args, ...sizes }, load);
}
