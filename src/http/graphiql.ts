import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

/**
 * The GraphiQL page on `GET /graphql` (Accept: text/html). It is yoga's self-contained page (no CDN: its 9 MB of
 * script, styles and editor workers are inline), rendered once and served here rather than by yoga, so that it is
 * - compressed: brotli or gzip as the request's Accept-Encoding allows, each compressed once, on first use;
 * - cached: a strong ETag per encoding, `Cache-Control: no-cache` (the browser keeps it and revalidates: 304);
 * - kept to its own origin by a Content-Security-Policy: its one inline script by hash, editor workers from blob:
 *   URLs only, requests to this origin only;
 * - forgetful like the dashboard: GraphiQL keeps its tabs and the Headers tab (where the API key goes) in
 *   `sessionStorage` instead of `localStorage`, so the key does not outlive the browser tab.
 */

const exampleQuery = `# Send your API key as a header (Headers tab below):
#   { "Authorization": "Bearer ck_..." }
query Viewer {
  viewer {
    workspace { name }
    scopes
  }
}
`;

const OPTIONS = {
  title: 'Concord GraphQL explorer',
  endpoint: '/graphql',
  defaultQuery: exampleQuery,
  // No placeholder header: a request with an Authorization header that is not a key is refused with 401, so a
  // placeholder made a fresh tab's schema load fail. Without a header the schema loads; queries need the key.
  // SSE carries the Headers tab (Authorization) with every subscription; a browser WebSocket cannot send headers.
  subscriptionsProtocol: 'SSE',
};

type Encoding = 'br' | 'gzip' | 'identity';

interface Variant {
  body: Buffer;
  etag: string;
}

export interface GraphiQLPage {
  html: string;
  contentSecurityPolicy: string;
}

/**
 * The page with GraphiQL's storage switched to sessionStorage. render-graphiql hands its options to the page as
 * JSON, which cannot carry a Storage object, so the options literal in the page's render call is replaced by one that
 * adds it. Throws when the page no longer has that shape (a render-graphiql upgrade; test/integration/graphiql.test.ts).
 */
export function buildGraphiQLPage(): GraphiQLPage {
  const rendered = renderGraphiQL(OPTIONS as Parameters<typeof renderGraphiQL>[0]);
  const literal = JSON.stringify(OPTIONS);
  const at = rendered.lastIndexOf(literal);
  if (at < 0 || rendered.indexOf('YogaGraphiQL.renderYogaGraphiQL(', at - 200) < 0) {
    throw new Error('The GraphiQL page of @graphql-yoga/render-graphiql has changed: its options are not where expected.');
  }
  const html = `${rendered.slice(0, at)}Object.assign(${literal}, { storage: window.sessionStorage })${rendered.slice(at + literal.length)}`;
  return { html, contentSecurityPolicy: contentSecurityPolicy(html) };
}

/** The inline script by hash; styles inline (the page's own and the editor's, added at run time and in attributes). */
function contentSecurityPolicy(html: string): string {
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (match) => `'sha256-${createHash('sha256').update(match[1]!).digest('base64')}'`,
  );
  if (scripts.length !== 1) throw new Error(`The GraphiQL page has ${scripts.length} inline scripts; expected 1.`);
  return [
    "default-src 'none'",
    `script-src ${scripts.join(' ')}`,
    // Monaco's language services run in workers the page creates from blob: URLs of its inline sources.
    'worker-src blob:',
    "style-src 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** What the request accepts, best first: brotli, then gzip, else none (q=0 refuses a coding). */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((value) => value !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const allows = (coding: string) => (accepted.get(coding) ?? accepted.get('*') ?? 0) > 0;
  if (allows('br')) return 'br';
  if (allows('gzip')) return 'gzip';
  return 'identity';
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

function compress(encoding: Encoding, body: Buffer): Promise<Buffer> {
  // Quality 5 / level 6: 9 MB to about 1.9 / 2.4 MB in well under a second each; the highest settings save 5 %
  // more for several seconds of CPU.
  if (encoding === 'br') {
    return brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  }
  if (encoding === 'gzip') return gzip(body, { level: 6 });
  return Promise.resolve(body);
}

/** Answers GraphiQL page requests (GET/HEAD /graphql asking for HTML) and returns true; false for anything else. */
export function createGraphiQLHandler(): (request: IncomingMessage, response: ServerResponse) => Promise<boolean> {
  let page: GraphiQLPage | undefined;
  const variants = new Map<Encoding, Promise<Variant>>();

  const variant = (encoding: Encoding): Promise<Variant> => {
    let found = variants.get(encoding);
    if (!found) {
      page ??= buildGraphiQLPage();
      const html = Buffer.from(page.html);
      const tag = createHash('sha256').update(html).digest('base64url').slice(0, 27);
      found = compress(encoding, html).then((body) => ({ body, etag: `"${tag}${encoding === 'identity' ? '' : `-${encoding}`}"` }));
      found.catch(() => variants.delete(encoding));
      variants.set(encoding, found);
    }
    return found;
  };

  return async function serveGraphiQL(request, response) {
    const method = request.method ?? 'GET';
    if ((method !== 'GET' && method !== 'HEAD') || !(request.headers.accept ?? '').includes('text/html')) return false;
    const encoding = chooseEncoding(request.headers['accept-encoding']);
    const { body, etag } = await variant(encoding);
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.setHeader('cache-control', 'no-cache');
    response.setHeader('vary', 'Accept-Encoding');
    response.setHeader('etag', etag);
    response.setHeader('content-security-policy', page!.contentSecurityPolicy);
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('referrer-policy', 'no-referrer');
    response.setHeader('x-frame-options', 'DENY');
    if (matchesEtag(request.headers['if-none-match'], etag)) {
      response.statusCode = 304;
      response.end();
      return true;
    }
    if (encoding !== 'identity') response.setHeader('content-encoding', encoding);
    response.statusCode = 200;
    response.setHeader('content-length', body.length);
    response.end(method === 'HEAD' ? undefined : body);
    return true;
  };
}

/** If-None-Match: `*` or a list of tags, weak ones compared weakly (RFC 9110 13.1.2). */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
