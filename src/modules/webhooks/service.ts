/**
 * Webhook endpoints of a workspace and the log of their deliveries. Deliveries are created by enqueue.ts when a run
 * ends and sent by jobs.ts; this file only manages endpoints and reads the log.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Context } from '../../context';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema';
import { NotFoundError, validationErrorFromIssues } from '../../errors';
import { type CursorPage, cursorParams, newestFirstPage } from '../shared/pagination';
import { isUuid } from '../shared/ids';
import { requireScope, type Actor } from '../workspaces/actor';
import { post } from './transport';
import { DELIVERY_STATUSES, parseAllowedHosts, webhookInput, webhookPatch } from './validation';

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;

/** 32 random bytes: the key of the deliveries' HMAC-SHA256 signatures, used as the whole string (prefix included). */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function allowedHosts(context: Context): string[] {
  return parseAllowedHosts(context.settings.WEBHOOK_ALLOWED_HOSTS);
}

async function findEndpoint(context: Context, actor: Actor, id: string): Promise<WebhookEndpoint> {
  const endpoint = isUuid(id)
    ? await context.db.query.webhookEndpoints.findFirst({ where: { id, workspaceId: actor.workspaceId } })
    : undefined;
  if (!endpoint) throw new NotFoundError('webhook', id);
  return endpoint;
}

/** Creates an endpoint; the returned row carries the secret, which the API shows only in this answer. */
export async function createWebhook(context: Context, input: unknown): Promise<WebhookEndpoint> {
  const actor = requireScope(context.actor, 'write');
  const parsed = webhookInput(allowedHosts(context)).safeParse(input ?? {});
  if (!parsed.success) throw validationErrorFromIssues('Invalid webhook.', parsed.error.issues);
  const [created] = await context.db
    .insert(webhookEndpoints)
    .values({ ...parsed.data, secret: newSecret(), workspaceId: actor.workspaceId })
    .returning();
  return created!;
}

export async function getWebhook(context: Context, id: string): Promise<WebhookEndpoint> {
  const actor = requireScope(context.actor, 'read');
  return findEndpoint(context, actor, id);
}

/** Changes the given fields (`url`, `events`, `active`); deliveries already queued keep going to the endpoint. */
export async function updateWebhook(context: Context, id: string, input: unknown): Promise<WebhookEndpoint> {
  const actor = requireScope(context.actor, 'write');
  const existing = await findEndpoint(context, actor, id);
  const parsed = webhookPatch(allowedHosts(context)).safeParse(input ?? {});
  if (!parsed.success) throw validationErrorFromIssues('Invalid webhook.', parsed.error.issues);
  const values = Object.fromEntries(Object.entries(parsed.data).filter(([, value]) => value !== undefined));
  if (!Object.keys(values).length) return existing;
  const [updated] = await context.db
    .update(webhookEndpoints)
    .set(values)
    .where(and(eq(webhookEndpoints.id, existing.id), eq(webhookEndpoints.workspaceId, actor.workspaceId)))
    .returning();
  if (!updated) throw new NotFoundError('webhook', id);
  return updated;
}

/** Deletes an endpoint and its delivery log; its pending delivery jobs find nothing and end. */
export async function deleteWebhook(context: Context, id: string): Promise<void> {
  const actor = requireScope(context.actor, 'write');
  const existing = await findEndpoint(context, actor, id);
  await context.db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, existing.id), eq(webhookEndpoints.workspaceId, actor.workspaceId)));
}

function parseList<T extends z.ZodType>(schema: T, params: Record<string, unknown>): z.output<T> {
  const clean = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined && value !== null && value !== ''));
  const parsed = schema.safeParse(clean);
  if (!parsed.success) throw validationErrorFromIssues('Invalid list parameters.', parsed.error.issues);
  return parsed.data;
}

/** The endpoints of the workspace, newest first, `limit` (default 20, max 100) at a time after `cursor`. */
export async function listWebhooks(context: Context, params: { limit?: unknown; cursor?: unknown }): Promise<CursorPage<WebhookEndpoint>> {
  const actor = requireScope(context.actor, 'read');
  const { limit, cursor } = parseList(cursorParams, params);
  return newestFirstPage(context.db, webhookEndpoints, eq(webhookEndpoints.workspaceId, actor.workspaceId), cursor, limit);
}

const deliveryParams = cursorParams.extend({
  status: z.enum(DELIVERY_STATUSES, `must be one of ${DELIVERY_STATUSES.join(', ')}`).optional(),
});

/** The delivery log of one endpoint, newest first, optionally in one status. */
export async function listDeliveries(
  context: Context,
  webhookId: string,
  params: { status?: unknown; limit?: unknown; cursor?: unknown },
): Promise<CursorPage<WebhookDelivery>> {
  const actor = requireScope(context.actor, 'read');
  const endpoint = await findEndpoint(context, actor, webhookId);
  const { limit, cursor, status } = parseList(deliveryParams, params);
  const filter = and(
    eq(webhookDeliveries.endpointId, endpoint.id),
    eq(webhookDeliveries.workspaceId, actor.workspaceId),
    status ? eq(webhookDeliveries.status, status) : undefined,
  );
  return newestFirstPage(context.db, webhookDeliveries, filter, cursor, limit);
}

export interface WebhookTestResult {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * Sends a signed `webhook.test` event to the endpoint now, from this process, and tells how it went; nothing is
 * queued, retried or logged. For checking a receiver (reachability, signature verification) before runs end.
 */
export async function testWebhook(context: Context, id: string): Promise<WebhookTestResult> {
  const actor = requireScope(context.actor, 'write');
  const endpoint = await findEndpoint(context, actor, id);
  const started = performance.now();
  const eventId = randomUUID();
  const body = JSON.stringify({
    id: eventId,
    type: 'webhook.test',
    created_at: new Date().toISOString(),
    data: { webhook: { id: endpoint.id, url: endpoint.url } },
  });
  // A refused host (loopback, private…) is not connected to: the answer tells no status, error code or port.
  const attempt = await post(endpoint.url, endpoint.secret, eventId, body, allowedHosts(context));
  return {
    delivered: attempt.error === null,
    statusCode: attempt.statusCode,
    error: attempt.error,
    durationMs: Math.round(performance.now() - started),
  };
}
