import { printSchema } from 'graphql';
import { schema } from './schema';

export const SCHEMA_FILE = 'schema/schema.graphql';

/** The SDL committed in schema/schema.graphql (a test fails when the two differ). */
export function printedSchema(): string {
  return `${printSchema(schema)}\n`;
}
