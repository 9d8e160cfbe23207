import { createClient, type Client } from 'graphql-ws';

/**
 * One graphql-ws connection per API key, on this page's own origin. The key goes in connection_init
 * (`{authorization: "Bearer …"}`), as src/http/websocket.ts expects: browsers cannot set headers on a WebSocket.
 */
let current: { key: string; client: Client } | undefined;
let connections = 0;
const reconnectListeners = new Set<() => void>();

/**
 * Calls `listener` after each reconnection (not the first connection): events sent while the socket was down are
 * lost, so views re-read what they show. Returns the function that stops listening.
 */
export function onReconnect(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

function clientFor(key: string): Client {
  if (current?.key === key) return current.client;
  void current?.client.dispose();
  connections = 0;
  const url = new URL('/graphql', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = createClient({
    url: url.toString(),
    connectionParams: { authorization: `Bearer ${key}` },
    // One socket for the page's lifetime (not closed between views), so a second `connected` means a reconnection.
    lazy: false,
    // A restarted server or a dropped network should not leave the page frozen: reconnect, forever, with backoff.
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    on: {
      connected: () => {
        connections += 1;
        if (connections > 1) for (const listener of reconnectListeners) listener();
      },
    },
  });
  current = { key, client };
  return client;
}

export interface SubscriptionHandlers<T> {
  next(data: T): void;
  error?(error: Error): void;
  complete?(): void;
}

/** Subscribes; returns the function that unsubscribes. */
export function subscribe<T>(
  key: string,
  query: string,
  variables: Record<string, unknown>,
  handlers: SubscriptionHandlers<T>,
): () => void {
  return clientFor(key).subscribe<T>(
    { query, variables },
    {
      next: (message) => {
        if (message.errors?.length) handlers.error?.(new Error(message.errors.map((error) => error.message).join('; ')));
        if (message.data) handlers.next(message.data as T);
      },
      error: (error) => handlers.error?.(error instanceof Error ? error : new Error(describeCloseEvent(error))),
      complete: () => handlers.complete?.(),
    },
  );
}

/** Closes the connection (the key was forgotten). */
export function disconnect(): void {
  void current?.client.dispose();
  current = undefined;
}

function describeCloseEvent(error: unknown): string {
  if (Array.isArray(error)) return error.map((item: { message?: string }) => item.message ?? String(item)).join('; ');
  if (error && typeof error === 'object' && 'reason' in error) return String((error as CloseEvent).reason || 'connection closed');
  return String(error);
}
