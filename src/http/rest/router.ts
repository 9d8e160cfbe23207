import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Context } from '../../context';
import { ValidationError } from '../../errors';

export interface RestRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  raw: IncomingMessage;
  context: Context;
  /** The JSON body (an empty body is `{}`), within MAX_JSON_BYTES. */
  json(): Promise<unknown>;
}

export type RestResponse =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { status: number; stream: Readable | AsyncIterable<string | Uint8Array>; contentType: string; headers?: Record<string, string> };

export type RestHandler = (request: RestRequest) => Promise<RestResponse>;

export interface Route {
  method: string;
  pattern: string;
  handler: RestHandler;
  /** Routes that do their own authentication (admin, health). Default false: a bearer key is required. */
  public?: boolean;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(method: string, pattern: string, handler: RestHandler, options: { public?: boolean } = {}): this {
    const names: string[] = [];
    const source = pattern.replace(/:([a-z_]+)/g, (_match, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern, handler, names, regex: new RegExp(`^${source}/?$`), ...options });
    return this;
  }

  /** The route for a method and path; `allowed` lists the methods of a path that exists under another method. */
  match(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | { allowed: string[] } | undefined {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const found = route.regex.exec(path);
      if (!found) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        const raw = found[index + 1] ?? '';
        try {
          params[name] = decodeURIComponent(raw);
        } catch {
          // `%`, `%E0%A4%A`…: a malformed escape is the client's mistake (URIError was a 500).
          throw new ValidationError(`The path segment "${raw}" is not valid percent-encoding.`, [{ path: name, message: 'invalid percent-encoding' }]);
        }
      });
      return { route, params };
    }
    return allowed.length ? { allowed } : undefined;
  }

  list(): ReadonlyArray<Route> {
    return this.routes;
  }
}
