import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `Concord-Webhook-Signature: v1=<hex>`: HMAC-SHA256 keyed with the endpoint's whole secret (`whsec_…`, as UTF-8),
 * over `<Concord-Webhook-Timestamp>.<raw body>`. The timestamp inside the signed text lets receivers refuse replays.
 */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Receivers' check (also what docs/webhooks.md shows): constant-time compare, and a timestamp within `toleranceSeconds`. */
export function verifySignature(
  secret: string,
  timestamp: string,
  body: string,
  header: string,
  toleranceSeconds = 300,
  now = Date.now(),
): boolean {
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(now / 1000 - seconds) > toleranceSeconds) return false;
  const expected = Buffer.from(signPayload(secret, seconds, body));
  return header.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
