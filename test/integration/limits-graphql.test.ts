import { getIntrospectionQuery } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { graphql, request } from '../support/http';

let server: TestServer;
let workspace: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer({ GRAPHQL_MAX_DEPTH: 6, GRAPHQL_MAX_ALIASES: 3, GRAPHQL_MAX_TOKENS: 400 });
  workspace = await server.newWorkspace('graphql-limits');
});

afterAll(async () => {
  await server?.close();
});

/** 7 levels: datasets › edges › node › rows › edges › node › values. */
const deep = '{ datasets(kind: REFERENCE) { edges { node { rows { edges { node { values } } } } } } }';
const sixLevels = '{ datasets(kind: REFERENCE) { edges { node { rows { edges { cursor } } } } } }';

function expectTooComplex(response: Awaited<ReturnType<typeof graphql>>, limit: string): void {
  expect(response.body.data ?? null).toBeNull();
  const error = response.body.errors?.[0];
  expect(error?.extensions?.code, JSON.stringify(response.body)).toBe('query_too_complex');
  expect(error?.extensions?.limit).toBe(limit);
}

describe('GraphQL limits', () => {
  it('accepts an operation at the depth limit and rejects one level more, fragments included', async () => {
    const ok = await graphql(server.url, sixLevels, {}, workspace.key);
    expect(ok.body.errors).toBeUndefined();
    const tooDeep = await graphql(server.url, deep, {}, workspace.key);
    expectTooComplex(tooDeep, 'depth');
    expect(tooDeep.body.errors![0]!.message).toMatch(/7 levels deep; at most 6/);
    const viaFragment = await graphql(
      server.url,
      '{ datasets(kind: REFERENCE) { edges { node { ...Rows } } } } fragment Rows on Dataset { rows { edges { node { values } } } }',
      {},
      workspace.key,
    );
    expectTooComplex(viaFragment, 'depth');
  });

  it('rejects more aliases than allowed', async () => {
    const three = await graphql(server.url, '{ a: viewer { scopes } b: viewer { scopes } c: viewer { scopes } }', {}, workspace.key);
    expect(three.body.errors).toBeUndefined();
    const four = await graphql(
      server.url,
      '{ a: viewer { scopes } b: viewer { scopes } c: viewer { scopes } d: viewer { scopes } }',
      {},
      workspace.key,
    );
    expectTooComplex(four, 'aliases');
    expect(four.body.errors![0]!.message).toMatch(/4 aliases; at most 3/);
  });

  it('rejects a document with too many tokens while parsing', async () => {
    const long = `{ viewer { ${Array.from({ length: 400 }, () => 'scopes').join(' ')} } }`;
    const response = await graphql(server.url, long, {}, workspace.key);
    expectTooComplex(response, 'tokens');
  });

  it('rejects an operation whose estimated cost is over the limit (page sizes multiply)', async () => {
    const cheap = await graphql(server.url, '{ datasets(kind: REFERENCE, first: 10) { edges { node { name } } } }', {}, workspace.key);
    expect(cheap.body.errors).toBeUndefined();
    const costly = await graphql(
      server.url,
      'query($n: Int) { datasets(kind: REFERENCE, first: 100) { edges { node { rows(first: $n) { edges { cursor } } } } } }',
      { n: 100 },
      workspace.key,
    );
    expectTooComplex(costly, 'cost');
    expect(costly.body.errors![0]!.message).toMatch(/estimated cost of \d+; at most 10000/);
  });

  it('lets the explorer introspect (introspection fields count for neither depth nor cost)', async () => {
    const response = await graphql(server.url, getIntrospectionQuery(), {}, workspace.key);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.__schema.queryType.name).toBe('Query');
  });

  it('applies the limits to graphql-ws operations too', async () => {
    const client = createClient({
      url: `${server.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${workspace.key}` },
      retryAttempts: 0,
    });
    try {
      const errors = await new Promise<any[]>((resolve) => {
        client.subscribe({ query: deep }, { next: () => {}, error: (error) => resolve(error as any[]), complete: () => resolve([]) });
      });
      expect(errors[0]?.extensions?.code).toBe('query_too_complex');
    } finally {
      await client.dispose();
    }
  });
});

describe('field suggestions', () => {
  const typo = '{ viewr { scopes } }';

  it('are left out for callers without a valid key', async () => {
    const response = await graphql(server.url, typo);
    const message = response.body.errors?.[0]?.message ?? '';
    expect(message).toMatch(/Cannot query field "viewr" on type "Query"/);
    expect(message).not.toMatch(/Did you mean/);
    // A bad key is refused before the document is even validated (401): nothing about the schema comes back.
    const badKey = await graphql(server.url, typo, {}, 'ck_not_a_real_key');
    expect(badKey.status).toBe(401);
    expect(badKey.body.errors).toEqual([expect.objectContaining({ message: 'Missing or invalid API key.' })]);
    const enumTypo = await graphql(server.url, '{ datasets(kind: REFERENC) { edges { cursor } } }');
    expect(enumTypo.body.errors?.[0]?.message).not.toMatch(/Did you mean/);

    const anonymous = createClient({ url: `${server.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const errors = await new Promise<any[]>((resolve) => {
        anonymous.subscribe({ query: typo }, { next: () => {}, error: (error) => resolve(error as any[]), complete: () => resolve([]) });
      });
      expect(errors[0]?.message).toMatch(/Cannot query field "viewr"/);
      expect(errors[0]?.message).not.toMatch(/Did you mean/);
    } finally {
      await anonymous.dispose();
    }
  });

  it('are kept for callers with a key', async () => {
    const response = await graphql(server.url, typo, {}, workspace.key);
    expect(response.body.errors?.[0]?.message).toMatch(/Did you mean "viewer"\?/);
    // The validation cache must not hand the hinted result to an anonymous caller afterwards.
    const anonymous = await graphql(server.url, typo);
    expect(anonymous.body.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });
});

describe('variables with fields their input type does not define', () => {
  const mutation = 'mutation Create($input: MatchingConfigInput!) { createMatchingConfig(input: $input) { __typename } }';
  const post = (variables: Record<string, unknown>, accept = 'application/graphql-response+json') =>
    request(server.url, 'POST', '/graphql', { key: workspace.key, json: { query: mutation, variables }, headers: { accept } });

  it('refuses 100,000 unknown keys (1.2 MB) with one error naming the type and a few of them, before coercing anything', async () => {
    // graphql-js coerced such a variable key by key, with a suggestion search and a print of the whole 1.2 MB value
    // per error: 51 errors and about 7 s of server time. The keys are now checked against the type first.
    const input: Record<string, unknown> = { name: 'n', referenceDataId: 'x', fieldMappings: [] };
    for (let index = 0; index < 100_000; index++) input[`unknown_key_${index}`] = 1;
    expect(JSON.stringify(input).length).toBeGreaterThan(1_200_000);
    const response = await post({ input });
    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(1);
    const [error] = response.body.errors;
    expect(error.message).toBe(
      'Variable "$input" has 100000 fields its input types do not define: input.unknown_key_0 (not in MatchingConfigInput), input.unknown_key_1 (not in MatchingConfigInput), input.unknown_key_2 (not in MatchingConfigInput) and 99997 more.',
    );
    expect(error.extensions.code).toBe('validation_error');
  });

  it('finds them nested in lists and input objects, with their path, in either media type (400 as other variable errors)', async () => {
    const input = {
      name: 'n',
      referenceDataId: 'x',
      fieldMappings: [{ source: 'a', target: 'b', strategy: 'EXACT', weight: 1, colour: 'red' }],
    };
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const response = await post({ input }, accept);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          message: 'Variable "$input" has 1 field its input types do not define: input.fieldMappings[0].colour (not in FieldMappingInput).',
          extensions: { code: 'validation_error' },
        }),
      ]);
    }
    // Known fields only: the operation runs (here to a typed error about the dataset id).
    const valid = await post({ input: { ...input, fieldMappings: [{ source: 'a', target: 'b', strategy: 'EXACT', weight: 1 }] } });
    expect(valid.status).toBe(200);
    expect(valid.body.data.createMatchingConfig.__typename).toBe('ValidationError');
  });
});
