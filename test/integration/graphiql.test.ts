/**
 * The GraphiQL page over HTTP, read raw (node:http, no automatic decompression): compressed as the request allows,
 * cached with an ETag (304 on If-None-Match), with a Content-Security-Policy and GraphiQL's storage in sessionStorage.
 * Its behaviour in a browser is test/browser/graphiql.test.ts.
 */
import { request as httpRequest } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEncoding } from '../../src/http/graphiql';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(headers: Record<string, string>, method = 'GET'): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}/graphql`, { method, headers: { accept: 'text/html', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GraphiQL page', () => {
  it('is compressed as Accept-Encoding allows (brotli, gzip or none), the same page each way', async () => {
    const [br, gzip, plain] = await Promise.all([
      get({ 'accept-encoding': 'gzip, deflate, br' }),
      get({ 'accept-encoding': 'gzip' }),
      get({ 'accept-encoding': 'identity' }),
    ]);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(5_000_000); // yoga's self-contained page: about 9 MB
    const html = plain.body.toString('utf8');
    expect(html).toMatch(/graphiql/i);

    expect(br.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    expect(gzip.body.length).toBeLessThan(plain.body.length / 3);
    expect(brotliDecompressSync(br.body).toString('utf8')).toBe(html);
    expect(gunzipSync(gzip.body).toString('utf8')).toBe(html);
    for (const response of [br, gzip, plain]) {
      expect(Number(response.headers['content-length'])).toBe(response.body.length);
      expect(response.headers.vary).toBe('Accept-Encoding');
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    }
    // One ETag per representation.
    expect(new Set([br, gzip, plain].map((response) => response.headers.etag)).size).toBe(3);
  });

  it('has an ETag and Cache-Control, and answers 304 to If-None-Match (HEAD too)', async () => {
    const first = await get({ 'accept-encoding': 'br' });
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('no-cache');

    const again = await get({ 'accept-encoding': 'br', 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(etag);
    expect(again.headers['cache-control']).toBe('no-cache');
    expect((await get({ 'accept-encoding': 'br', 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
    // Another representation's tag does not match.
    expect((await get({ 'accept-encoding': 'gzip', 'if-none-match': etag })).status).toBe(200);

    const head = await get({ 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers.etag).toBe(etag);
  });

  it('carries a Content-Security-Policy (its inline script by hash) and keeps GraphiQL in sessionStorage', async () => {
    const page = await get({ 'accept-encoding': 'identity' });
    const policy = String(page.headers['content-security-policy']);
    expect(policy).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; /);
    expect(policy).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body.toString('utf8')).toContain('storage: window.sessionStorage');
  });

  it('leaves GraphQL requests to the API', async () => {
    const response = await fetch(`${server.url}/graphql?query=%7B__typename%7D`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('Accept-Encoding', () => {
  it('prefers brotli, then gzip; q=0 refuses a coding; * stands for the others', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('gzip;q=1.0, br;q=0')).toBe('gzip');
    expect(chooseEncoding('identity')).toBe('identity');
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('*;q=0, gzip')).toBe('gzip');
    expect(chooseEncoding('BR')).toBe('br');
  });
});
