/**
 * Revocations reach every server process at once: revokeApiKey announces the key's id on a Postgres channel, and
 * each server LISTENs (watchRevocations, started with the HTTP server). A process that hears it forgets the key's
 * cached lookup (so the next request with it is refused) and fails the key's running subscriptions (graphql-ws and
 * SSE alike: their event streams throw). A process that misses it (its LISTEN connection was reconnecting) still
 * refuses the key once its cached lookup expires (AUTH_CACHE_MS); subscriptions re-authenticate when they restart.
 */
import { sql } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Database } from '../../db/client';
import { UnauthorizedError } from '../../errors';
import { runEventHub } from '../../events/run-events';
import type { Logger } from '../../logger';
import { forgetApiKey } from './auth-cache';

export const API_KEY_REVOKED_CHANNEL = 'concord_api_key_revoked';

export async function announceRevocation(db: Database, apiKeyId: string): Promise<void> {
  await db.execute(sql`select pg_notify(${API_KEY_REVOKED_CHANNEL}, ${apiKeyId})`);
}

/** Starts listening for revocations in this process (postgres.js re-LISTENs after a reconnection by itself). */
export async function watchRevocations(app: { sql: postgres.Sql; logger: Logger }): Promise<void> {
  await app.sql.listen(API_KEY_REVOKED_CHANNEL, (apiKeyId) => {
    forgetApiKey(apiKeyId);
    const ended = runEventHub(app).endStreamsOfKey(apiKeyId, new UnauthorizedError('The API key of this subscription was revoked.'));
    app.logger.info({ apiKeyId, subscriptionsEnded: ended }, 'API key revoked');
  });
}
