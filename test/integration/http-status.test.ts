import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { expectErrorShape, request } from '../support/http';

let server: TestServer;
let workspace: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  workspace = await server.newWorkspace('http');
});
afterAll(async () => {
  await server?.close();
});

const GRAPHQL_RESPONSE = 'application/graphql-response+json';

function postGraphQL(key: string | undefined, accept: string, query = 'query Viewer { viewer { scopes } }') {
  return request(server.url, 'POST', '/graphql', {
    json: { query },
    headers: { accept, ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
  });
}

describe('HTTP semantics of error answers', () => {
  it('405 answers name the allowed methods in Allow (REST and GraphQL)', async () => {
    const rest = await request(server.url, 'DELETE', '/v1/matching/runs', { key: workspace.key });
    expect(rest.status).toBe(405);
    expectErrorShape(rest.body, 'method_not_allowed');
    expect(rest.headers.get('allow')).toBe('GET');
    const config = await request(server.url, 'POST', '/v1/matching/configs/00000000-0000-0000-0000-000000000000', { key: workspace.key });
    expect(config.status).toBe(405);
    expect(config.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'PATCH', 'PUT']);
    const graphql = await request(server.url, 'PUT', '/graphql', { key: workspace.key, json: { query: '{ __typename }' } });
    expect(graphql.status).toBe(405);
    expect(graphql.headers.get('allow')).toMatch(/POST/);
  });

  it('401 answers carry WWW-Authenticate: Bearer (no key, a bad key, the admin routes)', async () => {
    for (const key of [undefined, 'ck_not_a_key']) {
      const response = await request(server.url, 'GET', '/v1/matching/runs', { key });
      expect(response.status).toBe(401);
      expectErrorShape(response.body, 'unauthorized');
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    const admin = await request(server.url, 'GET', '/v1/admin/workspaces/00000000-0000-0000-0000-000000000000/api-keys', {
      key: `${ADMIN_TOKEN}x`,
    });
    expect(admin.status).toBe(401);
    expect(admin.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('GraphQL: a bad key is refused with 401 before the operation runs, as a spent budget is with 429, whatever the Accept', async () => {
    // GraphQL over HTTP: a server may forbid a request for a reason that is not its content (authentication), with
    // the relevant 4xx status; with application/graphql-response+json a 200 would claim the operation was executed.
    for (const accept of [GRAPHQL_RESPONSE, 'application/json']) {
      const response = await postGraphQL('ck_not_a_key', accept);
      expect(response.status, accept).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.headers.get('content-type')).toContain(accept);
      expect(response.body.data).toBeUndefined();
      expect(response.body.errors).toEqual([
        expect.objectContaining({ message: 'Missing or invalid API key.', extensions: expect.objectContaining({ code: 'unauthorized' }) }),
      ]);
    }
    // A valid key: 200 with data, in either media type.
    for (const accept of [GRAPHQL_RESPONSE, 'application/json']) {
      const response = await postGraphQL(workspace.key, accept);
      expect(response.status).toBe(200);
      expect(response.body.data.viewer.scopes).toEqual(expect.arrayContaining(['read']));
    }
    // A document invalid against the schema: 400 for graphql-response+json, 200 for legacy application/json (the spec).
    expect((await postGraphQL(workspace.key, GRAPHQL_RESPONSE, 'query Nope { nope }')).status).toBe(400);
    expect((await postGraphQL(workspace.key, 'application/json', 'query Nope { nope }')).status).toBe(200);
    // Without a key the request is executed (introspection needs none): a field needing one is a field error, 200.
    const anonymous = await postGraphQL(undefined, GRAPHQL_RESPONSE, 'query Typename { __typename }');
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('GraphQL: a spent budget is 429 with Retry-After in both media types', async () => {
    const limited = await startTestServer({ RATE_LIMIT_PER_MINUTE: 1 });
    try {
      const owner = await limited.newWorkspace('limited');
      const send = (accept: string) =>
        request(limited.url, 'POST', '/graphql', {
          json: { query: 'query Viewer { viewer { scopes } }' },
          headers: { accept, authorization: `Bearer ${owner.key}` },
        });
      expect((await send(GRAPHQL_RESPONSE)).status).toBe(200);
      for (const accept of [GRAPHQL_RESPONSE, 'application/json']) {
        const response = await send(accept);
        expect(response.status, accept).toBe(429);
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(response.body.errors[0].extensions.code).toBe('rate_limited');
      }
    } finally {
      await limited.close();
    }
  });
});
