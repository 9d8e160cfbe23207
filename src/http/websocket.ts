import type { IncomingMessage } from 'node:http';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { WebSocketServer } from 'ws';
import type { GraphQLServer } from './graphql';
import { TooManySubscriptionsError } from '../errors';
import { toGraphQLError } from '../graphql/errors';
import { checkOperationRateLimit, withoutSuggestions } from './limits/graphql';

type Enveloped = ReturnType<GraphQLServer['getEnveloped']>;
interface Executors {
  execute: Enveloped['execute'];
  subscribe: Enveloped['subscribe'];
}

/**
 * graphql-ws on the HTTP server's /graphql path; returns the function that closes every subscription (see below). Operations go through `yoga.getEnveloped` so WebSocket operations
 * share the plugins and the context factory of HTTP; the key comes from connection_init's payload
 * (`{authorization: "Bearer …"}`) or from the upgrade request's Authorization header.
 */
export function attachGraphQLWebSocket(wsServer: WebSocketServer, yoga: GraphQLServer): (timeoutMs?: number) => Promise<void> {
  const disposable = useServer<Record<string, unknown>, { request: IncomingMessage }>(
    {
      execute: (args) => (args.rootValue as Executors).execute(args),
      subscribe: (args) => (args.rootValue as Executors).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        // Counted before any await: graphql-ws records each operation in ctx.subscriptions (this one included) as its
        // message arrives and calls this hook at once, so the count follows the order of the messages.
        const running = Object.keys(ctx.subscriptions).length;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          connectionParams: ctx.connectionParams ?? {},
          upgradeAuthorization: ctx.extra.request.headers.authorization,
          params,
        });
        // The context first: each subscribe counts against the key's rate limit, and validation errors of callers
        // without a key carry no suggestions (src/http/limits/graphql.ts).
        const contextValue = await contextFactory();
        const limited = await checkOperationRateLimit(contextValue);
        if (limited) return [limited];
        const perConnection = contextValue.settings.SUBSCRIPTIONS_PER_CONNECTION;
        if (running > perConnection) {
          return [
            toGraphQLError(
              new TooManySubscriptionsError(
                `This connection already runs ${running - 1} operations (SUBSCRIPTIONS_PER_CONNECTION is ${perConnection}); complete one before starting another.`,
              ),
            )!,
          ];
        }
        let document: ExecutionArgs['document'];
        try {
          document = parse(params.query);
        } catch (error) {
          // A syntax error or too many tokens: an error result, not a closed connection.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const args: ExecutionArgs = {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue,
          rootValue: { execute, subscribe } satisfies Executors,
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return contextValue.actor ? errors : withoutSuggestions(errors);
        return args;
      },
    },
    wsServer,
  );
  return async (timeoutMs = 1000) => {
    // graphql-ws' dispose closes every socket with 1001 "Going away" (clients reconnect elsewhere) and resolves once
    // they have all answered the close frame; one that does not answer within timeoutMs is cut off.
    const disposed = (disposable.dispose() as Promise<void>).catch(() => {});
    const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, timeoutMs, 'timeout').unref());
    if ((await Promise.race([disposed, timer])) === 'timeout') for (const socket of wsServer.clients) socket.terminate();
  };
}
