/**
 * The CLI's REST client: the server URL and API key from the options or the environment, JSON requests, and the
 * API's error body turned into one readable message.
 */
import type { Readable } from 'node:stream';

export const DEFAULT_URL = 'http://localhost:4000';

export interface Connection {
  url: string;
  key: string;
}

/** A usage problem (exit code 2), as opposed to an error of the server or the run (exit code 1). */
export class UsageError extends Error {}

/** The API answered with an error body (`{code, message, details}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function connection(
  options: { url?: string | undefined; key?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  const key = options.key ?? env.CONCORD_API_KEY;
  if (!key) throw new UsageError('An API key is needed: pass --key <key> or set CONCORD_API_KEY.');
  const raw = options.url ?? env.CONCORD_URL ?? DEFAULT_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url / CONCORD_URL is not a URL: "${raw}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url / CONCORD_URL must be http(s): "${raw}".`);
  return { url: url.href.replace(/\/+$/, ''), key };
}

/** An error message with its details as a person reads them: `message (path: why; path: why)`. */
export function withDetails(message: string, details: Array<{ path: string; message: string }> | undefined): string {
  const text = details?.map((detail) => `${detail.path ? `${detail.path}: ` : ''}${detail.message}`).join('; ');
  return text ? `${message} (${text})` : message;
}

export async function apiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { code?: string; message?: string; details?: Array<{ path: string; message: string }> };
    return new ApiError(response.status, body.code ?? 'error', withDetails(body.message ?? response.statusText, body.details));
  } catch {
    return new ApiError(response.status, 'error', `HTTP ${response.status} ${text.slice(0, 200)}`.trim());
  }
}

/** fetch with the key; a refused connection says which URL was tried. */
export async function send(
  conn: Connection,
  method: string,
  path: string,
  init: { json?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${conn.key}`, ...init.headers };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(`${conn.url}${path}`, { method, headers, ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `cannot reach Concord at ${conn.url} (${cause?.code ?? cause?.message ?? (error as Error).message}); set --url or CONCORD_URL`,
    );
  }
}

export async function json<T>(conn: Connection, method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(conn, method, path, body === undefined ? {} : { json: body });
  if (!response.ok) throw await apiError(response);
  return (await response.json()) as T;
}

/** The response body as a Node stream (CSV exports). */
export async function download(conn: Connection, path: string): Promise<Readable> {
  const response = await send(conn, 'GET', path);
  if (!response.ok) throw await apiError(response);
  const { Readable } = await import('node:stream');
  return Readable.fromWeb(response.body! as import('node:stream/web').ReadableStream<Uint8Array>);
}
