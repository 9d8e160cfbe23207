import { Readable } from 'node:stream';
import type { App } from '../../context';
import { ServiceUnavailableError } from '../../errors';
import { metricsFor } from '../../observability/metrics';
import { requireAdminToken } from '../admin-token';
import { buildOpenApiDocument } from '../openapi/document';
import type { RestHandler, RestRoute } from './router';

/** The handlers of the Operations routes: liveness, readiness, metrics and the OpenAPI document. */

export const liveness: RestHandler = async () => ({ status: 200, body: { status: 'ok' } });

export const readiness: RestHandler = async (request) => {
  // Not ready while Postgres is down or restarting (queries fail fast then: connection refused); a database that
  // hangs counts as down after 2 s rather than holding the probe.
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref());
    await Promise.race([request.context.sql`select 1`, timeout]);
  } catch {
    throw new ServiceUnavailableError('The database is not reachable.');
  }
  return { status: 200, body: { status: 'ready', database: 'ok' } };
};

/**
 * `GET /metrics` (Prometheus text format). Public when ADMIN_TOKEN is not set; with ADMIN_TOKEN set, the scraper
 * sends `Authorization: Bearer <ADMIN_TOKEN>` (Prometheus: `authorization: {credentials: …}` in the scrape config).
 * The registry is the app's (metricsFor), not the request context's.
 */
export function metrics(app: App): RestHandler {
  return async (request) => {
    if (app.settings.ADMIN_TOKEN) requireAdminToken(app.settings.ADMIN_TOKEN, request.raw.headers);
    const { registry } = metricsFor(app);
    const text = await registry.metrics();
    return { status: 200, contentType: registry.contentType, stream: Readable.from([text]) };
  };
}

/**
 * `GET /v1/openapi.json`: the document of the route table, built on first use (it does not change while the process
 * runs). The table is passed as a function: this route is one of its entries.
 */
export function openApiDocument(table: () => readonly RestRoute[]): RestHandler {
  let document: Record<string, unknown> | undefined;
  return async () => {
    document ??= buildOpenApiDocument(table());
    return { status: 200, body: document };
  };
}
