/**
 * Webhook targets that are not public addresses, through a real server with the default settings (no
 * WEBHOOK_ALLOWED_HOSTS): refused when saved (POST and PATCH /v1/webhooks) and by POST /v1/webhooks/:id/test for an
 * endpoint stored earlier (under another WEBHOOK_ALLOWED_HOSTS), without a connection, so the answer tells no status
 * code, error code or port. Then WEBHOOK_ALLOWED_HOSTS=localhost, the way to allow a receiver during development.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErrorShape, request } from '../support/http';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let port = '';

beforeAll(async () => {
  server = await startTestServer();
  port = new URL(server.url).port;
});

afterAll(async () => {
  await server?.close();
});

/** Each spelling, with the port of the test server itself where one makes sense (it answers, so a leak would show). */
const refused = (): Array<[string, string]> => [
  // loopback, however written
  ['loopback', `http://127.0.0.1:${port}/v1/admin/workspaces`],
  ['loopback 127.1', `http://127.1:${port}/`],
  ['loopback decimal', `http://2130706433:${port}/`],
  ['loopback hex', `http://0x7f000001:${port}/`],
  ['loopback hex dotted', `http://0x7f.0.0.1:${port}/`],
  ['loopback octal', `http://0177.0.0.1:${port}/`],
  ['loopback octal whole', `http://017700000001:${port}/`],
  ['loopback 127/8', `http://127.42.0.1:${port}/`],
  ['loopback trailing dot', `http://127.0.0.1.:${port}/`],
  ['localhost', `http://localhost:${port}/`],
  ['LOCALHOST.', `http://LOCALHOST.:${port}/`],
  ['*.localhost', `http://api.localhost:${port}/`],
  ['loopback IPv6', `http://[::1]:${port}/`],
  ['loopback IPv6 long', `http://[0:0:0:0:0:0:0:1]:${port}/`],
  ['loopback IPv4-mapped', `http://[::ffff:127.0.0.1]:${port}/`],
  ['loopback IPv4-mapped hex', `http://[::ffff:7f00:1]:${port}/`],
  ['loopback IPv4-compatible', `http://[::127.0.0.1]:${port}/`],
  // RFC 1918
  ['10/8', 'http://10.0.0.5:8080/concord'],
  ['172.16/12', 'http://172.16.0.1/'],
  ['172.31', 'https://172.31.255.254/'],
  ['192.168/16', 'http://192.168.1.1/'],
  ['RFC 1918 IPv4-mapped', 'http://[::ffff:10.0.0.5]/'],
  // CGNAT 100.64/10, Alibaba Cloud metadata
  ['CGNAT', 'http://100.64.0.1/'],
  ['metadata 100.100.100.200', 'http://100.100.100.200/latest/meta-data/'],
  // 192.0.0.0/24, Oracle Cloud metadata
  ['192.0.0.0/24', 'http://192.0.0.1/'],
  ['metadata 192.0.0.192', 'http://192.0.0.192/latest/'],
  // link-local, cloud metadata
  ['metadata 169.254.169.254', 'http://169.254.169.254/latest/meta-data'],
  ['metadata decimal', 'http://2852039166/'],
  ['link-local IPv6', 'http://[fe80::1]:8080/'],
  // unique local fc00::/7, AWS IPv6 metadata
  ['metadata [fd00:ec2::254]', 'http://[fd00:ec2::254]/latest/meta-data/'],
  ['ULA fc00::', 'http://[fc00::1]/'],
  // NAT64 64:ff9b::/96
  ['metadata NAT64 [64:ff9b::a9fe:a9fe]', 'http://[64:ff9b::a9fe:a9fe]/'],
  ['NAT64 loopback', `http://[64:ff9b::7f00:1]:${port}/`],
  // IPv4-compatible and mapped IPv6 carrying the metadata address
  ['metadata [::a9fe:a9fe]', 'http://[::a9fe:a9fe]/'],
  ['metadata [::169.254.169.254]', 'http://[::169.254.169.254]/'],
  ['metadata [::ffff:169.254.169.254]', 'http://[::ffff:169.254.169.254]/'],
  // multicast
  ['multicast', 'http://224.0.0.1/'],
  ['multicast SSDP', 'http://239.255.255.250:1900/'],
  ['multicast IPv6', 'http://[ff02::1]/'],
  // "this host", broadcast and reserved ranges
  ['0.0.0.0', `http://0.0.0.0:${port}/`],
  ['0', `http://0:${port}/`],
  ['unspecified IPv6', `http://[::]:${port}/`],
  ['broadcast', 'http://255.255.255.255/'],
  ['240/4', 'http://240.0.0.1/'],
  ['TEST-NET-1', 'http://192.0.2.1/'],
  ['benchmarking', 'http://198.18.0.1/'],
  ['documentation IPv6', 'http://[2001:db8::1]/'],
];

const NOT_PUBLIC =
  /is not a public address \(\w+\); name it in WEBHOOK_ALLOWED_HOSTS to allow it$|is this machine \(loopback\); name it in WEBHOOK_ALLOWED_HOSTS/;

describe('webhook URLs that are not public addresses (default settings)', () => {
  it('are refused when saved: POST /v1/webhooks and PATCH /v1/webhooks/:id answer 400 validation_error on url', async () => {
    const { key } = await server.newWorkspace('refused-at-save');
    const existing = await request(server.url, 'POST', '/v1/webhooks', { key, json: { url: 'https://example.com/hook' } });
    expect(existing.status).toBe(201);
    for (const [name, url] of refused()) {
      const created = await request(server.url, 'POST', '/v1/webhooks', { key, json: { url } });
      expect(created.status, `${name}: ${url}`).toBe(400);
      expectErrorShape(created.body, 'validation_error');
      expect(created.body.details, `${name}: ${url}`).toEqual([{ path: 'url', message: expect.stringMatching(NOT_PUBLIC) }]);
      const patched = await request(server.url, 'PATCH', `/v1/webhooks/${existing.body.id}`, { key, json: { url } });
      expect(patched.status, `${name}: ${url}`).toBe(400);
      expect(patched.body.details, `${name}: ${url}`).toEqual([{ path: 'url', message: expect.stringMatching(NOT_PUBLIC) }]);
    }
    const list = await request(server.url, 'GET', '/v1/webhooks?limit=100', { key });
    expect(list.body.data.map((hook: any) => hook.url)).toEqual(['https://example.com/hook']);
  });

  it('are not connected to by POST /v1/webhooks/:id/test: no status code, error code or port in the answer', async () => {
    const workspace = await server.newWorkspace('refused-at-test');
    for (const [name, url] of refused()) {
      // Saved earlier (say, while WEBHOOK_ALLOWED_HOSTS named it): stored as the URL parser writes it.
      const [row] = await server.app.sql<{ id: string }[]>`
        insert into webhook_endpoints (workspace_id, url, secret, events)
        values (${workspace.id}, ${new URL(url).href}, 'whsec_test', ${server.app.sql.json(['run.completed'])})
        returning id`;
      const tested = await request(server.url, 'POST', `/v1/webhooks/${row!.id}/test`, { key: workspace.key });
      expect(tested.status, `${name}: ${url}`).toBe(200);
      expect(tested.body, `${name}: ${url}`).toEqual({
        delivered: false,
        status_code: null,
        error: expect.stringMatching(NOT_PUBLIC),
        duration_ms: expect.any(Number),
      });
      expect(tested.body.error).not.toMatch(/HTTP|ECONN|EHOST|ENET|timeout|no answer/i);
      expect(tested.body.error).not.toContain(`:${port}`);
    }
  });

  it('public addresses and names are accepted', async () => {
    const { key } = await server.newWorkspace('public');
    for (const url of [
      'https://example.com/hook',
      'https://93.184.215.14/hook',
      'https://[2606:4700::1111]/',
      'http://169.255.0.1/',
      'http://100.128.0.1/',
      'http://[::ffff:93.184.215.14]/',
    ]) {
      const created = await request(server.url, 'POST', '/v1/webhooks', { key, json: { url } });
      expect(created.status, `${url}: ${JSON.stringify(created.body)}`).toBe(201);
    }
  });
});

describe('WEBHOOK_ALLOWED_HOSTS=localhost (a receiver on the same machine, for development)', () => {
  let local: TestServer;
  let receiver: Server;
  let receiverPort = 0;
  const paths: string[] = [];

  beforeAll(async () => {
    local = await startTestServer({ WEBHOOK_ALLOWED_HOSTS: 'localhost' });
    receiver = createServer((req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverPort = (receiver.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    await local?.close();
  });

  it('lets localhost be saved and tested, and nothing else', async () => {
    const { key } = await local.newWorkspace('dev');
    const created = await request(local.url, 'POST', '/v1/webhooks', { key, json: { url: `http://localhost:${receiverPort}/dev` } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const tested = await request(local.url, 'POST', `/v1/webhooks/${created.body.id}/test`, { key });
    expect(tested.body).toMatchObject({ delivered: true, status_code: 204, error: null });
    expect(paths).toEqual(['/dev']);
    const other = await request(local.url, 'POST', '/v1/webhooks', { key, json: { url: 'https://example.com/hook' } });
    expect(other.body.details).toEqual([{ path: 'url', message: 'the host "example.com" is not in WEBHOOK_ALLOWED_HOSTS' }]);
  });
});
