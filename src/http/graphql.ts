import { GraphQLError } from 'graphql';
import { createYoga, maskError as defaultMaskError, useErrorHandler, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createContext, type App, type Context } from '../context';
import { schema } from '../graphql/schema';
import { toGraphQLError } from '../graphql/errors';
import { createGraphQLLimits, withMessage } from './limits/graphql';

/** What yoga hands the context factory: an HTTP request, or graphql-ws' connection (see websocket.ts). */
interface ServerContext {
  request?: Request;
  connectionParams?: Record<string, unknown>;
  upgradeAuthorization?: string;
}

export type GraphQLServer = YogaServerInstance<ServerContext, Context>;

export function createGraphQLServer(app: App): GraphQLServer {
  // Rate limit, depth/alias/token/cost limits, no suggestions without a key (src/http/limits/graphql.ts).
  const limits = createGraphQLLimits(app);
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The GraphiQL page is served before yoga sees the request (src/http/graphiql.ts: self-contained, compressed,
    // cached, with a Content-Security-Policy).
    graphiql: false,
    multipart: true,
    logging: false,
    maskedErrors: {
      maskError: (error, message, isDev) => truncateMessage(toGraphQLError(error) ?? defaultMaskError(error, message, isDev)),
    },
    plugins: [limits.plugin, logUnexpectedErrors(app)],
    context: async ({ request, connectionParams, upgradeAuthorization }) => {
      const counted = limits.contextOf(request);
      if (counted) return counted;
      const fromParams = connectionParams?.authorization ?? connectionParams?.Authorization;
      return createContext(app, {
        authorization: request?.headers.get('authorization') ?? (typeof fromParams === 'string' ? fromParams : upgradeAuthorization),
        requestId: request?.headers.get('x-request-id'),
      });
    },
  });
}

/**
 * Errors that are neither the caller's (typed errors, Pothos' input checks, GraphQL validation) nor expected reach
 * the caller as "Unexpected error." only; their cause goes to the log, with the request id the caller was given.
 */
function logUnexpectedErrors(app: App): Plugin<Context> {
  return useErrorHandler(({ errors, context, phase }) => {
    if (phase !== 'execution') return;
    const requestId = (context as { contextValue?: Partial<Context> }).contextValue?.requestId;
    for (const error of errors) {
      if (!(error instanceof GraphQLError) || !error.originalError || error.originalError instanceof GraphQLError || toGraphQLError(error))
        continue;
      app.logger.error({ err: error.originalError, request_id: requestId, path: error.path?.join('.') }, 'GraphQL operation failed');
    }
  });
}

/**
 * Variable errors print the whole invalid value (the executor's inspect does not shorten objects): a 1 MB variable
 * with many unknown keys came back as 51 errors of 1 MB each (60 MB, seconds of work). Messages are cut at 1,000 chars.
 */
const MAX_ERROR_MESSAGE = 1000;
function truncateMessage(error: Error): Error {
  if (!(error instanceof GraphQLError) || error.message.length <= MAX_ERROR_MESSAGE) return error;
  return withMessage(error, `${error.message.slice(0, MAX_ERROR_MESSAGE)}… (message cut)`);
}
