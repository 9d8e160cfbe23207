import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context';
import { createStrategy } from '../../src/modules/strategies/service';
import { graphql, request } from '../support/http';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';

let server: TestServer;
let owner: TestWorkspace;
let stranger: TestWorkspace;
/** Global id → what `node` must answer for it to its owner. */
const nodes = new Map<string, { __typename: string; databaseId: string }>();

const NODE_FIELDS = `__typename id
  ... on Dataset { databaseId } ... on MatchingConfig { databaseId } ... on Run { databaseId }
  ... on Strategy { databaseId } ... on WebhookEndpoint { databaseId }`;

beforeAll(async () => {
  server = await startTestServer({ RUN_WORKER: false });
  owner = await server.newWorkspace('owner');
  stranger = await server.newWorkspace('stranger');
  const key = owner.key;
  const reference = await request(server.url, 'POST', '/v1/reference-data', {
    key,
    json: { name: 'ref', id_column: 'id', data: [{ id: 'a', name: 'Acme' }] },
  });
  const source = await request(server.url, 'POST', '/v1/source-data', { key, json: { name: 'src', data: [{ name: 'ACME' }] } });
  const config = await request(server.url, 'POST', '/v1/matching/configs', {
    key,
    json: {
      name: 'c',
      reference_data_id: reference.body.id,
      source_data_id: source.body.id,
      field_mappings: [{ source: 'name', target: 'name', strategy: 'exact', weight: 1 }],
    },
  });
  const run = await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/run`, { key });
  const webhook = await request(server.url, 'POST', '/v1/webhooks', {
    key,
    json: { url: 'https://example.com/hook', events: ['run.completed'] },
  });
  const strategy = await createStrategy(await createContext(server.app, { authorization: `Bearer ${key}` }), {
    matchingConfigId: config.body.id,
    plan: { fieldMappings: [{ source: 'name', target: 'name', strategy: 'exact', weight: 1 }], threshold: 0.9 },
  });
  for (const [typename, id] of [
    ['Dataset', reference.body.id],
    ['Dataset', source.body.id],
    ['MatchingConfig', config.body.id],
    ['Run', run.body.id],
    ['WebhookEndpoint', webhook.body.id],
    ['Strategy', strategy.id],
  ] as const) {
    expect(id, typename).toMatch(/^[0-9a-f-]{36}$/);
    nodes.set(encodeGlobalID(typename, id), { __typename: typename, databaseId: id });
  }
});
afterAll(async () => {
  await server?.close();
});

describe('Relay node(id) and nodes(ids), scoped to the workspace', () => {
  it("answers its own workspace's objects of every Node type by global id", async () => {
    for (const [id, expected] of nodes) {
      const response = await graphql(server.url, `query Node($id: ID!) { node(id: $id) { ${NODE_FIELDS} } }`, { id }, owner.key);
      expect(response.body.errors, expected.__typename).toBeUndefined();
      expect(response.body.data.node).toEqual({ ...expected, id });
    }
  });

  it("answers null, never another workspace's object, for a foreign, unknown or malformed id", async () => {
    for (const id of nodes.keys()) {
      const response = await graphql(server.url, `query Node($id: ID!) { node(id: $id) { ${NODE_FIELDS} } }`, { id }, stranger.key);
      expect(response.body).toEqual({ data: { node: null } });
    }
    const [datasetId] = [...nodes.values()].map((node) => node.databaseId);
    for (const id of [
      encodeGlobalID('Dataset', '00000000-0000-0000-0000-000000000000'),
      encodeGlobalID('Dataset', 'not-a-uuid'),
      encodeGlobalID('Workspace', owner.id),
      encodeGlobalID('RunResult', datasetId!),
      datasetId!,
      'not base64 at all',
    ]) {
      const response = await graphql(server.url, `query Node($id: ID!) { node(id: $id) { id } }`, { id }, owner.key);
      expect(response.body, id).toEqual({ data: { node: null } });
    }
  });

  it('nodes keeps the order of the ids, with null for each it cannot answer', async () => {
    const ids = [...nodes.keys()];
    const foreign = encodeGlobalID('Dataset', '00000000-0000-0000-0000-000000000000');
    const response = await graphql(
      server.url,
      `query Nodes($ids: [ID!]!) { nodes(ids: $ids) { ${NODE_FIELDS} } }`,
      { ids: [...ids, foreign] },
      owner.key,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.nodes).toEqual([...[...nodes].map(([id, node]) => ({ ...node, id })), null]);
    const asStranger = await graphql(server.url, `query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids }, stranger.key);
    expect(asStranger.body.data.nodes).toEqual(ids.map(() => null));
    const tooMany = await graphql(
      server.url,
      `query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
      { ids: Array.from({ length: 101 }, () => ids[0]) },
      owner.key,
    );
    expect(tooMany.body.errors?.[0]?.message).toMatch(/at most 100 ids/);
  });
});

describe('Strategy ids', () => {
  it('are global ids like the other types, and arguments still take the plain UUIDs', async () => {
    const [globalId, strategy] = [...nodes].find(([, node]) => node.__typename === 'Strategy')!;
    const listed = await graphql(
      server.url,
      'query Strategies { strategies(first: 10) { edges { node { id databaseId } } } }',
      {},
      owner.key,
    );
    expect(listed.body.data.strategies.edges).toEqual([{ node: { id: globalId, databaseId: strategy.databaseId } }]);
    expect(decodeGlobalID(globalId)).toEqual({ typename: 'Strategy', id: strategy.databaseId });
    for (const id of [globalId, strategy.databaseId]) {
      const read = await graphql(
        server.url,
        'query Strategy($id: ID!) { strategy(id: $id) { ... on QueryStrategySuccess { data { id } } } }',
        { id },
        owner.key,
      );
      expect(read.body.data.strategy.data.id, id).toBe(globalId);
      const updated = await graphql(
        server.url,
        'mutation Update($id: ID!) { updateStrategy(id: $id, input: { threshold: 0.85 }) { ... on MutationUpdateStrategySuccess { data { id version } } } }',
        { id },
        owner.key,
      );
      expect(updated.body.data.updateStrategy.data.id, id).toBe(globalId);
    }
    // REST keeps the UUID.
    const rest = await request(server.url, 'GET', `/v1/matching/strategies/${strategy.databaseId}`, { key: owner.key });
    expect(rest.body.id).toBe(strategy.databaseId);
  });
});
