import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server';
import { expectErrorShape, graphql, request } from '../support/http';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('health', () => {
  it('answers liveness and readiness', async () => {
    expect((await request(server.url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(server.url, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
  });
});

describe('admin provisioning', () => {
  it('creates a workspace with a key that works, and more keys with chosen scopes', async () => {
    const created = await request(server.url, 'POST', '/v1/admin/workspaces', { key: ADMIN_TOKEN, json: { name: 'Acme' } });
    expect(created.status).toBe(201);
    expect(created.body.workspace).toMatchObject({ name: 'Acme' });
    expect(created.body.workspace.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.workspace.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(created.body.api_key).toMatch(/^ck_/);

    const viewer = await graphql(server.url, '{ viewer { workspace { name } scopes } }', {}, created.body.api_key);
    expect(viewer.body.data).toEqual({ viewer: { workspace: { name: 'Acme' }, scopes: ['read', 'write'] } });

    const readOnly = await request(server.url, 'POST', `/v1/admin/workspaces/${created.body.workspace.id}/api-keys`, {
      key: ADMIN_TOKEN,
      json: { scopes: ['read'] },
    });
    expect(readOnly.status).toBe(201);
    expect(readOnly.body.scopes).toEqual(['read']);
    const readViewer = await graphql(server.url, '{ viewer { scopes } }', {}, readOnly.body.api_key);
    expect(readViewer.body.data?.viewer.scopes).toEqual(['read']);
  });

  it("lists a workspace's keys and revokes one: refused at once, listed as revoked, revoking again changes nothing", async () => {
    const created = await request(server.url, 'POST', '/v1/admin/workspaces', { key: ADMIN_TOKEN, json: { name: 'Keys' } });
    expect(created.status).toBe(201);
    const workspaceId = created.body.workspace.id;
    const first = created.body;
    expect(first.prefix).toBe(first.api_key.slice(0, 9));
    const second = await request(server.url, 'POST', `/v1/admin/workspaces/${workspaceId}/api-keys`, {
      key: ADMIN_TOKEN,
      json: { scopes: ['read'] },
    });
    expect(second.body.prefix).toBe(second.body.api_key.slice(0, 9));
    const keysPath = `/v1/admin/workspaces/${workspaceId}/api-keys`;

    const listed = await request(server.url, 'GET', keysPath, { key: ADMIN_TOKEN });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((key: any) => key.prefix)).toEqual([second.body.prefix, first.prefix]);
    expect(listed.body.data[0]).toMatchObject({ scopes: ['read'], revoked_at: null, rate_limit_per_minute: null });
    expect(JSON.stringify(listed.body)).not.toContain(first.api_key.slice(9)); // never a secret

    // The key works (and is now in this process's authentication cache), then is revoked.
    expect((await request(server.url, 'GET', '/v1/reference-data', { key: first.api_key })).status).toBe(200);
    const revoked = await request(server.url, 'DELETE', `${keysPath}/${first.prefix}`, { key: ADMIN_TOKEN });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ prefix: first.prefix, revoked_at: expect.stringMatching(/^\d{4}-/) });
    const refused = await request(server.url, 'GET', '/v1/reference-data', { key: first.api_key });
    expect(refused.status).toBe(401);
    expectErrorShape(refused.body, 'unauthorized');
    const refusedGraphql = await graphql(server.url, '{ viewer { scopes } }', {}, first.api_key);
    expect(refusedGraphql.body.errors?.[0]?.extensions?.code).toBe('unauthorized');
    expect((await request(server.url, 'GET', '/v1/reference-data', { key: second.body.api_key })).status).toBe(200);

    const again = await request(server.url, 'DELETE', `${keysPath}/${first.prefix}`, { key: ADMIN_TOKEN });
    expect(again.status).toBe(200);
    expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
    const after = await request(server.url, 'GET', keysPath, { key: ADMIN_TOKEN });
    expect(after.body.data.find((key: any) => key.prefix === first.prefix).revoked_at).toBe(revoked.body.revoked_at);

    const unknownPrefix = await request(server.url, 'DELETE', `${keysPath}/ck_nope00`, { key: ADMIN_TOKEN });
    expect(unknownPrefix.status).toBe(404);
    expectErrorShape(unknownPrefix.body, 'not_found');
    const unknownWorkspace = await request(server.url, 'GET', '/v1/admin/workspaces/00000000-0000-0000-0000-000000000000/api-keys', {
      key: ADMIN_TOKEN,
    });
    expect(unknownWorkspace.status).toBe(404);
    const notAnId = await request(server.url, 'DELETE', `/v1/admin/workspaces/nope/api-keys/${second.body.prefix}`, { key: ADMIN_TOKEN });
    expect(notAnId.status).toBe(404);
    // An API key is not an admin token, not even for its own workspace.
    const byKey = await request(server.url, 'DELETE', `${keysPath}/${second.body.prefix}`, { key: second.body.api_key });
    expect(byKey.status).toBe(401);
    expect((await request(server.url, 'GET', keysPath, {})).status).toBe(401);
  });

  it('lists the workspaces with their ids and live key counts (admin token only, never a key)', async () => {
    const created = await request(server.url, 'POST', '/v1/admin/workspaces', { key: ADMIN_TOKEN, json: { name: 'Listed' } });
    const id = created.body.workspace.id;
    await request(server.url, 'POST', `/v1/admin/workspaces/${id}/api-keys`, { key: ADMIN_TOKEN, json: {} });
    await request(server.url, 'DELETE', `/v1/admin/workspaces/${id}/api-keys/${created.body.prefix}`, { key: ADMIN_TOKEN });

    const listed = await request(server.url, 'GET', '/v1/admin/workspaces', { key: ADMIN_TOKEN });
    expect(listed.status).toBe(200);
    expect(listed.body.data[0]).toEqual({ id, name: 'Listed', created_at: created.body.workspace.created_at, live_api_keys: 1 });
    const ids = listed.body.data.map((workspace: { id: string }) => workspace.id);
    expect(new Set(ids).size).toBe(ids.length);
    const [all] = await server.app.sql<{ count: number }[]>`select count(*)::int as count from workspaces`;
    expect(ids).toHaveLength(all!.count);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.api_key.slice(9));

    const missing = await request(server.url, 'GET', '/v1/admin/workspaces', {});
    expect(missing.status).toBe(401);
    expectErrorShape(missing.body, 'unauthorized');
    // An API key is not an admin token.
    expect((await request(server.url, 'GET', '/v1/admin/workspaces', { key: created.body.api_key })).status).toBe(401);
  });

  it('refuses a missing or wrong admin token with 401', async () => {
    const missing = await request(server.url, 'POST', '/v1/admin/workspaces', { json: { name: 'x' } });
    expect(missing.status).toBe(401);
    expectErrorShape(missing.body, 'unauthorized');
    const wrong = await request(server.url, 'POST', '/v1/admin/workspaces', { key: 'nope-nope-nope-nope', json: { name: 'x' } });
    expect(wrong.status).toBe(401);
  });

  it('validates the body and the workspace id', async () => {
    const noName = await request(server.url, 'POST', '/v1/admin/workspaces', { key: ADMIN_TOKEN, json: {} });
    expect(noName.status).toBe(400);
    expectErrorShape(noName.body, 'validation_error');
    expect(noName.body.details[0].path).toBe('name');
    const badScope = await request(server.url, 'POST', '/v1/admin/workspaces/00000000-0000-0000-0000-000000000000/api-keys', {
      key: ADMIN_TOKEN,
      json: { scopes: ['admin'] },
    });
    expect(badScope.status).toBe(400);
    const unknown = await request(server.url, 'POST', '/v1/admin/workspaces/00000000-0000-0000-0000-000000000000/api-keys', {
      key: ADMIN_TOKEN,
      json: {},
    });
    expect(unknown.status).toBe(404);
    expectErrorShape(unknown.body, 'not_found');
  });
});

describe('authentication', () => {
  it('answers 401 without a key and for an unknown key, with the request id echoed', async () => {
    const none = await request(server.url, 'GET', '/v1/reference-data', { headers: { 'x-request-id': 'req-123' } });
    expect(none.status).toBe(401);
    expectErrorShape(none.body, 'unauthorized');
    expect(none.body.request_id).toBe('req-123');
    expect(none.headers.get('x-request-id')).toBe('req-123');
    const unknown = await request(server.url, 'GET', '/v1/reference-data', { key: 'ck_' + 'a'.repeat(43) });
    expect(unknown.status).toBe(401);
  });

  it('answers 404 for an unknown route and 405 for a wrong method', async () => {
    const { key } = await server.newWorkspace();
    expect((await request(server.url, 'GET', '/v1/nothing-here', { key })).status).toBe(404);
    expect((await request(server.url, 'PATCH', '/v1/reference-data', { key })).status).toBe(405);
  });
});
