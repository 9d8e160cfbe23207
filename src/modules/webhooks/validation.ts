import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import type { WebhookEvent } from '../../db/schema';

/** The events an endpoint can subscribe to: a run reaching one of its terminal states. */
export const WEBHOOK_EVENTS = ['run.completed', 'run.failed', 'run.cancelled'] as const satisfies readonly WebhookEvent[];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Hosts webhooks may be sent to, from WEBHOOK_ALLOWED_HOSTS (comma-separated; `.example.com` also allows its
 * subdomains). Empty: any host but the refused addresses below, as suits a self-hosted service whose users are its
 * operators (receivers on the same machine or a private network are common).
 */
export function parseAllowedHosts(setting: string | undefined): string[] {
  return (setting ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Addresses a webhook never goes to unless WEBHOOK_ALLOWED_HOSTS names them: link-local (169.254.0.0/16, where
 * cloud metadata services answer, and fe80::/10) and "this host" (0.0.0.0/8, ::), also IPv4-mapped. Checked on
 * the URL's literal address and, at connect time, on every address its name resolves to (guardedLookup in jobs.ts).
 */
const REFUSED_ADDRESSES = new BlockList();
REFUSED_ADDRESSES.addSubnet('169.254.0.0', 16, 'ipv4');
REFUSED_ADDRESSES.addSubnet('0.0.0.0', 8, 'ipv4');
REFUSED_ADDRESSES.addSubnet('fe80::', 10, 'ipv6');
REFUSED_ADDRESSES.addAddress('::', 'ipv6');

export function refusedAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && REFUSED_ADDRESSES.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Why a webhook may not go to `hostname` (a URL's, IPv6 in brackets), or null when it may. */
export function hostRefusal(hostname: string, allowed: readonly string[]): string | null {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (allowed.length) {
    const listed = allowed.some((entry) => (entry.startsWith('.') ? host.endsWith(entry) || host === entry.slice(1) : host === entry));
    return listed ? null : `the host "${host}" is not in WEBHOOK_ALLOWED_HOSTS`;
  }
  return refusedAddress(host) ? `the address ${host} is link-local or unspecified; name it in WEBHOOK_ALLOWED_HOSTS to allow it` : null;
}

/**
 * An http(s) URL without credentials: `user:pass@` would end up in logs and delivery records, and other schemes
 * (file:, ftp:, javascript:) make no sense for a POST. Plain http is allowed: receivers on a private network are
 * common for a self-hosted service.
 */
export function webhookUrl(allowedHosts: readonly string[]) {
  return z
    .string('must be a URL')
    .trim()
    .min(1, 'must be a URL')
    .max(2000, 'at most 2000 characters')
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be an absolute http or https URL' });
        return;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must use http or https' });
      else if (url.username || url.password) ctx.addIssue({ code: 'custom', message: 'must not contain credentials (user:password@)' });
      else if (!url.hostname) ctx.addIssue({ code: 'custom', message: 'must name a host' });
      else {
        const refusal = hostRefusal(url.hostname, allowedHosts);
        if (refusal) ctx.addIssue({ code: 'custom', message: refusal });
      }
    });
}

const events = z
  .array(z.enum(WEBHOOK_EVENTS, `must be one of ${WEBHOOK_EVENTS.join(', ')}`), 'must be a list of events')
  .min(1, 'must name at least one event')
  // Stored once each, in a stable order, so equal subscriptions compare equal.
  .transform((list) => WEBHOOK_EVENTS.filter((event) => list.includes(event)));

export function webhookInput(allowedHosts: readonly string[]) {
  return z.strictObject({
    url: webhookUrl(allowedHosts),
    events: events.default([...WEBHOOK_EVENTS]),
    active: z.boolean('must be true or false').default(true),
  });
}

export function webhookPatch(allowedHosts: readonly string[]) {
  return z.strictObject({
    url: webhookUrl(allowedHosts).optional(),
    events: events.optional(),
    active: z.boolean('must be true or false').optional(),
  });
}

/** For the OpenAPI document (request schemas come from the services' zod schemas). */
export const webhookInputSchema = webhookInput([]);
export const webhookPatchSchema = webhookPatch([]);
