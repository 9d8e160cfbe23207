import { z } from 'zod';

/**
 * A UUID as Postgres reads it. Ids from requests are checked against it before they reach a query: Postgres refuses
 * a malformed uuid with an error (a 500), where the caller should get a 404 or a validation error.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

/** An id parameter of a list or an input (`config_id`, `source_data_id`…). */
export const uuidParam = z.string().regex(UUID_PATTERN, 'must be a UUID');
