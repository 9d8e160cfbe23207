/**
 * Successful key lookups, reused per process for AUTH_CACHE_MS. Every request authenticates, and the lookup was a
 * third of an API read's database work under load. Unknown keys are never cached, so a new key works at once; a
 * revoked key is forgotten at once by every server process that hears the revocation (revocation.ts), and by any
 * other after AUTH_CACHE_MS at the latest.
 */
import type { Actor } from './actor';

export const AUTH_CACHE_MS = 5_000;
const AUTH_CACHE_MAX = 10_000;
const byKeyHash = new Map<string, { actor: Actor; expires: number }>();

export function cachedActor(keyHash: string): Actor | null {
  const cached = byKeyHash.get(keyHash);
  return cached && cached.expires > Date.now() ? cached.actor : null;
}

export function cacheActor(keyHash: string, actor: Actor): void {
  if (byKeyHash.size >= AUTH_CACHE_MAX) byKeyHash.clear();
  byKeyHash.set(keyHash, { actor, expires: Date.now() + AUTH_CACHE_MS });
}

export function forgetKeyHash(keyHash: string): void {
  byKeyHash.delete(keyHash);
}

/** Forgets the lookups of one key (by its id: a revocation names the key, not its secret). */
export function forgetApiKey(apiKeyId: string): void {
  for (const [keyHash, { actor }] of byKeyHash) if (actor.apiKeyId === apiKeyId) byKeyHash.delete(keyHash);
}
