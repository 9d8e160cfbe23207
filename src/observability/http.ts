import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdFrom, type App } from '../context';
import { observeHttpRequest } from './metrics';

/** The route pattern that served a response (`/v1/matching/runs/:id`), set by the REST router once it matched. */
const routes = new WeakMap<ServerResponse, string>();

export function setRoutePattern(response: ServerResponse, pattern: string): void {
  routes.set(response, pattern);
}

/**
 * One info line per HTTP request, when its response is finished (or the connection closed first):
 * `{"msg":"request","request_id","method","route","status","duration_ms"}`, and the latency histogram. The route is
 * the pattern, never the raw path (no ids, no query string, no secrets); unmatched paths log as `unmatched`.
 * Headers and bodies are not logged.
 */
export function instrumentRequest(app: App, request: IncomingMessage, response: ServerResponse, fallbackRoute?: string): void {
  const started = performance.now();
  // The REST handler sets X-Request-Id itself; other requests (GraphQL) get theirs here.
  if (fallbackRoute) {
    const given = request.headers['x-request-id'];
    response.setHeader('x-request-id', requestIdFrom(given) ?? randomUUID());
  }
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    const seconds = (performance.now() - started) / 1000;
    const method = (request.method ?? 'GET').toUpperCase();
    const route = routes.get(response) ?? fallbackRoute ?? 'unmatched';
    const status = response.writableFinished ? response.statusCode : 499;
    const header = response.getHeader('x-request-id');
    const requestId = requestIdFrom(header);
    observeHttpRequest(app, method, route, status, seconds);
    app.logger.info({ request_id: requestId, method, route, status, duration_ms: Math.round(seconds * 10_000) / 10 }, 'request');
  };
  response.once('finish', finish);
  response.once('close', finish);
}
