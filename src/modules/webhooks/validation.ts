import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import type { WebhookEvent } from '../../db/schema';

/** The events an endpoint can subscribe to: a run reaching one of its terminal states. */
export const WEBHOOK_EVENTS = ['run.completed', 'run.failed', 'run.cancelled'] as const satisfies readonly WebhookEvent[];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Hosts webhooks may be sent to, from WEBHOOK_ALLOWED_HOSTS (comma-separated; `.example.com` also allows its
 * subdomains). Empty: any host with a public address. Set, it is the whole list, and a listed host may be anything,
 * `localhost` or a private address included: it is how a receiver on the same machine or network is allowed.
 */
export function parseAllowedHosts(setting: string | undefined): string[] {
  return (setting ?? '')
    .split(',')
    .map((host) => (host.trim().startsWith('.') ? `.${normaliseHost(host.trim().slice(1))}` : normaliseHost(host)))
    .filter((host) => host && host !== '.');
}

/** A URL's hostname as compared: lower case, no IPv6 brackets, no trailing dot, an IP address in its shortest form. */
function normaliseHost(hostname: string): string {
  const host = hostname
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
  return isIP(host) ? ipaddr.parse(host).toString() : host;
}

/**
 * The ipaddr.js range of a literal IP address (`unicast` is a public address; every other name — loopback, private,
 * carrierGradeNat, linkLocal, uniqueLocal, rfc6052 (NAT64), multicast, reserved… — is not), or null for a host name.
 * ipaddr.js keeps the list, so new special-purpose ranges arrive with its updates instead of by hand. An IPv4 address
 * carried in IPv6 (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`) is judged as that IPv4 address: ipaddr.js calls
 * `::169.254.169.254` unicast.
 */
export function addressRange(address: string): string | null {
  const host = address.replace(/^\[|\]$/g, '');
  if (!isIP(host)) return null;
  const parsed = ipaddr.parse(host);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const compatible = v6.parts.slice(0, 6).every((part) => part === 0);
    if (v6.isIPv4MappedAddress() || compatible) {
      const [high = 0, low = 0] = v6.parts.slice(6);
      return ipaddr.fromByteArray([high >> 8, high & 0xff, low >> 8, low & 0xff]).range();
    }
  }
  return parsed.range();
}

/** True for a literal address a webhook may not reach by default: anything but a public (unicast) address. */
export function refusedAddress(address: string): boolean {
  const range = addressRange(address);
  return range !== null && range !== 'unicast';
}

/** Whether WEBHOOK_ALLOWED_HOSTS (parsed) names `hostname`. */
export function listedHost(hostname: string, allowed: readonly string[]): boolean {
  const host = normaliseHost(hostname);
  return allowed.some((entry) => (entry.startsWith('.') ? host.endsWith(entry) || host === entry.slice(1) : host === entry));
}

const ALLOW_HINT = 'name it in WEBHOOK_ALLOWED_HOSTS to allow it';

/**
 * Why a webhook may not go to `hostname` (a URL's, IPv6 in brackets), or null when it may. With WEBHOOK_ALLOWED_HOSTS
 * set, only the hosts it names. Otherwise no literal address but a public one (URL parsing has already turned `127.1`,
 * `2130706433`, `0x7f.1` or `0177.0.0.1` into `127.0.0.1`) and no `localhost` name; what other names resolve to is
 * checked at connect time (guardedLookup in transport.ts).
 */
export function hostRefusal(hostname: string, allowed: readonly string[]): string | null {
  const host = normaliseHost(hostname);
  if (allowed.length) return listedHost(host, allowed) ? null : `the host "${host}" is not in WEBHOOK_ALLOWED_HOSTS`;
  if (host === 'localhost' || host.endsWith('.localhost')) return `the host ${host} is this machine (loopback); ${ALLOW_HINT}`;
  const range = addressRange(host);
  return range !== null && range !== 'unicast' ? `the address ${host} is not a public address (${range}); ${ALLOW_HINT}` : null;
}

/**
 * An http(s) URL without credentials: `user:pass@` would end up in logs and delivery records, and other schemes
 * (file:, ftp:, javascript:) make no sense for a POST. Plain http is allowed (a receiver WEBHOOK_ALLOWED_HOSTS lets on
 * a private network may not have a certificate).
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
