import type { RestRoute } from '../rest/router';
import { requestSchemas, responseSchemas } from './schemas';
import { tagDescriptions } from './tags';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const openApiPath = (pattern: string) => pattern.replace(/:([a-z_]+)/g, '{$1}');

const rateLimitHeaders = {
  'X-RateLimit-Limit': { $ref: '#/components/headers/X-RateLimit-Limit' },
  'X-RateLimit-Remaining': { $ref: '#/components/headers/X-RateLimit-Remaining' },
  'X-RateLimit-Reset': { $ref: '#/components/headers/X-RateLimit-Reset' },
};
const requestIdHeader = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };

function errorResponse(description: string, withLimits: boolean, extra: Record<string, unknown> = {}) {
  return {
    description,
    headers: { ...requestIdHeader, ...(withLimits ? rateLimitHeaders : {}), ...extra },
    content: { 'application/json': { schema: ref('Error') } },
  };
}

/**
 * The OpenAPI 3.1 document of the REST API, served at `GET /v1/openapi.json`, built from the route table
 * (http/rest/routes.ts): each route carries its own description; what follows from the route itself (path parameters,
 * security, Idempotency-Key, the common error responses) is added here.
 */
export function buildOpenApiDocument(routes: readonly RestRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation = route.openapi;
    const access = route.access;
    const keyed = access === 'key';
    // `read-key` routes: a key like keyed routes (or a read-only one in the URL), every method a read.
    const readKey = access === 'read-key';
    const write = route.method !== 'GET';
    const path = openApiPath(route.pattern);
    const parameters: unknown[] = [...route.pattern.matchAll(/:([a-z_]+)/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: match[1] === 'prefix' ? { type: 'string' } : { type: 'string', format: 'uuid' },
    }));
    for (const query of operation.query ?? []) {
      parameters.push({
        name: query.name,
        in: 'query',
        required: false,
        schema: query.schema,
        ...(query.description ? { description: query.description } : {}),
      });
    }
    if (keyed && write) parameters.push({ $ref: '#/components/parameters/Idempotency-Key' });
    parameters.push({ $ref: '#/components/parameters/X-Request-Id' });

    const successHeaders = { ...requestIdHeader, ...(keyed || readKey ? rateLimitHeaders : {}) };
    const content: Record<string, unknown> = {};
    if (operation.success.schema) content['application/json'] = { schema: ref(operation.success.schema) };
    else if (!operation.success.csv && !operation.success.text) content['application/json'] = { schema: { type: 'object' } };
    if (operation.success.csv) content['text/csv'] = { schema: { type: 'string' } };
    if (operation.success.text) content[operation.success.text] = { schema: { type: 'string' } };
    const responses: Record<string, unknown> = {
      [String(operation.success.status)]: { description: operation.success.description, headers: successHeaders, content },
    };
    const statuses = new Set<number>(operation.errors ?? []);
    if (route.pattern.includes(':') && (keyed || readKey)) statuses.add(404);
    if (operation.body || operation.query || write || route.pattern.includes(':')) statuses.add(400);
    if (access !== 'public') statuses.add(401);
    // A JSON body of another content type (multipart uploads aside).
    if (operation.body) statuses.add(415);
    if (readKey) {
      statuses.add(403);
      statuses.add(429);
    }
    if (keyed) {
      statuses.add(403);
      statuses.add(429);
      // Writes take an Idempotency-Key: 409 while its first request is in progress, 422 when reused for another one.
      if (write) {
        statuses.add(409);
        statuses.add(422);
      }
    }
    for (const status of [...statuses].sort((a, b) => a - b)) responses[String(status)] = { $ref: `#/components/responses/${status}` };
    responses.default = { $ref: '#/components/responses/default' };

    const entry: Record<string, unknown> = {
      operationId: operationId(route),
      summary: operation.summary,
      tags: operation.tags,
      security: keyed ? [{ bearer: [] }] : readKey ? [{ bearer: [] }, { urlKey: [] }] : access === 'admin' ? [{ adminToken: [] }] : [],
      parameters,
      responses,
    };
    if (operation.body) {
      const bodyContent: Record<string, unknown> = operation.body.form
        ? { 'application/x-www-form-urlencoded': { schema: ref(operation.body.schema) } }
        : { 'application/json': { schema: ref(operation.body.schema) } };
      if (operation.body.multipart) bodyContent['multipart/form-data'] = { schema: ref(operation.body.multipart) };
      // NDJSON: the same rows as the JSON array, one object per line.
      if (operation.body.ndjson)
        bodyContent['application/x-ndjson'] = {
          schema: { type: 'object', additionalProperties: true, description: 'One row object per line.' },
        };
      entry.requestBody = { required: operation.body.required ?? false, content: bodyContent };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = entry;
  }

  const intHeader = (description: string) => ({ description, schema: { type: 'integer' } });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Concord REST API',
      version: 'v1',
      // No license has been chosen for Concord yet (no LICENSE file, none in package.json): all rights reserved.
      license: { name: 'Proprietary: no license granted yet', identifier: 'LicenseRef-Proprietary' },
      description:
        "Record matching: reference and source tables, matching configs, runs and their results. GET needs an API key with scope `read`, other methods `write` (but `POST …/configs/{id}/match`, which only reads: `read`). Every id is looked up in the key's workspace. Writes accept an `Idempotency-Key` header (replayed for 24 h). Responses to keyed requests carry `X-RateLimit-*`; a 429 carries `Retry-After`.",
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: Object.entries(tagDescriptions).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key of a workspace: `Authorization: Bearer ck_…`.' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN of the deployment.' },
        urlKey: {
          type: 'apiKey',
          in: 'query',
          name: 'key',
          description:
            'A read-only API key in the URL, for the reconciliation service (OpenRefine cannot send headers). A key with the write scope is refused (403). Never logged; see docs/reconciliation.md for the trade-off.',
        },
      },
      parameters: {
        'Idempotency-Key': {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            "Replays the first response to a write with the same key (per API key, 24 h), after the key's scope is checked; 409 `conflict` while the first is still in progress, 422 `idempotency_mismatch` when the key was used with another method, path or body. Not stored: 401, 403, 400 validation_error, 413, 415, 429 and 5xx.",
          schema: { type: 'string', minLength: 1, maxLength: 255 },
        },
        'X-Request-Id': {
          name: 'X-Request-Id',
          in: 'header',
          required: false,
          description:
            'Your request id: 1 to 128 letters, digits, `. _ : -`; echoed and logged. Anything else (too long, other characters) is ignored and one is generated.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
        },
      },
      headers: {
        'X-RateLimit-Limit': intHeader('Requests per minute allowed for the key.'),
        'X-RateLimit-Remaining': intHeader('Requests left in the current window.'),
        'X-RateLimit-Reset': intHeader('Unix time (seconds) at which the window resets.'),
        'Retry-After': intHeader('Seconds to wait before retrying.'),
        'X-Request-Id': { description: 'The request id (also in error bodies and logs).', schema: { type: 'string' } },
        'WWW-Authenticate': { description: 'The accepted scheme: `Bearer`.', schema: { type: 'string', const: 'Bearer' } },
      },
      responses: {
        400: errorResponse('validation_error: the body, a parameter or the query is invalid (details list each problem).', true),
        401: errorResponse('unauthorized: missing or invalid API key (or admin token).', false, {
          'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' },
        }),
        403: errorResponse('insufficient_scope: the key lacks the scope (read for GET and match now, write otherwise).', true),
        404: errorResponse('not_found: no such object in the workspace.', true),
        409: errorResponse(
          'conflict: the state does not allow it, or the first request with this Idempotency-Key is still in progress.',
          true,
        ),
        413: errorResponse('payload_too_large.', true),
        415: errorResponse('unsupported_media_type: a body that is not JSON (nor, for uploads, multipart/form-data).', true),
        422: errorResponse('idempotency_mismatch: this Idempotency-Key was used with another method, path or body.', true),
        429: errorResponse('rate_limited: the key used its requests of this minute.', true, {
          'Retry-After': { $ref: '#/components/headers/Retry-After' },
        }),
        503: errorResponse(
          'service_unavailable: the database is not reachable; or index_building (match now): the warm reference index is still being built, retry after Retry-After.',
          false,
          { 'Retry-After': { $ref: '#/components/headers/Retry-After' } },
        ),
        default: errorResponse('Any other error, with the same body (500 internal_error, retryable).', false),
      },
      schemas: { ...responseSchemas, ...requestSchemas },
    },
  };
}

function operationId(route: RestRoute): string {
  const words = route.pattern
    .replace(/^\/v1\//, '')
    .split(/[/-]/)
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `by_${part.slice(1)}` : part));
  return [route.method.toLowerCase(), ...words].join('_').replace(/_([a-z])/g, (_m, letter: string) => letter.toUpperCase());
}
