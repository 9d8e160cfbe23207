import { randomUUID } from 'node:crypto';
import type { Settings } from './config';
import type { Database } from './db/client';
import type { Logger } from './logger';
import type { Actor } from './modules/workspaces/actor';
import { authenticate } from './modules/workspaces/service';
import type postgres from 'postgres';

/** The long-lived resources of one process, shared by every request. */
export interface App {
  db: Database;
  sql: postgres.Sql;
  settings: Settings;
  logger: Logger;
}

/** Per request (HTTP, REST or WebSocket operation). Built by the one factory below. */
export interface Context extends App {
  requestId: string;
  actor: Actor | null;
}

export interface ContextInput {
  /** The Authorization header (HTTP) or the `authorization` entry of graphql-ws' connection_init payload. */
  authorization?: string | null;
  requestId?: string | null;
}

export function bearerToken(authorization: string | null | undefined): string | null {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}

/**
 * A client's `X-Request-Id` when it is 1–128 letters, digits, `.`, `_`, `:` or `-` (it goes into headers, error
 * bodies and log lines), else undefined: the caller then generates one.
 */
export function requestIdFrom(header: unknown): string | undefined {
  return typeof header === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(header) ? header : undefined;
}

export async function createContext(app: App, input: ContextInput): Promise<Context> {
  const token = bearerToken(input.authorization);
  const actor = token ? await authenticate(app.db, token) : null;
  const requestId = requestIdFrom(input.requestId) ?? randomUUID();
  return { ...app, requestId, actor };
}
