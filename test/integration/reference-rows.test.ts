/**
 * Live reference data (issue 21, part 3): row upserts, changes and deletes over REST and GraphQL, versions, change
 * records, NOTIFY, changesSince catch-up and pruning.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changesSince, loadReferenceSnapshot, REFERENCE_ROWS_CHANNEL } from '../../src/modules/datasets/row-changes';
import { pruneRowChanges } from '../../src/modules/datasets/rows';
import { expectErrorShape, graphql, request } from '../support/http';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { until } from '../support/wait';

let server: TestServer;
let workspace: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer({ RUN_WORKER: false });
  workspace = await server.newWorkspace('live');
  other = await server.newWorkspace('other');
});

afterAll(async () => {
  await server?.close();
});

const VENDORS = [
  { id: 'V1', name: 'Acme GmbH', city: 'Berlin' },
  { id: 'V2', name: 'Globex', city: 'Paris' },
  { id: 'V3', name: 'Initech', city: 'Austin' },
];

async function createTable(
  kind: 'reference' | 'source',
  data: Array<Record<string, unknown>> = VENDORS,
  idColumn: string | null = 'id',
  key = workspace.key,
): Promise<string> {
  const created = await request(server.url, 'POST', `/v1/${kind}-data`, {
    key,
    json: { name: `${kind} ${Math.random()}`, ...(idColumn ? { id_column: idColumn } : {}), data },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

const rowsPath = (id: string) => `/v1/reference-data/${id}/rows`;
const upsert = (id: string, rows: unknown, key = workspace.key, headers: Record<string, string> = {}) =>
  request(server.url, 'POST', rowsPath(id), { key, json: rows, headers });
const ndjson = (id: string, text: string, key = workspace.key) =>
  request(server.url, 'POST', rowsPath(id), { key, body: text, headers: { 'content-type': 'application/x-ndjson' } });

async function table(id: string) {
  return (await request(server.url, 'GET', `/v1/reference-data/${id}`, { key: workspace.key })).body;
}

async function allRows(id: string) {
  return (await request(server.url, 'GET', `${rowsPath(id)}?limit=500`, { key: workspace.key })).body.data as Array<{
    id: string;
    external_id: string;
    values: Record<string, unknown>;
  }>;
}

async function changeRecords(id: string) {
  return server.app.sql<
    Array<{
      version: string;
      op: string;
      row_id: string;
      external_id: string;
      values: unknown;
      previous_values: unknown;
      previous_position: number | null;
    }>
  >`
    select version, op, row_id, external_id, "values", previous_values, previous_position from reference_row_changes where dataset_id = ${id} order by seq`;
}

describe('POST /v1/reference-data/:id/rows', { timeout: 120_000 }, () => {
  it('upserts by the id column: existing rows keep their id and position, new ones are appended; one version per request', async () => {
    const id = await createTable('reference');
    expect((await table(id)).version).toBe(1);
    const before = await allRows(id);
    const written = await upsert(id, [
      { id: 'V2', name: 'Globex Corporation', city: 'Paris' },
      { id: 'V4', name: 'Umbrella', city: 'Raccoon City' },
      { id: 'V5', name: 'Hooli' },
    ]);
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    expect(written.body).toEqual({ reference_data_id: id, version: 2, inserted: 2, updated: 1, row_count: 5 });
    const after = await allRows(id);
    expect(after.map((row) => row.external_id)).toEqual(['V1', 'V2', 'V3', 'V4', 'V5']);
    expect(after[1]).toEqual({ id: before[1]!.id, external_id: 'V2', values: { id: 'V2', name: 'Globex Corporation', city: 'Paris' } });
    // A column left out is null: an upsert replaces the whole row.
    expect(after[4]!.values).toEqual({ id: 'V5', name: 'Hooli', city: null });
    expect(await table(id)).toMatchObject({ version: 2, row_count: 5 });

    const records = await changeRecords(id);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({
      version: '2',
      op: 'upsert',
      row_id: before[1]!.id,
      external_id: 'V2',
      previous_values: VENDORS[1],
      previous_position: 2,
    });
    expect(records[1]).toMatchObject({
      op: 'upsert',
      external_id: 'V4',
      previous_values: null,
      previous_position: null,
      row_id: after[3]!.id,
    });

    const again = await upsert(id, [{ id: 'V1', name: 'ACME', city: 'Berlin' }]);
    expect(again.body).toMatchObject({ version: 3, inserted: 0, updated: 1, row_count: 5 });
  });

  it('takes NDJSON (by Content-Type), with values normalised as an upload stores them', async () => {
    const id = await createTable('reference');
    const written = await ndjson(id, '{"id": "V9", "name": "  Soylent  ", "city": ""}\n\n{"id": "V1", "name": "Acme", "city": "Bonn"}\r\n');
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    expect(written.body).toMatchObject({ version: 2, inserted: 1, updated: 1, row_count: 4 });
    const rows = await allRows(id);
    expect(rows.find((row) => row.external_id === 'V9')!.values).toEqual({ id: 'V9', name: 'Soylent', city: null });
    expect(rows.find((row) => row.external_id === 'V1')!.values).toEqual({ id: 'V1', name: 'Acme', city: 'Bonn' });
    const bad = await ndjson(id, '{"id": "V10", "name": "x"}\n{"id": \n');
    expect(bad.status).toBe(400);
    expectErrorShape(bad.body, 'validation_error');
    expect(bad.body.message).toMatch(/NDJSON/);
    expect((await table(id)).version).toBe(2);
  });

  it('a dataset without an id column takes the external id from the external_id field (not stored as a column)', async () => {
    const id = await createTable('reference', [{ name: 'Acme' }, { name: 'Globex' }], null);
    const written = await upsert(id, [
      { external_id: '2', name: 'Globex SA' },
      { external_id: 'new-1', name: 'Initech' },
    ]);
    expect(written.body).toMatchObject({ version: 2, inserted: 1, updated: 1, row_count: 3 });
    const rows = await allRows(id);
    expect(rows.map((row) => [row.external_id, row.values])).toEqual([
      ['1', { name: 'Acme' }],
      ['2', { name: 'Globex SA' }],
      ['new-1', { name: 'Initech' }],
    ]);
    const missing = await upsert(id, [{ name: 'No id' }]);
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([
      { path: '[0].external_id', message: 'required: "external_id" (this reference data has no id column)' },
    ]);
  });

  it('refuses bad batches whole: unknown columns named, a bad row among 5,000, duplicates, more than 10,000 rows, empty, not JSON, other media types', async () => {
    const id = await createTable('reference');
    const unknown = await upsert(id, [
      { id: 'V1', name: 'x' },
      { id: 'V7', colour: 'red', size: 3 },
    ]);
    expect(unknown.status).toBe(400);
    expectErrorShape(unknown.body, 'validation_error');
    expect(unknown.body.message).toMatch(/Unknown columns "colour", "size"/);
    expect(unknown.body.details).toEqual([
      { path: '[1].colour', message: 'unknown column; the columns of this reference data are: id, name, city' },
      { path: '[1].size', message: 'unknown column; the columns of this reference data are: id, name, city' },
    ]);

    const many = Array.from({ length: 5000 }, (_, i) => ({ id: `N${i}`, name: `Vendor ${i}` }));
    many[4321] = { id: '', name: 'no id' } as never;
    const bad = await upsert(id, many);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual([{ path: '[4321].id', message: 'required: the id column "id"' }]);

    const duplicate = await upsert(id, [
      { id: 'V8', name: 'a' },
      { id: 'V8', name: 'b' },
    ]);
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.details[0]).toEqual({ path: '[1].id', message: 'repeats the id "V8" of row 0 (each row once per request)' });

    const tooMany = await upsert(
      id,
      Array.from({ length: 10_001 }, (_, i) => ({ id: `T${i}` })),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/at most 10,000 rows/);

    expect((await upsert(id, [])).status).toBe(400);
    expect((await upsert(id, { id: 'V1' })).status).toBe(400);
    const notJson = await request(server.url, 'POST', rowsPath(id), {
      key: workspace.key,
      body: '[{"id": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    const csv = await request(server.url, 'POST', rowsPath(id), {
      key: workspace.key,
      body: 'id,name\nV1,x\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(csv.status).toBe(415);
    expectErrorShape(csv.body, 'unsupported_media_type');

    // Nothing of any of these was written.
    expect(await table(id)).toMatchObject({ version: 1, row_count: 3 });
    expect(await changeRecords(id)).toEqual([]);
  });

  it('10,000 rows in one request: one version, every change recorded', async () => {
    const id = await createTable('reference');
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: i < 2 ? `V${i + 1}` : `B${i}`, name: `Vendor ${i}` }));
    const written = await upsert(id, rows);
    expect(written.body).toMatchObject({ version: 2, inserted: 9998, updated: 2, row_count: 10_001 });
    const [counts] = await server.app.sql<{ n: number; versions: number }[]>`
      select count(*)::int as n, count(distinct version)::int as versions from reference_row_changes where dataset_id = ${id}`;
    expect(counts).toEqual({ n: 10_000, versions: 1 });
    const [positions] = await server.app.sql<{ max: number; n: number }[]>`
      select max(position)::int as max, count(*)::int as n from dataset_rows where dataset_id = ${id}`;
    expect(positions).toEqual({ max: 10_001, n: 10_001 });
  });

  it('source data → 409; another workspace → 404; a read-only key → 403; replays an Idempotency-Key without a second version', async () => {
    const source = await createTable('source');
    const refused = await upsert(source, [{ id: 'V1', name: 'x' }]);
    expect(refused.status).toBe(409);
    expectErrorShape(refused.body, 'conflict');
    expect(refused.body.message).toMatch(/source data: only reference data takes row writes/);

    const id = await createTable('reference');
    const foreign = await upsert(id, [{ id: 'V1', name: 'x' }], other.key);
    expect(foreign.status).toBe(404);
    expectErrorShape(foreign.body, 'not_found');
    expect((await request(server.url, 'PATCH', `${rowsPath(id)}/V1`, { key: other.key, json: { name: 'x' } })).status).toBe(404);
    expect((await request(server.url, 'DELETE', `${rowsPath(id)}/V1`, { key: other.key })).status).toBe(404);
    const readOnly = await workspace.keyWithScopes(['read']);
    const scoped = await upsert(id, [{ id: 'V1', name: 'x' }], readOnly);
    expect(scoped.status).toBe(403);
    expect((await upsert('not-a-uuid', [{ id: 'V1' }])).status).toBe(404);

    const headers = { 'idempotency-key': 'rows-1' };
    const first = await upsert(id, [{ id: 'V1', name: 'once' }], workspace.key, headers);
    const replay = await upsert(id, [{ id: 'V1', name: 'once' }], workspace.key, headers);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect((await table(id)).version).toBe(2);
  });
});

describe('PATCH and DELETE /v1/reference-data/:id/rows/:external_id', { timeout: 60_000 }, () => {
  it('PATCH merges the given columns into one row and bumps the version; DELETE removes it', async () => {
    const id = await createTable('reference');
    const [, v2] = await allRows(id);
    const patched = await request(server.url, 'PATCH', `${rowsPath(id)}/V2`, { key: workspace.key, json: { city: ' Lyon ' } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toEqual({
      version: 2,
      row: { id: v2!.id, external_id: 'V2', values: { id: 'V2', name: 'Globex', city: 'Lyon' } },
    });
    // The id column may be sent with the row's own id.
    expect(
      (await request(server.url, 'PATCH', `${rowsPath(id)}/V2`, { key: workspace.key, json: { id: 'V2', name: 'Globex SA' } })).body
        .version,
    ).toBe(3);

    const removed = await request(server.url, 'DELETE', `${rowsPath(id)}/V2`, { key: workspace.key });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ deleted: true, version: 4, id: v2!.id, external_id: 'V2' });
    expect(await table(id)).toMatchObject({ version: 4, row_count: 2 });
    expect((await allRows(id)).map((row) => row.external_id)).toEqual(['V1', 'V3']);

    const records = await changeRecords(id);
    expect(records.map((record) => [record.version, record.op, record.external_id])).toEqual([
      ['2', 'upsert', 'V2'],
      ['3', 'upsert', 'V2'],
      ['4', 'delete', 'V2'],
    ]);
    expect(records[2]).toMatchObject({
      values: null,
      previous_values: { id: 'V2', name: 'Globex SA', city: 'Lyon' },
      previous_position: 2,
    });

    // An upsert of the deleted external id makes a new row (new id, appended).
    const back = await upsert(id, [{ id: 'V2', name: 'Globex again' }]);
    expect(back.body).toMatchObject({ version: 5, inserted: 1, updated: 0, row_count: 3 });
    const rows = await allRows(id);
    expect(rows.map((row) => row.external_id)).toEqual(['V1', 'V3', 'V2']);
    expect(rows[2]!.id).not.toBe(v2!.id);
  });

  it('404 for an absent row (no version made), 400 for unknown columns, a changed id, an empty or non-object body; 409 for source data', async () => {
    const id = await createTable('reference');
    const absent = await request(server.url, 'PATCH', `${rowsPath(id)}/V404`, { key: workspace.key, json: { name: 'x' } });
    expect(absent.status).toBe(404);
    expectErrorShape(absent.body, 'not_found');
    expect(absent.body.message).toBe('No row with the external id "V404" in this reference data.');
    const gone = await request(server.url, 'DELETE', `${rowsPath(id)}/V404`, { key: workspace.key });
    expect(gone.status).toBe(404);

    const unknown = await request(server.url, 'PATCH', `${rowsPath(id)}/V1`, { key: workspace.key, json: { colour: 'red' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([
      { path: 'colour', message: 'unknown column; the columns of this reference data are: id, name, city' },
    ]);
    const renamed = await request(server.url, 'PATCH', `${rowsPath(id)}/V1`, { key: workspace.key, json: { id: 'V100' } });
    expect(renamed.status).toBe(400);
    expect(renamed.body.details[0].path).toBe('id');
    expect((await request(server.url, 'PATCH', `${rowsPath(id)}/V1`, { key: workspace.key, json: {} })).status).toBe(400);
    expect((await request(server.url, 'PATCH', `${rowsPath(id)}/V1`, { key: workspace.key, json: [1] })).status).toBe(400);
    expect(await table(id)).toMatchObject({ version: 1, row_count: 3 });

    const source = await createTable('source');
    expect((await request(server.url, 'PATCH', `${rowsPath(source)}/V1`, { key: workspace.key, json: { name: 'x' } })).status).toBe(409);
    expect((await request(server.url, 'DELETE', `${rowsPath(source)}/V1`, { key: workspace.key })).status).toBe(409);
    // External ids with reserved characters travel percent-encoded.
    const odd = await createTable('reference', [{ id: 'A/1 ?', name: 'odd' }]);
    const patched = await request(server.url, 'PATCH', `${rowsPath(odd)}/${encodeURIComponent('A/1 ?')}`, {
      key: workspace.key,
      json: { name: 'even' },
    });
    expect(patched.body.row).toMatchObject({ external_id: 'A/1 ?', values: { id: 'A/1 ?', name: 'even' } });
  });
});

describe('GraphQL row writes', { timeout: 60_000 }, () => {
  const gql = (query: string, variables: Record<string, unknown>, key = workspace.key) => graphql(server.url, query, variables, key);
  const UPSERT = `mutation($id: ID!, $rows: [JSON!]!) { upsertReferenceRows(datasetId: $id, rows: $rows) {
    __typename
    ... on MutationUpsertReferenceRowsSuccess { data { version inserted updated rowCount } }
    ... on ValidationError { message details { path message } }
    ... on Error { message } } }`;
  const UPDATE = `mutation($id: ID!, $externalId: String!, $values: JSON!) { updateReferenceRow(datasetId: $id, externalId: $externalId, values: $values) {
    __typename
    ... on MutationUpdateReferenceRowSuccess { data { version row { externalId values } } }
    ... on Error { message } } }`;
  const DELETE = `mutation($id: ID!, $externalId: String!) { deleteReferenceRow(datasetId: $id, externalId: $externalId) {
    __typename
    ... on MutationDeleteReferenceRowSuccess { data { version externalId databaseId } }
    ... on Error { message } } }`;

  it('upsertReferenceRows, updateReferenceRow, deleteReferenceRow and Dataset.version', async () => {
    const id = await createTable('reference');
    const upserted = await gql(UPSERT, {
      id,
      rows: [
        { id: 'V4', name: 'Umbrella' },
        { id: 'V1', name: 'Acme AG', city: 'Bern' },
      ],
    });
    expect(upserted.body.data.upsertReferenceRows).toEqual({
      __typename: 'MutationUpsertReferenceRowsSuccess',
      data: { version: 2, inserted: 1, updated: 1, rowCount: 4 },
    });
    const updated = await gql(UPDATE, { id, externalId: 'V4', values: { city: 'Raccoon City' } });
    expect(updated.body.data.updateReferenceRow.data).toEqual({
      version: 3,
      row: { externalId: 'V4', values: { id: 'V4', name: 'Umbrella', city: 'Raccoon City' } },
    });
    const deleted = await gql(DELETE, { id, externalId: 'V3' });
    expect(deleted.body.data.deleteReferenceRow.data).toMatchObject({ version: 4, externalId: 'V3' });
    const read = await gql(`query($id: ID!) { dataset(id: $id) { ... on QueryDatasetSuccess { data { version rowCount } } } }`, { id });
    expect(read.body.data.dataset.data).toEqual({ version: 4, rowCount: 3 });
  });

  it('typed errors: ValidationError (unknown column, empty, more than 10,000), NotFoundError (absent row, other workspace), ConflictError (source data)', async () => {
    const id = await createTable('reference');
    const unknown = await gql(UPSERT, { id, rows: [{ id: 'V1', colour: 'red' }] });
    expect(unknown.body.data.upsertReferenceRows).toMatchObject({ __typename: 'ValidationError', details: [{ path: '[0].colour' }] });
    expect((await gql(UPSERT, { id, rows: [] })).body.data.upsertReferenceRows.__typename).toBe('ValidationError');
    const tooMany = await gql(UPSERT, { id, rows: Array.from({ length: 10_001 }, (_, i) => ({ id: `T${i}` })) });
    expect(tooMany.body.data.upsertReferenceRows).toMatchObject({
      __typename: 'ValidationError',
      details: [{ path: 'rows', message: 'at most 10000 rows per request' }],
    });
    expect((await gql(UPDATE, { id, externalId: 'V404', values: { name: 'x' } })).body.data.updateReferenceRow.__typename).toBe(
      'NotFoundError',
    );
    expect((await gql(UPDATE, { id, externalId: 'V1', values: { colour: 'x' } })).body.data.updateReferenceRow.__typename).toBe(
      'ValidationError',
    );
    expect((await gql(DELETE, { id, externalId: 'V404' })).body.data.deleteReferenceRow.__typename).toBe('NotFoundError');
    expect((await gql(DELETE, { id, externalId: 'V1' }, other.key)).body.data.deleteReferenceRow.__typename).toBe('NotFoundError');
    expect((await gql(UPSERT, { id, rows: [{ id: 'V1' }] }, other.key)).body.data.upsertReferenceRows.__typename).toBe('NotFoundError');
    const source = await createTable('source');
    expect((await gql(UPSERT, { id: source, rows: [{ id: 'V1' }] })).body.data.upsertReferenceRows.__typename).toBe('ConflictError');
    const readOnly = await workspace.keyWithScopes(['read']);
    const scoped = await gql(DELETE, { id, externalId: 'V1' }, readOnly);
    expect(scoped.body.errors?.[0]?.extensions?.code).toBe('insufficient_scope');
    expect((await table(id)).version).toBe(1);
  });
});

describe('following the changes: NOTIFY, changesSince, snapshots, pruning', { timeout: 60_000 }, () => {
  it('NOTIFY on reference_rows_changed after each committed write, with the dataset and its new version', async () => {
    const listener = postgres(server.database.url, { max: 1, onnotice: () => {} });
    const received: Array<{ datasetId: string; version: number }> = [];
    try {
      await listener.listen(REFERENCE_ROWS_CHANNEL, (payload) => received.push(JSON.parse(payload)));
      const id = await createTable('reference');
      await upsert(id, [{ id: 'V4', name: 'Umbrella' }]);
      await request(server.url, 'PATCH', `${rowsPath(id)}/V4`, { key: workspace.key, json: { city: 'Raccoon City' } });
      await request(server.url, 'DELETE', `${rowsPath(id)}/V4`, { key: workspace.key });
      // A refused write notifies nothing.
      await upsert(id, [{ id: 'V5', colour: 'red' }]);
      await request(server.url, 'DELETE', `${rowsPath(id)}/V404`, { key: workspace.key });
      await until('three notifications', () => received.filter((event) => event.datasetId === id).length >= 3);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(received.filter((event) => event.datasetId === id)).toEqual([
        { datasetId: id, version: 2 },
        { datasetId: id, version: 3 },
        { datasetId: id, version: 4 },
      ]);
    } finally {
      await listener.end({ timeout: 5 });
    }
  });

  it('changesSince catches up from any retained version; says complete: false when it cannot (0, ahead, pruned)', async () => {
    const id = await createTable('reference');
    const [v1, v2] = await allRows(id);
    await upsert(id, [
      { id: 'V1', name: 'Acme AG' },
      { id: 'V4', name: 'Umbrella' },
    ]); // version 2
    await request(server.url, 'DELETE', `${rowsPath(id)}/V2`, { key: workspace.key }); // version 3
    await request(server.url, 'PATCH', `${rowsPath(id)}/V4`, { key: workspace.key, json: { city: 'Raccoon City' } }); // version 4
    const v4 = (await allRows(id)).find((row) => row.external_id === 'V4')!;

    const all = await changesSince(server.app, id, 1);
    expect(all).toEqual({
      version: 4,
      complete: true,
      changes: [
        { version: 2, op: 'upsert', rowId: v1!.id, externalId: 'V1', values: { id: 'V1', name: 'Acme AG', city: null } },
        { version: 2, op: 'upsert', rowId: v4.id, externalId: 'V4', values: { id: 'V4', name: 'Umbrella', city: null } },
        { version: 3, op: 'delete', rowId: v2!.id, externalId: 'V2' },
        { version: 4, op: 'upsert', rowId: v4.id, externalId: 'V4', values: { id: 'V4', name: 'Umbrella', city: 'Raccoon City' } },
      ],
    });
    expect((await changesSince(server.app, id, 3)).changes.map((change) => change.version)).toEqual([4]);
    expect(await changesSince(server.app, id, 4)).toEqual({ version: 4, changes: [], complete: true });
    expect(await changesSince(server.app, id, 0)).toEqual({ version: 4, changes: [], complete: false });
    expect(await changesSince(server.app, id, 9)).toEqual({ version: 4, changes: [], complete: false });

    // A snapshot read at an older version rewinds the rows: version 1 is the upload as it was.
    const atOne = await loadReferenceSnapshot(server.app.sql, id, 1);
    expect(atOne.rows.map((row) => [row.externalId, row.values])).toEqual(VENDORS.map((vendor) => [vendor.id, vendor]));
    const atTwo = await loadReferenceSnapshot(server.app.sql, id, 2);
    expect(atTwo.rows.map((row) => row.externalId)).toEqual(['V1', 'V2', 'V3', 'V4']);
    const now = await loadReferenceSnapshot(server.app.sql, id);
    expect(now.version).toBe(4);
    expect(now.rows.map((row) => row.externalId)).toEqual(['V1', 'V3', 'V4']);

    // Pruned: records of versions 2 and 3 go (keep 1 version); a consumer at 1 must rebuild, one at 3 catches up.
    const [dataset] = await server.app.sql<{ workspace_id: string }[]>`select workspace_id from datasets where id = ${id}`;
    expect(await pruneRowChanges(server.app.sql, { id, workspaceId: dataset!.workspace_id }, 4, 1)).toBe(3);
    expect(await changesSince(server.app, id, 1)).toEqual({ version: 4, changes: [], complete: false });
    expect((await changesSince(server.app, id, 3)).complete).toBe(true);
    await expect(loadReferenceSnapshot(server.app.sql, id, 1)).rejects.toThrow(/can no longer be reconstructed/);
  });
});
