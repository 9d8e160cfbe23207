import { createHash } from 'node:crypto';
import type postgres from 'postgres';
import { ConflictError, IdempotencyMismatchError, ValidationError } from '../../errors';
import type { Actor } from '../workspaces/actor';

/** How long a completed request is replayed, in hours. */
export const IDEMPOTENCY_TTL_HOURS = 24;
/** An `in_progress` claim older than this (its process died mid-request) may be taken over, in minutes. */
export const IDEMPOTENCY_ABANDONED_MINUTES = 10;

/** The same key is being executed right now by another request: retry later and get its replay. */
export class IdempotencyInProgressError extends ConflictError {
  override readonly retryable = true;
  constructor() {
    super('A request with this Idempotency-Key is in progress; retry after it completes to get its response.');
  }
}

/** The stored first response of a key. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type Claim = { kind: 'owner' } | { kind: 'replay'; response: StoredResponse };

/** 1–255 printable ASCII characters (space allowed inside), else 400 `validation_error`. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const value = Array.isArray(header) ? (header.length === 1 ? header[0]! : '') : header;
  if (!/^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/.test(value)) {
    throw new ValidationError('Idempotency-Key must be 1 to 255 printable ASCII characters.', [
      { path: 'Idempotency-Key', message: 'expected 1 to 255 printable ASCII characters' },
    ]);
  }
  return value;
}

/** SHA-256 of method, path (with query) and body; `body` null → the body is not part of the hash (uploads). */
export function requestHash(method: string, pathWithQuery: string, body: Buffer | null): string {
  const hash = createHash('sha256').update(method).update('\n').update(pathWithQuery).update('\n');
  if (body === null) hash.update('<multipart: body not hashed>');
  else hash.update(body);
  return hash.digest('hex');
}

/**
 * Claims a key for this request (`owner`: run it, then `complete` or `release`), or returns the first response to
 * replay. Throws `IdempotencyMismatchError` (422) when the key came with another request, and
 * `IdempotencyInProgressError` (409) while the first request still runs. A row past the 24 h replay window, or an
 * abandoned claim, is taken over in the same atomic statement.
 */
export async function claimIdempotencyKey(sql: postgres.Sql, actor: Actor, key: string, hash: string): Promise<Claim> {
  maybePurge(sql);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const claimed = await sql`
      insert into idempotency_keys as i (workspace_id, api_key_id, key, request_hash) values (${actor.workspaceId}, ${actor.apiKeyId}, ${key}, ${hash})
      on conflict (api_key_id, key) do update
        set request_hash = excluded.request_hash, status = 'in_progress', response_status = null,
            response_headers = null, response_body = null, created_at = now(), completed_at = null
        where i.created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})
           or (i.status = 'in_progress' and i.created_at < now() - make_interval(mins => ${IDEMPOTENCY_ABANDONED_MINUTES}))
      returning 1`;
    if (claimed.length) return { kind: 'owner' };
    const [existing] = await sql<
      Array<{
        request_hash: string;
        status: string;
        response_status: number | null;
        response_headers: Record<string, string> | null;
        response_body: unknown;
      }>
    >`select request_hash, status, response_status, response_headers, response_body
      from idempotency_keys where api_key_id = ${actor.apiKeyId} and key = ${key}`;
    // Released between the two statements (the first request failed): claim again.
    if (!existing) continue;
    if (existing.request_hash !== hash) throw new IdempotencyMismatchError();
    if (existing.status !== 'completed' || existing.response_status === null) throw new IdempotencyInProgressError();
    return {
      kind: 'replay',
      response: { status: existing.response_status, headers: existing.response_headers ?? {}, body: existing.response_body },
    };
  }
  throw new IdempotencyInProgressError();
}

/** Stores the response of a claimed key for replay: sent as text and kept as `json`, so its key order survives. */
export async function completeIdempotencyKey(sql: postgres.Sql, actor: Actor, key: string, response: StoredResponse): Promise<void> {
  await sql`
    update idempotency_keys
    set status = 'completed', response_status = ${response.status},
        response_headers = ${JSON.stringify(response.headers)}::text::json,
        response_body = ${JSON.stringify(response.body ?? null)}::text::json, completed_at = now()
    where api_key_id = ${actor.apiKeyId} and key = ${key}`;
}

/**
 * Forgets a claimed key (the request was refused before it began executing, failed with a server error, or streamed):
 * the client may retry with it.
 */
export async function releaseIdempotencyKey(sql: postgres.Sql, actor: Actor, key: string): Promise<void> {
  await sql`delete from idempotency_keys where api_key_id = ${actor.apiKeyId} and key = ${key} and status = 'in_progress'`;
}

let lastPurge = 0;

/** At most once a minute per process, in the background: drop keys past the replay window. */
function maybePurge(sql: postgres.Sql): void {
  const now = Date.now();
  if (now - lastPurge < 60_000) return;
  lastPurge = now;
  sql`delete from idempotency_keys where created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`.catch(() => {
    lastPurge = 0;
  });
}
