import { GraphQLError, parse, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createContext, type App, type Context } from '../../context';
import { UnauthorizedError } from '../../errors';
import { toGraphQLError } from '../../graphql/errors';
import { countRequest, type RateLimitState } from '../../modules/limits/rate-limit';
import type { Actor } from '../../modules/workspaces/actor';
import { depthAndCostRule, maxAliasesRule, tooComplex } from './graphql-rules';
import { rateLimitHeaders } from './headers';
import { unknownVariableFields } from './graphql-variables';

/** The GraphQL error of a request over its key's budget (HTTP: status 429 with Retry-After and X-RateLimit-*). */
export function rateLimitedGraphQLError(state: RateLimitState, http = true): GraphQLError {
  const extensions: Record<string, unknown> = { code: 'rate_limited', retryAfter: state.resetSeconds };
  // yoga turns `http` into the response status and headers, and leaves it out of the body.
  if (http) extensions.http = { status: 429, headers: rateLimitHeaders(state) };
  return new GraphQLError(`Too many requests. Retry in ${state.resetSeconds} s (the Retry-After header over HTTP).`, { extensions });
}

/** The GraphQL error of an HTTP request with a bad key: status 401 with `WWW-Authenticate: Bearer`. */
function unauthorizedGraphQLError(): GraphQLError {
  const error = toGraphQLError(new UnauthorizedError())!;
  return new GraphQLError(error.message, {
    extensions: { ...error.extensions, http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } },
  });
}

/** Counts a graphql-ws operation (subscribe message) against its key's budget; the error to send back when over it. */
export async function checkOperationRateLimit(context: Context): Promise<GraphQLError | null> {
  const state = await countRequest(context);
  return state?.limited ? rateLimitedGraphQLError(state, false) : null;
}

const SUGGESTION = /\s*Did you mean[\s\S]*$/;

/** The same error (locations, path, extensions, cause) with another message. */
export function withMessage(error: GraphQLError, message: string): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/** Errors without "Did you mean …?" hints (they reveal the schema to callers without a key). */
export function withoutSuggestions<E extends Error>(errors: ReadonlyArray<E>): Array<E | GraphQLError> {
  return errors.map((error) =>
    error instanceof GraphQLError && SUGGESTION.test(error.message) ? withMessage(error, error.message.replace(SUGGESTION, '')) : error,
  );
}

export interface GraphQLLimitsPlugin {
  plugin: Plugin;
  /** The context built for an HTTP request while counting it (the context factory reuses it: one authentication). */
  contextOf(request: Request | undefined): Promise<Context> | undefined;
}

/**
 * Rate limit, size limits and suggestion hiding for GraphQL (HTTP and, through `yoga.getEnveloped`, graphql-ws):
 * - HTTP: each request is authenticated and counted before parsing; over the budget → 429 with a `rate_limited`
 *   error; every response of an authenticated request carries `X-RateLimit-*`.
 * - parse: at most GRAPHQL_MAX_TOKENS tokens; validate: GRAPHQL_MAX_DEPTH, GRAPHQL_MAX_ALIASES, GRAPHQL_MAX_COST,
 *   each rejected with `extensions.code: 'query_too_complex'`.
 * - callers without a valid key get no "Did you mean …" hints in validation or execution errors (graphql-ws:
 *   validation errors are cleaned in websocket.ts).
 */
export function createGraphQLLimits(app: App): GraphQLLimitsPlugin {
  const contexts = new WeakMap<Request, Promise<Context>>();
  const actors = new WeakMap<Request, Actor | null>();
  const states = new WeakMap<Request, RateLimitState>();
  const {
    GRAPHQL_MAX_TOKENS: maxTokens,
    GRAPHQL_MAX_DEPTH: maxDepth,
    GRAPHQL_MAX_ALIASES: maxAliases,
    GRAPHQL_MAX_COST: maxCost,
  } = app.settings;
  const rules = [depthAndCostRule(maxDepth, maxCost), maxAliasesRule(maxAliases)];

  const actorOf = (context: Record<string, unknown>): Actor | null => {
    if (context.actor !== undefined) return context.actor as Actor | null;
    const request = context.request as Request | undefined;
    return request ? (actors.get(request) ?? null) : null;
  };

  const plugin: Plugin = {
    async onParams({ request, setResult }) {
      let pending = contexts.get(request);
      if (!pending) {
        pending = createContext(app, {
          authorization: request.headers.get('authorization'),
          requestId: request.headers.get('x-request-id'),
        });
        contexts.set(request, pending);
      }
      const context = await pending;
      actors.set(request, context.actor);
      // A key that is not one is refused before the operation is even parsed, as a spent budget is (429): GraphQL
      // over HTTP lets a server forbid a request for a reason other than its content with the relevant 4xx, in
      // either media type. Without any key the request runs (introspection needs none; fields needing one fail).
      if (!context.actor && request.headers.has('authorization')) return setResult({ errors: [unauthorizedGraphQLError()] });
      if (!context.actor) return;
      const state = await countRequest(context);
      if (!state) return;
      states.set(request, state);
      if (state.limited) setResult({ errors: [rateLimitedGraphQLError(state)] });
    },
    onResponse({ request, response }) {
      const state = states.get(request);
      if (!state) return;
      for (const [name, value] of Object.entries(rateLimitHeaders(state))) response.headers.set(name, value);
    },
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && /\d+ tokens\. Parsing aborted/.test(error.message)) {
            throw tooComplex(
              `The document has more than ${maxTokens} tokens; at most ${maxTokens} are allowed.`,
              'tokens',
              maxTokens,
              maxTokens + 1,
            );
          }
          throw error;
        }
      });
    },
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
    // Suggestions are removed from the result, not from the validation result: yoga caches that per document, and an
    // anonymous caller must not change what a caller with a key sees (nor the other way round).
    onExecutionResult({ request, result, setResult }) {
      if (actors.get(request) || !result || Symbol.asyncIterator in result) return;
      const single = result as ExecutionResult;
      if (single.errors?.length) setResult({ ...single, errors: withoutSuggestions(single.errors) });
    },
    // Unknown fields in variables are refused before graphql-js coerces them (graphql-variables.ts).
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = unknownVariableFields(args.schema, args.document, args.operationName, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onExecute({ args, setResultAndStopExecution }) {
      const error = unknownVariableFields(args.schema, args.document, args.operationName, args.variableValues);
      if (error) return setResultAndStopExecution({ errors: [error] });
      if (actorOf(args.contextValue as unknown as Record<string, unknown>)) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const single = result as ExecutionResult;
          if (single.errors?.length) setResult({ ...single, errors: withoutSuggestions(single.errors) });
        },
      };
    },
  };

  return { plugin, contextOf: (request) => (request ? contexts.get(request) : undefined) };
}
