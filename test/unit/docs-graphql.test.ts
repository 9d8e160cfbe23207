import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const schema = buildSchema(readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8'));
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);

describe('README GraphQL examples', () => {
  it('has examples, including a subscription', () => {
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.join('\n')).toMatch(/subscription/);
  });

  it.each(blocks.map((block, index) => [index, block] as const))('example %i is valid against schema/schema.graphql', (_index, block) => {
    const errors = validate(schema, parse(block)).map((error) => error.message);
    expect(errors).toEqual([]);
  });
});
