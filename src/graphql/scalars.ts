/** The schema's scalars: DateTime (ISO 8601, UTC, milliseconds), JSON and File (multipart uploads, input only). */
import { GraphQLError } from 'graphql';
import { builder } from './builder';

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
