/**
 * The two ways lists are paged: cursor lists (configs, runs, strategies, webhooks and their deliveries) walk
 * newest-first with opaque cursors; page lists (datasets, a dataset's rows, a run's results) take `page` and `limit`.
 */
import { and, count, desc, eq, lt, or, type InferSelectModel, type SQL } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client';
import { z } from 'zod';
import { ValidationError, validationErrorFromIssues } from '../../errors';
import { isUuid } from './ids';

/** One page of a newest-first list walked with opaque cursors (REST `pagination: {total, limit, has_more, next_cursor}`). */
export interface CursorPage<T> {
  data: T[];
  total: number;
  limit: number;
  hasMore: boolean;
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

interface Keyed {
  createdAt: Date;
  id: string;
}

/** Opaque cursor: base64url of `<created_at ISO>|<id>` of the last item of a page. */
export function encodeCursor(item: Keyed): string {
  return Buffer.from(`${item.createdAt.toISOString()}|${item.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Keyed {
  const text = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const [at, id, extra] = text.split('|');
  const createdAt = new Date(at ?? '');
  if (extra !== undefined || !id || !isUuid(id) || !/^\d{4}-\d\d-\d\dT/.test(at ?? '') || Number.isNaN(createdAt.getTime())) {
    throw new ValidationError('Invalid cursor.', [{ path: 'cursor', message: 'not a cursor returned by this list' }]);
  }
  return { createdAt, id };
}

/**
 * A number given as a query parameter (a string of decimal digits, with an optional `-` and fraction) or as a number
 * (GraphQL, JSON), checked by `schema`. z.coerce.number took whatever Number() takes: `0x10` (16), `1e2`, `0b11`,
 * ` 5 `, `Infinity`; those are now "must be a number".
 */
export function decimalParam<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value), schema);
}

/** `limit` (default 20, max 100) and `cursor` of a cursor list; extend it with a list's own filters. */
export const cursorParams = z.object({
  limit: decimalParam(
    z.number('must be a number').int('must be an integer').min(1, 'must be 1 or more').max(100, 'must be at most 100'),
  ).default(20),
  cursor: z.string().optional(),
});

/** Turns `limit + 1` fetched rows into a page: the extra row only tells that there is more. */
export function cursorPage<T extends Keyed>(rows: T[], limit: number, total: number): CursorPage<T> {
  const hasMore = rows.length > limit;
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, total, limit, hasMore, nextCursor: hasMore && last ? encodeCursor(last) : null };
}

/** The rows after a cursor in newest-first (created_at, id) order, for a table's drizzle columns; undefined = all. */
export function afterCursor(table: { createdAt: AnyPgColumn; id: AnyPgColumn }, cursor: string | undefined): SQL | undefined {
  if (!cursor) return undefined;
  const after = decodeCursor(cursor);
  return or(lt(table.createdAt, after.createdAt), and(eq(table.createdAt, after.createdAt), lt(table.id, after.id)));
}

/** One newest-first page of a table's rows that match `filter`, after `cursor`, with the total of those rows. */
export async function newestFirstPage<TTable extends PgTable & { createdAt: AnyPgColumn; id: AnyPgColumn }>(
  db: Database,
  table: TTable,
  filter: SQL | undefined,
  cursor: string | undefined,
  limit: number,
): Promise<CursorPage<InferSelectModel<TTable> & Keyed>> {
  const [rows, [totals]] = await Promise.all([
    db
      .select()
      .from(table as PgTable)
      .where(and(filter, afterCursor(table, cursor)))
      .orderBy(desc(table.createdAt), desc(table.id))
      .limit(limit + 1),
    db
      .select({ total: count() })
      .from(table as PgTable)
      .where(filter),
  ]);
  return cursorPage(rows as Array<InferSelectModel<TTable> & Keyed>, limit, totals?.total ?? 0);
}

/** One page of a page list (REST `pagination: {total, page, limit}`). */
export interface Page<T> {
  data: T[];
  total: number;
  page: number;
  limit: number;
}

const pageParams = (maxLimit: number, defaultLimit: number) =>
  z.object({
    page: decimalParam(z.number('must be a number').int('must be an integer').min(1, 'must be 1 or more')).default(1),
    limit: decimalParam(
      z.number('must be a number').int('must be an integer').min(1, 'must be 1 or more').max(maxLimit, `must be at most ${maxLimit}`),
    ).default(defaultLimit),
  });

/** `page` (from 1) and `limit` of a page list, checked. */
export function parsePage(input: { page?: unknown; limit?: unknown }, maxLimit = 100, defaultLimit = 20) {
  const parsed = pageParams(maxLimit, defaultLimit).safeParse(input);
  if (!parsed.success) throw validationErrorFromIssues('Invalid pagination.', parsed.error.issues);
  return parsed.data;
}
