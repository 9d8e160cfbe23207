import { useEffect, useState } from 'preact/hooks';

/**
 * Two views, two paths: `/` (runs) and `/runs/<run UUID>` (one run). Real paths rather than #hashes so a run can be
 * linked and reloaded; the server answers HTML navigations to unknown paths with this page (src/http/static.ts).
 */
export type Route = { view: 'runs' } | { view: 'run'; runId: string };

export function parseRoute(pathname: string): Route {
  const match = /^\/runs\/([^/]+)\/?$/.exec(pathname);
  return match?.[1] ? { view: 'run', runId: decodeURIComponent(match[1]) } : { view: 'runs' };
}

export function navigate(path: string): void {
  if (window.location.pathname === path) return;
  window.history.pushState(null, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return route;
}
