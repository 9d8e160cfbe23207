import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { App } from '../context';
import { preloadWarmIndexes } from '../modules/realtime/warm-indexes';
import { preloadSource } from '../modules/realtime/service';
import { answerClientError } from './client-error';
import { createRestHandler } from './rest';
import { createGraphQLServer } from './graphql';
import { createGraphiQLHandler } from './graphiql';
import { attachGraphQLWebSocket } from './websocket';
import { instrumentRequest, setRoutePattern } from '../observability/http';
import { createStaticHandler } from './static';
import { watchRevocations } from '../modules/workspaces/revocation';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  /**
   * Closes graphql-ws subscriptions (code 1001), stops accepting connections and lets requests in flight finish for
   * up to `graceMs` (default 1000) before cutting them (SSE streams included).
   */
  close(graceMs?: number): Promise<void>;
}

export interface ServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to bind. */
  host: string;
}

export async function startServer(app: App, options: ServerOptions): Promise<RunningServer> {
  const yoga = createGraphQLServer(app);
  const rest = createRestHandler(app);
  // The dashboard and docs pages (web/dist); it declines the API's paths, which fall through to REST.
  const serveStatic = createStaticHandler({ onServe: setRoutePattern });
  const serveGraphiQL = createGraphiQLHandler();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const graphqlPath = path === '/graphql' || path.startsWith('/graphql/');
    instrumentRequest(app, request, response, graphqlPath ? '/graphql' : undefined);
    if (graphqlPath) {
      // The GraphiQL page (an HTML GET) is served compressed and cached by its own handler; the rest is yoga's.
      void serveGraphiQL(request, response).then(
        (served) => (served ? undefined : yoga(request, response)),
        (error: unknown) => {
          app.logger.error({ err: error }, 'GraphiQL page failed');
          if (response.headersSent) response.destroy();
          else response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('The GraphiQL page could not be built.');
        },
      );
      return;
    }
    void serveStatic(request, response).then(
      (served) => (served ? undefined : rest(request, response)),
      () => (response.headersSent ? void response.destroy() : rest(request, response)),
    );
  });
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);

  // Revocations from any process: forget the key's cached lookup, fail its running subscriptions.
  await watchRevocations(app);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  // Attached once listening: a WebSocket server re-emits its HTTP server's errors, and graphql-ws reported a port
  // already in use as an "internal error" of ours.
  const wsServer = new WebSocketServer({ server, path: '/graphql' });
  const disposeWebSocket = attachGraphQLWebSocket(wsServer, yoga);
  // PRELOAD_INDEXES: warm indexes built in the background once listening (requests meanwhile wait or get 503).
  void preloadWarmIndexes(app, (id) => preloadSource(app, id));
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;

  return {
    url: `http://${shownHost}:${port}`,
    port,
    server,
    async close(graceMs = 1000) {
      // No new connections; idle keep-alive connections go now, requests in flight get graceMs to finish.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await disposeWebSocket(graceMs);
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
