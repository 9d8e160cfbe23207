import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Context } from '../../context';
import { ValidationError } from '../../errors';
import type { JsonSchema, RequestSchemaName, ResponseSchemaName } from '../openapi/schemas';
import type { Tag } from '../openapi/tags';

export interface RestRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  raw: IncomingMessage;
  context: Context;
  /** The JSON body (an empty body is `{}`), within MAX_JSON_BYTES. */
  json(): Promise<unknown>;
  /** The body's bytes as they came (for bodies that are not one JSON value, e.g. NDJSON), within MAX_JSON_BYTES. */
  bytes(): Promise<Buffer>;
}

export type RestResponse =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { status: number; stream: Readable | AsyncIterable<string | Uint8Array>; contentType: string; headers?: Record<string, string> };

export type RestHandler = (request: RestRequest) => Promise<RestResponse>;

/**
 * Who may call a route:
 * - `key`: a workspace's API key (`read` scope for GET, `write` otherwise), counted against its rate limit; writes
 *   take an Idempotency-Key;
 * - `admin`: the ADMIN_TOKEN, which the handler checks (there may be no workspace yet); no rate limit;
 * - `public`: anyone (health, readiness, the OpenAPI document);
 * - `read-key`: a workspace's API key with `read` scope, in the Authorization header or, read-only keys only, in the
 *   `key` query parameter (url-key.ts), for clients that cannot send headers (the reconciliation service); every
 *   method is a read (a POST carries in a form what a GET carries in its query), so no Idempotency-Key; counted
 *   against the key's rate limit; answered with CORS headers, since browsers call it from other origins.
 */
export type Access = 'key' | 'admin' | 'public' | 'read-key';

/** A query parameter of an operation (all are optional). */
export interface QueryParameter {
  name: string;
  schema: JsonSchema;
  description?: string;
}

/**
 * A route's operation in the OpenAPI document (`GET /v1/openapi.json`). Path parameters, security, the Idempotency-Key
 * and X-Request-Id parameters and the common error responses follow from the route itself (openapi/document.ts).
 */
export interface OperationDescription {
  summary: string;
  tags: Tag[];
  query?: QueryParameter[];
  /** The JSON body's schema, and the multipart form's when the route also takes an upload (`ndjson`: NDJSON too);
   *  `form`: the body is application/x-www-form-urlencoded only. */
  body?: { schema: RequestSchemaName; multipart?: RequestSchemaName; ndjson?: boolean; required?: boolean; form?: boolean };
  /** The success answer: a JSON schema, CSV (as well, or instead), or another text type (`text`). */
  success: { status: number; schema?: ResponseSchemaName; description: string; csv?: boolean; text?: string };
  /** A POST that only reads (match now: its records do not fit a URL): it needs the `read` scope, not `write`. It still
   *  takes an Idempotency-Key and counts against the rate limit like every keyed route. */
  readsOnly?: boolean;
  /** Error statuses beyond the ones every route of its kind may answer. */
  errors?: number[];
}

/** One entry of the route table (routes.ts): what it answers, who may call it, and how the document describes it. */
export interface RestRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/v1/matching/runs/:id`: `:name` segments become `request.params.name`. */
  pattern: string;
  access: Access;
  handler: RestHandler;
  openapi: OperationDescription;
}

interface CompiledRoute extends RestRoute {
  regex: RegExp;
  names: string[];
}

/** Finds the route of a request in the route table (routes.ts), in the table's order. */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly RestRoute[]) {
    this.routes = routes.map((route) => {
      const names: string[] = [];
      const source = route.pattern.replace(/:([a-z_]+)/g, (_match, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { ...route, names, regex: new RegExp(`^${source}/?$`) };
    });
  }

  /** The route for a method and path; `allowed` lists the methods of a path that exists under another method. */
  match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | { allowed: string[] } | undefined {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const found = route.regex.exec(path);
      if (!found) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        const raw = found[index + 1] ?? '';
        try {
          params[name] = decodeURIComponent(raw);
        } catch {
          // `%`, `%E0%A4%A`…: a malformed escape is the client's mistake (URIError was a 500).
          throw new ValidationError(`The path segment "${raw}" is not valid percent-encoding.`, [
            { path: name, message: 'invalid percent-encoding' },
          ]);
        }
      });
      return { route, params };
    }
    return allowed.length ? { allowed } : undefined;
  }

  list(): ReadonlyArray<RestRoute> {
    return this.routes;
  }
}
