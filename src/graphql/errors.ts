/**
 * Typed errors (src/errors.ts) in GraphQL, the one place they are mapped to it: as results, the Error interface and
 * the error object types that fields declaring `errors` return (the errors plugin); as GraphQL errors,
 * toGraphQLError, for those that escape a field (auth failures, errors of fields without result types, Pothos' own
 * input checks), with the REST `code` in their extensions.
 */
import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import {
  AppError,
  ConflictError,
  fromDatabaseError,
  IndexBuildingError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from '../errors';
import { builder } from './builder';

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
    path: t.exposeString('path', {
      description:
        'Where in the input, e.g. fieldMappings[0].weight (REST shows the same path in snake_case); a key the client chose is quoted as sent: queries["q0"].',
    }),
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
  if (original instanceof PothosValidationError)
    return new GraphQLError(original.message, { extensions: { code: 'validation_error', statusCode: 400 } });
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
