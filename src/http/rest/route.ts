import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Context } from '../../context';
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
 * - `public`: anyone (health, readiness, the OpenAPI document).
 */
export type Access = 'key' | 'admin' | 'public';

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
  /** The JSON body's schema, and the multipart form's when the route also takes an upload. */
  body?: { schema: RequestSchemaName; multipart?: RequestSchemaName; required?: boolean };
  /** The success answer: a JSON schema, CSV (as well, or instead), or another text type (`text`). */
  success: { status: number; schema?: ResponseSchemaName; description: string; csv?: boolean; text?: string };
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
