import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { expectErrorShape, request } from '../support/http';
import { uploadForm } from '../support/fixtures';
import { requestHash } from '../../src/modules/limits/idempotency';
import { hashApiKey } from '../../src/modules/workspaces/keys';

let server: TestServer;
let workspace: TestWorkspace;
let referenceId: string;

beforeAll(async () => {
  server = await startTestServer();
  workspace = await server.newWorkspace('idempotency');
  const reference = await request(server.url, 'POST', '/v1/reference-data', {
    key: workspace.key,
    json: {
      name: 'Vendors',
      id_column: 'vendor_id',
      data: [
        { vendor_id: 'V1', name: 'Acme' },
        { vendor_id: 'V2', name: 'Globex' },
      ],
    },
  });
  expect(reference.status, JSON.stringify(reference.body)).toBe(201);
  referenceId = reference.body.id;
});

afterAll(async () => {
  await server?.close();
});

let counter = 0;
const newKey = () => `test-key-${Date.now()}-${(counter += 1)}`;

function config(name: string) {
  return {
    name,
    reference_data_id: referenceId,
    field_mappings: [{ source: 'vendor_name', target: 'name', strategy: 'fuzzy', weight: 1 }],
  };
}

const post = (json: unknown, key: string | undefined, apiKey = workspace.key) =>
  request(server.url, 'POST', '/v1/matching/configs', { key: apiKey, json, headers: key === undefined ? {} : { 'idempotency-key': key } });

async function configCount(name: string, apiKey = workspace.key): Promise<number> {
  const response = await request(server.url, 'GET', '/v1/matching/configs?limit=100', { key: apiKey });
  return response.body.data.filter((item: { name: string }) => item.name === name).length;
}

describe('Idempotency-Key on REST writes', () => {
  it('replays the first response (status, body) with Idempotent-Replayed: true, and creates one config', async () => {
    const key = newKey();
    const first = await post(config('replayed'), key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await post(config('replayed'), key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(JSON.stringify(again.body)).toBe(JSON.stringify(first.body));
    expect(await configCount('replayed')).toBe(1);
  });

  it('answers the same key with another body with 422 idempotency_mismatch', async () => {
    const key = newKey();
    expect((await post(config('mismatch-a'), key)).status).toBe(201);
    const other = await post(config('mismatch-b'), key);
    expect(other.status).toBe(422);
    expectErrorShape(other.body, 'idempotency_mismatch');
    // Another path with the same key is another request too.
    const elsewhere = await request(server.url, 'POST', '/v1/reference-data', {
      key: workspace.key,
      json: { name: 'x', data: [{ a: 1 }] },
      headers: { 'idempotency-key': key },
    });
    expect(elsewhere.status).toBe(422);
    expect(await configCount('mismatch-b')).toBe(0);
  });

  it('runs concurrent requests with one key once (the others get the replay or 409 conflict)', async () => {
    const key = newKey();
    const responses = await Promise.all(Array.from({ length: 6 }, () => post(config('concurrent'), key)));
    const created = responses.filter((response) => response.status === 201);
    const inProgress = responses.filter((response) => response.status === 409);
    expect(created.length + inProgress.length).toBe(responses.length);
    expect(created.filter((response) => response.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    for (const response of created) expect(response.body.id).toBe(created[0]!.body.id);
    for (const response of inProgress) {
      expectErrorShape(response.body, 'conflict');
      expect(response.body.message).toMatch(/Idempotency-Key is in progress/);
      expect(response.body.retryable).toBe(true);
    }
    expect(await configCount('concurrent')).toBe(1);
    // Once done, a retry gets the replay.
    const after = await post(config('concurrent'), key);
    expect(after.status).toBe(201);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(after.body.id).toBe(created[0]!.body.id);
  });

  it('scopes keys per workspace', async () => {
    const key = newKey();
    expect((await post(config('scoped'), key)).status).toBe(201);
    const other = await server.newWorkspace('other');
    const reference = await request(server.url, 'POST', '/v1/reference-data', {
      key: other.key,
      json: { name: 'R', data: [{ name: 'a' }] },
    });
    const theirs = await post({ ...config('scoped'), reference_data_id: reference.body.id }, key, other.key);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(await configCount('scoped', other.key)).toBe(1);
  });

  it('replays a client error of an executed request as it was, and writes without the header are not deduplicated', async () => {
    const key = newKey();
    const patchMissing = () =>
      request(server.url, 'PATCH', '/v1/matching/configs/00000000-0000-4000-8000-000000000000', {
        key: workspace.key,
        json: { name: 'x' },
        headers: { 'idempotency-key': key },
      });
    const notFound = await patchMissing();
    expect(notFound.status, JSON.stringify(notFound.body)).toBe(404);
    const again = await patchMissing();
    expect(again.status).toBe(404);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(notFound.body);

    expect((await post(config('plain'), undefined)).status).toBe(201);
    expect((await post(config('plain'), undefined)).status).toBe(201);
    expect(await configCount('plain')).toBe(2);
  });

  it('works for PATCH and DELETE, and ignores the header on GET', async () => {
    const created = await post(config('to-delete'), undefined);
    const path = `/v1/matching/configs/${created.body.id}`;
    const patchKey = newKey();
    const patch = (name: string) =>
      request(server.url, 'PATCH', path, { key: workspace.key, json: { name }, headers: { 'idempotency-key': patchKey } });
    const patched = await patch('renamed');
    expect(patched.status).toBe(200);
    expect((await patch('renamed')).body).toEqual(patched.body);
    expect((await patch('renamed-again')).status).toBe(422);

    const deleteKey = newKey();
    const remove = () => request(server.url, 'DELETE', path, { key: workspace.key, headers: { 'idempotency-key': deleteKey } });
    const removed = await remove();
    expect(removed.status).toBe(200);
    const replayed = await remove();
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toEqual(removed.body);
    // Without the key the second delete is a plain 404.
    expect((await request(server.url, 'DELETE', path, { key: workspace.key })).status).toBe(404);

    const read = await request(server.url, 'GET', '/v1/matching/configs', { key: workspace.key, headers: { 'idempotency-key': 'x' } });
    expect(read.status).toBe(200);
    expect(read.headers.get('idempotent-replayed')).toBeNull();
  });

  it('keys uploads by the key, method and path (the body is not hashed)', async () => {
    const key = newKey();
    const upload = (content: string) =>
      request(server.url, 'POST', '/v1/reference-data', {
        key: workspace.key,
        body: uploadForm(content, 'vendors.csv', { name: 'uploaded' }),
        headers: { 'idempotency-key': key },
      });
    const first = await upload('id,name\n1,Acme\n');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const second = await upload('id,name\n1,Acme\n2,Globex\n');
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
  });

  it('forgets a key after 24 hours, and takes over a claim abandoned mid-request', async () => {
    const key = newKey();
    const first = await post(config('expired-a'), key);
    expect(first.status).toBe(201);
    await server.app.sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = ${key}`;
    const reused = await post(config('expired-b'), key);
    expect(reused.status).toBe(201);
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
    expect(reused.body.id).not.toBe(first.body.id);

    const abandoned = newKey();
    const [apiKey] = await server.app.sql<{ id: string }[]>`select id from api_keys where key_hash = ${hashApiKey(workspace.key)}`;
    await server.app.sql`
      insert into idempotency_keys (workspace_id, api_key_id, key, request_hash, status, created_at)
      values (${workspace.id}, ${apiKey!.id}, ${abandoned}, 'whatever', 'in_progress', now() - interval '11 minutes')`;
    const taken = await post(config('abandoned'), abandoned);
    expect(taken.status).toBe(201);
    expect((await post(config('abandoned'), abandoned)).headers.get('idempotent-replayed')).toBe('true');
    // A fresh claim of the same request (another process is running it) is in progress: 409.
    const busy = newKey();
    const hash = requestHash('POST', '/v1/matching/configs', Buffer.from(JSON.stringify(config('busy'))));
    await server.app
      .sql`insert into idempotency_keys (workspace_id, api_key_id, key, request_hash) values (${workspace.id}, ${apiKey!.id}, ${busy}, ${hash})`;
    const conflict = await post(config('busy'), busy);
    expect(conflict.status).toBe(409);
    expectErrorShape(conflict.body, 'conflict');
    expect(await configCount('busy')).toBe(0);
  });

  it('stores no validation failure (400, 413, 415): the same key then runs the request', async () => {
    const key = newKey();
    const invalid = await post({ name: 'broken' }, key);
    expect(invalid.status).toBe(400);
    expectErrorShape(invalid.body, 'validation_error');
    const unparsable = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      body: '{"name":',
      headers: { 'idempotency-key': key, 'content-type': 'application/json' },
    });
    expect(unparsable.status).toBe(400);
    expect(unparsable.headers.get('idempotent-replayed')).toBeNull();
    const wrongType = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      body: 'name=x',
      headers: { 'idempotency-key': key, 'content-type': 'text/plain' },
    });
    expect(wrongType.status).toBe(415);
    // Neither the 400s nor the 415 were kept: the key is free for the fixed request, which runs (201, not a replay).
    const fixed = await post(config('fixed-later'), key);
    expect(fixed.status, JSON.stringify(fixed.body)).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
    expect(await configCount('fixed-later')).toBe(1);
  });

  it('a read-only key gets 403 insufficient_scope, not the replay, on a key a write key used', async () => {
    const readOnly = await workspace.keyWithScopes(['read']);
    const key = newKey();
    const hook = { url: 'https://example.org/x' };
    const written = await request(server.url, 'POST', '/v1/webhooks', {
      key: workspace.key,
      json: hook,
      headers: { 'idempotency-key': key },
    });
    expect(written.status, JSON.stringify(written.body)).toBe(201);
    expect(written.body.secret).toMatch(/^whsec_/);
    for (const json of [hook, { url: 'https://example.org/other' }]) {
      const replay = await request(server.url, 'POST', '/v1/webhooks', { key: readOnly, json, headers: { 'idempotency-key': key } });
      expect(replay.status, JSON.stringify(replay.body)).toBe(403);
      expectErrorShape(replay.body, 'insufficient_scope');
      expect(replay.body.message).toBe('This API key lacks the "write" scope.');
      expect(replay.headers.get('idempotent-replayed')).toBeNull();
      expect(JSON.stringify(replay.body)).not.toContain(written.body.secret);
    }
    // The write key still gets its own replay.
    const again = await request(server.url, 'POST', '/v1/webhooks', {
      key: workspace.key,
      json: hook,
      headers: { 'idempotency-key': key },
    });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(written.body);
  });

  it("a read-only key's 403 does not poison the key for the write key", async () => {
    const readOnly = await workspace.keyWithScopes(['read']);
    const key = newKey();
    for (let i = 0; i < 2; i++) {
      const refused = await post(config('poisoned'), key, readOnly);
      expect(refused.status).toBe(403);
      expectErrorShape(refused.body, 'insufficient_scope');
      expect(refused.headers.get('idempotent-replayed')).toBeNull();
    }
    const written = await post(config('poisoned'), key);
    expect(written.status, JSON.stringify(written.body)).toBe(201);
    expect(written.headers.get('idempotent-replayed')).toBeNull();
    expect(await configCount('poisoned')).toBe(1);
    expect((await server.app.sql`select 1 from idempotency_keys where key = ${key}`).length).toBe(1);
  });

  it('keeps stored responses per API key: another write key of the workspace runs its own request', async () => {
    const otherWriter = await workspace.keyWithScopes(['read', 'write']);
    const key = newKey();
    const first = await post(config('per-key-a'), key);
    expect(first.status).toBe(201);
    // Not a replay of the first key's response, and not a 422 telling that the key was used with another body.
    const mine = await post(config('per-key-b'), key, otherWriter);
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    expect(mine.headers.get('idempotent-replayed')).toBeNull();
    expect(mine.body.id).not.toBe(first.body.id);
    expect((await post(config('per-key-b'), key, otherWriter)).body).toEqual(mine.body);
  });

  it('rejects an invalid Idempotency-Key with 400 validation_error', async () => {
    for (const bad of ['x'.repeat(256), 'tab\there', 'caf\u00e9']) {
      const response = await post(config('bad-key'), bad);
      expect(response.status, bad).toBe(400);
      expectErrorShape(response.body, 'validation_error');
      expect(response.body.message).toMatch(/Idempotency-Key/);
    }
    expect(await configCount('bad-key')).toBe(0);
    expect((await post(config('long-key'), 'k'.repeat(255))).status).toBe(201);
  });
});
