import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { docPages, fencedBlocks } from '../support/docs';

const root = path.resolve(import.meta.dirname, '../..');
const schema = buildSchema(readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8'));
/** Every ```graphql block of the README and docs/, named by its page and its number there. */
const examples = docPages().flatMap((page) =>
  fencedBlocks(page.text, 'graphql').map((block, index) => [`${page.file} #${index}`, block] as const),
);

describe('GraphQL examples in the README and docs/', () => {
  it('has examples, including a subscription', () => {
    expect(examples.length).toBeGreaterThan(1);
    expect(examples.map(([, block]) => block).join('\n')).toMatch(/subscription/);
  });

  it.each(examples)('%s is valid against schema/schema.graphql', (_name, block) => {
    const errors = validate(schema, parse(block)).map((error) => error.message);
    expect(errors).toEqual([]);
  });
});
