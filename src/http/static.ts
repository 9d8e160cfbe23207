import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Serves the built dashboard (web/dist, see web/build.ts): `/` and `/docs`, their assets, and the dashboard page for
 * HTML navigations to its own paths (`/runs/<id>`), so a run can be linked and reloaded. It answers only GET and HEAD
 * outside the API's paths and returns false for everything else, which then goes to the REST handler (JSON 404s
 * included): a typo under /v1 must stay a JSON error, never become an HTML page.
 */

export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Paths that belong to the API, never to the page (GraphQL is routed before this handler runs). */
const API_PREFIXES = ['/v1', '/graphql', '/metrics', '/healthz', '/readyz'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite puts content-hashed bundles under /assets/: their name changes with their content, so they never go stale. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Pages name the current bundles, so they are revalidated on every load (cheap: ETag → 304). */
const REVALIDATE = 'no-cache';

function isApiPath(pathname: string): boolean {
  return API_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/** A navigation wants a page: browsers send `Accept: text/html…` for those, fetch() and API clients do not. */
function wantsHtml(request: IncomingMessage): boolean {
  return (request.headers.accept ?? '').includes('text/html');
}

/**
 * The page may load its own scripts and styles and talk to its own origin only, including the graphql-ws endpoint.
 * `connect-src 'self'` covers ws(s):// of the same host in current browsers; the explicit ws:/wss: origin is for older
 * ones. The host comes from the request and is checked against a strict pattern before it goes into a header.
 */
function contentSecurityPolicy(request: IncomingMessage): string {
  const host = request.headers.host ?? '';
  const sockets = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    `connect-src 'self'${sockets}`,
    "img-src 'self' data: blob:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

interface Loaded {
  body: Buffer;
  etag: string;
}

export interface StaticHandler {
  /** Serves the request and returns true, or returns false without touching the response. */
  (request: IncomingMessage, response: ServerResponse): Promise<boolean>;
}

export interface StaticOptions {
  /** The built pages (default: web/dist of this checkout). */
  distDir?: string;
  /** Told which route pattern served a response (`/`, `/docs`, `/assets/*`, `/*`), for request logs and metrics. */
  onServe?(response: ServerResponse, route: string): void;
}

export function createStaticHandler({ distDir = DEFAULT_DIST_DIR, onServe }: StaticOptions = {}): StaticHandler {
  // Files are read on demand and kept while their size and mtime hold, so a rebuild is picked up without a restart.
  const cache = new Map<string, { size: number; mtimeMs: number; loaded: Loaded }>();

  const root = path.resolve(distDir) + path.sep;

  async function load(file: string): Promise<Loaded | null> {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    const cached = cache.get(file);
    if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) return cached.loaded;
    const body = await readFile(file);
    const loaded = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    cache.set(file, { size: info.size, mtimeMs: info.mtimeMs, loaded });
    return loaded;
  }

  async function loadAs(file: string): Promise<{ path: string; loaded: Loaded } | null> {
    const loaded = await load(file);
    return loaded ? { path: file, loaded } : null;
  }

  /** Which file a path names, or null when it names none (or tries to leave the folder). */
  function fileFor(pathname: string): string | null {
    if (pathname === '/' || pathname === '/index.html') return path.join(root, 'index.html');
    if (pathname === '/docs' || pathname === '/docs/' || pathname === '/docs.html') return path.join(root, 'docs.html');
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes('\0')) return null;
    const file = path.resolve(root, `.${path.posix.normalize(decoded)}`);
    // Only what the build produced: no dot files (the build stamp), nothing outside the folder.
    if (!file.startsWith(root) || path.basename(file).startsWith('.')) return null;
    return file;
  }

  return async function serveStatic(request, response) {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return false;
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    if (isApiPath(pathname)) return false;

    const named = fileFor(pathname);
    let file = named ? await loadAs(named) : null;
    let route = pathname === '/' || pathname === '/docs' ? pathname : pathname.startsWith('/assets/') ? '/assets/*' : '/*';
    // An unknown path without a file extension, asked for as a page: the dashboard, which routes it itself.
    const pageNavigation = wantsHtml(request) && !path.posix.extname(pathname);
    if (!file && pageNavigation) {
      file = await loadAs(path.join(root, 'index.html'));
      route = '/*';
    }
    if (!file && (route === '/' || route === '/docs' || pageNavigation)) {
      onServe?.(response, route);
      return notBuilt(response, method);
    }
    if (!file) return false;
    onServe?.(response, route);

    const extension = path.extname(file.path);
    const html = extension === '.html';
    response.setHeader('content-type', CONTENT_TYPES[extension] ?? 'application/octet-stream');
    response.setHeader('cache-control', !html && file.path.startsWith(`${root}assets${path.sep}`) ? IMMUTABLE : REVALIDATE);
    response.setHeader('etag', file.loaded.etag);
    response.setHeader('x-content-type-options', 'nosniff');
    if (html) {
      response.setHeader('content-security-policy', contentSecurityPolicy(request));
      response.setHeader('referrer-policy', 'no-referrer');
      response.setHeader('x-frame-options', 'DENY');
    }
    if (request.headers['if-none-match'] === file.loaded.etag) {
      response.statusCode = 304;
      response.end();
      return true;
    }
    response.statusCode = 200;
    response.setHeader('content-length', file.loaded.body.length);
    response.end(method === 'HEAD' ? undefined : file.loaded.body);
    return true;
  };
}

/** web/dist is missing (e.g. installed without dev dependencies): say how to build it rather than a bare 404. */
function notBuilt(response: ServerResponse, method: string): true {
  const body = Buffer.from(
    '<!doctype html><meta charset="utf-8"><title>Concord</title><h1>The dashboard is not built</h1>' +
      '<p>Run <code>npm run build:web</code> (needs the dev dependencies), then reload. The API at /v1 and /graphql works without it.</p>',
  );
  response.statusCode = 503;
  response.setHeader('content-type', 'text/html; charset=utf-8');
  response.setHeader('cache-control', 'no-store');
  response.setHeader('content-length', body.length);
  response.end(method === 'HEAD' ? undefined : body);
  return true;
}
