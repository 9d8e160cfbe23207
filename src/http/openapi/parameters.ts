import type { QueryParameter } from '../rest/router';
import type { JsonSchema } from './schemas';

/** Query parameters that several routes share, as the route table describes them. */

export const integer = (minimum: number, maximum?: number, fallback?: number): JsonSchema => ({
  type: 'integer',
  minimum,
  ...(maximum === undefined ? {} : { maximum }),
  ...(fallback === undefined ? {} : { default: fallback }),
});

/** `page` and `limit` of a numbered list (tables, rows, results). */
export const pageQuery = (max: number, fallback: number): QueryParameter[] => [
  { name: 'page', schema: integer(1, undefined, 1) },
  { name: 'limit', schema: integer(1, max, fallback) },
];

/** `limit` and `cursor` of a newest-first list. */
export const cursorQuery: QueryParameter[] = [
  { name: 'limit', schema: integer(1, 100, 20) },
  { name: 'cursor', schema: { type: 'string' }, description: 'next_cursor of the previous page.' },
];
