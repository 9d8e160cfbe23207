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
