import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCOPES = ['read', 'write'] as const;
export type Scope = (typeof SCOPES)[number];

const KEY_PREFIX = 'ck_';

/** A new secret: 32 random bytes, base64url, behind a recognisable prefix (so secret scanners can spot leaks). */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Shown to people to tell keys apart; never enough to use. */
export function displayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

export function looksLikeApiKey(value: string): boolean {
  return /^ck_[A-Za-z0-9_-]{43}$/.test(value);
}
