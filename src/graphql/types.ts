import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { AppError, ConflictError, fromDatabaseError, IndexBuildingError, NotFoundError, PayloadTooLargeError, ValidationError } from '../errors';
import { builder } from './builder';

builder.queryType({
  description: 'Read the workspace of the calling API key (needs the `read` scope).',
  authScopes: { read: true },
});
builder.mutationType({
  description: 'Change the workspace of the calling API key (needs the `write` scope).',
  authScopes: { write: true },
});

builder.scalarType('DateTime', {
  description: 'An ISO 8601 timestamp in UTC with milliseconds, e.g. 2024-10-02T14:00:00.000Z.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO 8601 timestamp.');
    return date;
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

builder.scalarType('File', {
  description: 'A file sent with the GraphQL multipart request specification.',
  serialize: () => {
    throw new GraphQLError('File is an input-only scalar.');
  },
  parseValue: (value) => {
    // yoga hands over its own File implementation, so check the shape rather than the class.
    const file = value as Partial<File> | null;
    if (!file || typeof file !== 'object' || typeof file.stream !== 'function' || typeof file.name !== 'string') {
      throw new GraphQLError('Expected a file upload (GraphQL multipart request).');
    }
    return value as File;
  },
});

const ErrorInterface = builder.interfaceRef<AppError>('Error').implement({
  description: 'What every typed error result has.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'A sentence for people.' }),
    code: t.exposeString('code', { description: 'Stable, lower-case machine code (the REST `code`).' }),
  }),
});

const ErrorDetail = builder.objectRef<{ path: string; message: string }>('ErrorDetail').implement({
  description: 'One problem of an input, at the path where it is.',
  fields: (t) => ({
    path: t.exposeString('path', { description: 'Where in the input, e.g. fieldMappings[0].weight (REST shows the same path in snake_case).' }),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input is invalid; `details` says where.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    details: t.field({ type: [ErrorDetail], resolve: (error) => error.details ?? [] }),
  }),
});
builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'Nothing with this id exists in your workspace.',
  interfaces: [ErrorInterface],
});
builder.objectType(ConflictError, {
  name: 'ConflictError',
  description: 'The request conflicts with the current state of the resource.',
  interfaces: [ErrorInterface],
});
builder.objectType(PayloadTooLargeError, {
  name: 'PayloadTooLargeError',
  description: 'The upload exceeds the size limit.',
  interfaces: [ErrorInterface],
});

/** Typed errors that escape a field (auth errors, for instance) become GraphQL errors with the REST code. */
export function toGraphQLError(error: unknown): GraphQLError | undefined {
  const raw = error instanceof GraphQLError ? error.originalError : error;
  const original = fromDatabaseError(raw) ?? raw;
  // Pothos' own input checks (first < 0, last without before…) are the client's mistake, not a 500.
  if (original instanceof PothosValidationError) return new GraphQLError(original.message, { extensions: { code: 'validation_error', statusCode: 400 } });
  if (!(original instanceof AppError)) return undefined;
  return new GraphQLError(original.message, {
    extensions: {
      code: original.code,
      statusCode: original.statusCode,
      ...(original.details ? { details: original.details } : {}),
      ...(original instanceof IndexBuildingError ? { retryable: true, retryAfter: original.retryAfterSeconds } : {}),
    },
  });
}
