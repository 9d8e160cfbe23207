import { ValidationError } from '../../errors';
import type { RestRoute } from './route';

interface CompiledRoute extends RestRoute {
  regex: RegExp;
  names: string[];
}

/** Finds the route of a request in the route table (routes.ts), in the table's order. */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly RestRoute[]) {
    this.routes = routes.map((route) => {
      const names: string[] = [];
      const source = route.pattern.replace(/:([a-z_]+)/g, (_match, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { ...route, names, regex: new RegExp(`^${source}/?$`) };
    });
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

  list(): ReadonlyArray<RestRoute> {
    return this.routes;
  }
}
