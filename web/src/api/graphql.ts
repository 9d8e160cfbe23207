/** A tiny GraphQL-over-HTTP client: POST /graphql with the API key, errors turned into exceptions. */

export class ApiError extends Error {
  constructor(
    message: string,
    /** The server's machine code (`unauthorized`, `not_found`, `conflict`…), when it gave one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export async function graphql<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      authorization: `Bearer ${key}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => null)) as GraphQLResponse<T> | null;
  const first = body?.errors?.[0];
  if (first) throw new ApiError(first.message, first.extensions?.code);
  if (!response.ok || !body?.data) throw new ApiError(`The server answered ${response.status}.`);
  return body.data;
}

/** Typed error results (`... on Error { code message }`) share this shape; successes carry `data`. */
export type Outcome<T> = { __typename: string; data: T } | { __typename: string; code: string; message: string };

/** The `data` of a success, or the typed error as an exception, so callers handle one failure path. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if ('data' in outcome) return outcome.data;
  throw new ApiError(outcome.message, outcome.code);
}
