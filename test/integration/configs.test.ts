import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { expectErrorShape, graphql, request } from '../support/http';

let server: TestServer;
let workspace: TestWorkspace;
let referenceId: string;
let sourceId: string;

const NIL_UUID = '00000000-0000-0000-0000-000000000000';

beforeAll(async () => {
  server = await startTestServer();
  workspace = await server.newWorkspace('configs');
  const reference = await createDataset(workspace.key, 'reference', {
    name: 'Vendors',
    id_column: 'vendor_id',
    data: [
      { vendor_id: 'V1', name: 'Acme GmbH', city: 'Berlin', founded: '2001-02-03', revenue: 1000 },
      { vendor_id: 'V2', name: 'Globex', city: 'Paris', founded: '1999-12-31', revenue: 2500 },
    ],
  });
  referenceId = reference.id;
  const source = await createDataset(workspace.key, 'source', {
    name: 'Invoices',
    id_column: 'doc',
    data: [{ doc: 'D1', vendor_name: 'ACME', vendor_city: 'berlin', invoice_date: '2024-01-01', amount: 99 }],
  });
  sourceId = source.id;
});

afterAll(async () => {
  await server?.close();
});

async function createDataset(key: string, kind: 'reference' | 'source', json: unknown): Promise<{ id: string }> {
  const response = await request(server.url, 'POST', kind === 'reference' ? '/v1/reference-data' : '/v1/source-data', { key, json });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

function validConfig(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Vendor match',
    reference_data_id: referenceId,
    source_data_id: sourceId,
    field_mappings: [
      { source: 'vendor_name', target: 'name', strategy: 'fuzzy', weight: 0.6, options: { algorithm: 'token_set' } },
      { source: 'vendor_city', target: 'city', strategy: 'exact', weight: 0.4 },
    ],
    ...overrides,
  };
}

async function createConfig(body: unknown = validConfig(), key = workspace.key) {
  return request(server.url, 'POST', '/v1/matching/configs', { key, json: body });
}

/** Sends a config and expects a 400 with a detail at `path` (whose message matches `message`, if given). */
async function expectInvalid(body: unknown, path: string, message?: RegExp, method = 'POST', url = '/v1/matching/configs') {
  const response = await request(server.url, method, url, { key: workspace.key, json: body });
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expectErrorShape(response.body, 'validation_error');
  const detail = (response.body.details as Array<{ path: string; message: string }>).find((d) => d.path === path);
  expect(detail, `no detail at ${path}: ${JSON.stringify(response.body.details)}`).toBeDefined();
  if (message) expect(detail!.message).toMatch(message);
  return response.body.details as Array<{ path: string; message: string }>;
}

describe('REST /v1/matching/configs', () => {
  it('creates a config (201) with defaults and the snake_case shape, and gets it back', async () => {
    const created = await createConfig(
      validConfig({
        review_band: { low: 0.6, high: 0.85 },
        blocking: {
          strategy: 'ordered_fallback',
          keys: [{ parts: [{ source: 'vendor_name', target: 'name', transform: 'prefix', length: 3 }] }],
          max_postings: 500,
        },
        schedule: '0 3 * * 1-5',
      }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const config = created.body;
    expect(config).toMatchObject({
      name: 'Vendor match',
      reference_data_id: referenceId,
      source_data_id: sourceId,
      threshold: 0.85,
      one_to_one: false,
      review_band: { low: 0.6, high: 0.85 },
      blocking: {
        strategy: 'ordered_fallback',
        keys: [{ parts: [{ source: 'vendor_name', target: 'name', transform: 'prefix', length: 3 }] }],
        max_postings: 500,
      },
      schedule: '0 3 * * 1-5',
      links: {
        self: `/v1/matching/configs/${config.id}`,
        reference_data: `/v1/reference-data/${referenceId}`,
        source_data: `/v1/source-data/${sourceId}`,
      },
    });
    expect(config.field_mappings).toEqual([
      { source: 'vendor_name', target: 'name', strategy: 'fuzzy', weight: 0.6, options: { algorithm: 'token_set' } },
      { source: 'vendor_city', target: 'city', strategy: 'exact', weight: 0.4, options: {} },
    ]);
    expect(config.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(config.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(config.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const fetched = await request(server.url, 'GET', `/v1/matching/configs/${config.id}`, { key: workspace.key });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(config);
  });

  it('stores option defaults and snake_cases option keys; source_data_id is optional', async () => {
    const created = await createConfig({
      name: 'Dates and amounts',
      reference_data_id: referenceId,
      field_mappings: [
        { source: 'invoice_date', target: 'founded', strategy: 'date_range', weight: 0.2 },
        {
          source: 'invoice_date',
          target: 'founded',
          strategy: 'date_range',
          weight: 0.05,
          options: { tolerance_days: 3, month_first: true },
        },
        { source: 'x', target: 'revenue', strategy: 'numeric_range', weight: 0.25, options: { tolerance_pct: 10 } },
        { source: 'y', target: 'name', strategy: 'fuzzy', weight: 0.25 },
        { source: 'z', target: 'city', strategy: 'phonetic', weight: 0.25, options: {} },
      ],
      threshold: 0.7,
      one_to_one: true,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.source_data_id).toBeNull();
    expect(created.body.links.source_data).toBeUndefined();
    expect(created.body.threshold).toBe(0.7);
    expect(created.body.one_to_one).toBe(true);
    expect(created.body.field_mappings.map((m: { options: unknown }) => m.options)).toEqual([
      { tolerance_days: 0 },
      { tolerance_days: 3, month_first: true },
      { tolerance_pct: 10 },
      { algorithm: 'jaro_winkler' },
      {},
    ]);
  });

  it('rejects every invalid field with a detail at its snake_case path, all at once', async () => {
    const details = await expectInvalid(
      {
        name: '',
        reference_data_id: referenceId,
        field_mappings: [
          { source: 'vendor_name', target: 'name', strategy: 'fuzzy', weight: 0.5 },
          { source: 'vendor_city', target: 'city', strategy: 'telepathy', weight: 1.5 },
        ],
        threshold: 1.2,
        surprise: true,
      },
      'field_mappings[1].weight',
    );
    const paths = details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'field_mappings[1].strategy', 'threshold', 'surprise']));
  });

  it('still checks columns and the weight sum of mappings that have other problems', async () => {
    const details = await expectInvalid(
      validConfig({
        field_mappings: [
          { source: 'vendor_name', target: 'no_such_column', strategy: 'exact', weight: 0.3, options: { algorithm: 'levenshtein' } },
          { source: 'vendor_city', target: 'city', strategy: 'telepathy', weight: 0.3 },
        ],
      }),
      'field_mappings[0].target',
      /no column "no_such_column"/,
    );
    expect(details.map((d) => d.path)).toEqual(
      expect.arrayContaining(['field_mappings[0].options.algorithm', 'field_mappings[1].strategy', 'field_mappings']),
    );
    expect(details.find((d) => d.path === 'field_mappings')!.message).toMatch(/sum to 0\.6/);
  });

  it('requires name, reference_data_id and at least one mapping', async () => {
    const details = await expectInvalid({}, 'name', /required/);
    expect(details.map((d) => d.path)).toEqual(expect.arrayContaining(['reference_data_id', 'field_mappings']));
    await expectInvalid(validConfig({ field_mappings: [] }), 'field_mappings', /at least one/);
    await expectInvalid('not an object', '');
  });

  it('checks the weights: each in (0, 1], summing to 1 (the message says the sum)', async () => {
    await expectInvalid(
      validConfig({
        field_mappings: [
          { source: 'vendor_name', target: 'name', strategy: 'exact', weight: 0.5 },
          { source: 'vendor_city', target: 'city', strategy: 'exact', weight: 0.4 },
        ],
      }),
      'field_mappings',
      /sum to 0\.9/,
    );
    await expectInvalid(
      validConfig({
        field_mappings: [
          { source: 'vendor_name', target: 'name', strategy: 'exact', weight: 0 },
          { source: 'vendor_city', target: 'city', strategy: 'exact', weight: 1 },
        ],
      }),
      'field_mappings[0].weight',
    );
    // Floating-point sums within 1e-6 are fine.
    const ok = await createConfig(
      validConfig({
        field_mappings: [
          { source: 'vendor_name', target: 'name', strategy: 'exact', weight: 0.1 },
          { source: 'vendor_name', target: 'city', strategy: 'exact', weight: 0.2 },
          { source: 'vendor_city', target: 'city', strategy: 'exact', weight: 0.7 },
        ],
      }),
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
  });

  it('checks threshold and review_band ranges', async () => {
    await expectInvalid(validConfig({ threshold: -0.1 }), 'threshold');
    await expectInvalid(validConfig({ threshold: 'high' }), 'threshold');
    await expectInvalid(validConfig({ review_band: { low: 0.9, high: 0.5 } }), 'review_band.low', /greater than high/);
    await expectInvalid(validConfig({ review_band: { low: 0.1, high: 1.5 } }), 'review_band.high');
    await expectInvalid(validConfig({ review_band: { low: 0.1, high: 0.5, mid: 0.3 } }), 'review_band.mid', /unknown/);
  });

  it('checks the options against the strategy', async () => {
    const mapping = (strategy: string, options: unknown) =>
      validConfig({ field_mappings: [{ source: 'vendor_name', target: 'name', strategy, weight: 1, options }] });
    await expectInvalid(mapping('fuzzy', { algorithm: 'soundex' }), 'field_mappings[0].options.algorithm');
    await expectInvalid(mapping('fuzzy', { tolerance_days: 3 }), 'field_mappings[0].options.tolerance_days', /unknown/);
    await expectInvalid(mapping('exact', { algorithm: 'levenshtein' }), 'field_mappings[0].options.algorithm', /no options/);
    await expectInvalid(mapping('phonetic', { x: 1 }), 'field_mappings[0].options.x', /no options/);
    await expectInvalid(mapping('date_range', { tolerance_days: -1 }), 'field_mappings[0].options.tolerance_days');
    await expectInvalid(mapping('date_range', { month_first: 'yes' }), 'field_mappings[0].options.month_first', /true or false/);
    await expectInvalid(mapping('fuzzy', { month_first: true }), 'field_mappings[0].options.month_first', /unknown/);
    await expectInvalid(mapping('numeric_range', { tolerance: 1, tolerance_pct: 5 }), 'field_mappings[0].options', /exactly one/);
    await expectInvalid(mapping('numeric_range', {}), 'field_mappings[0].options', /exactly one/);
    await expectInvalid(mapping('numeric_range', undefined), 'field_mappings[0].options');
    await expectInvalid(mapping('numeric_range', { tolerance: -2 }), 'field_mappings[0].options.tolerance');
    const ok = await createConfig(mapping('fuzzy', { algorithm: 'damerau_levenshtein' }));
    expect(ok.status).toBe(201);
  });

  it('stores windows of expected differences (date and numeric) without a tolerance default', async () => {
    const created = await createConfig({
      name: 'Statement lines',
      reference_data_id: referenceId,
      field_mappings: [
        {
          source: 'invoice_date',
          target: 'founded',
          strategy: 'date_range',
          weight: 0.5,
          options: { min_difference_days: 0, max_difference_days: 5, month_first: true },
        },
        {
          source: 'amount',
          target: 'revenue',
          strategy: 'numeric_range',
          weight: 0.5,
          options: { min_difference: 0, max_difference: 3, min_difference_pct: -1, max_difference_pct: 1 },
        },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // No tolerance_days default next to a window: the window replaces it.
    expect(created.body.field_mappings.map((m: { options: unknown }) => m.options)).toEqual([
      { min_difference_days: 0, max_difference_days: 5, month_first: true },
      { min_difference: 0, max_difference: 3, min_difference_pct: -1, max_difference_pct: 1 },
    ]);
  });

  it('refuses bad windows with a 400 at the offending option', async () => {
    const mapping = (strategy: string, options: unknown) =>
      validConfig({ field_mappings: [{ source: 'vendor_name', target: 'name', strategy, weight: 1, options }] });
    const days = (options: unknown) => mapping('date_range', options);
    const at = (key: string) => `field_mappings[0].options.${key}`;
    await expectInvalid(
      days({ min_difference_days: 5, max_difference_days: 0 }),
      at('min_difference_days'),
      /start \(min\) must not be greater/,
    );
    await expectInvalid(days({ min_difference_days: 0 }), at('max_difference_days'), /both ends/);
    await expectInvalid(days({ max_difference_days: 3 }), at('min_difference_days'), /both ends/);
    await expectInvalid(days({ min_difference_days: 0, max_difference_days: 5, tolerance_days: 2 }), at('tolerance_days'), /not both/);
    await expectInvalid(
      days({ min_difference_days: -40000, max_difference_days: 5 }),
      at('min_difference_days'),
      /between -36600 and 36600 days/,
    );
    await expectInvalid(days({ min_difference_days: '0', max_difference_days: 5 }), at('min_difference_days'), /must be a number/);
    const numbers = (options: unknown) => mapping('numeric_range', options);
    await expectInvalid(numbers({ min_difference: 3, max_difference: 0 }), at('min_difference'), /start \(min\) must not be greater/);
    await expectInvalid(numbers({ min_difference_pct: -1 }), at('max_difference_pct'), /both ends/);
    await expectInvalid(numbers({ min_difference: 0, max_difference: 3, tolerance_pct: 5 }), at('tolerance_pct'), /not both/);
    await expectInvalid(numbers({ min_difference_pct: -250, max_difference_pct: 1 }), at('min_difference_pct'), /between -200 and 200 %/);
    // JSON has no infinity, but 1e999 parses as one: refused, not stored
    const infinite = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(numbers({ min_difference: 0, max_difference: 3 })).replace('"max_difference":3', '"max_difference":1e999'),
    });
    expect(infinite.status, JSON.stringify(infinite.body)).toBe(400);
    expect(infinite.body.details.map((d: { path: string }) => d.path)).toContain(at('max_difference'));
  });

  it('checks that the datasets exist in the workspace, are of the right kind, and have the mapped columns', async () => {
    await expectInvalid(validConfig({ reference_data_id: NIL_UUID }), 'reference_data_id', /no reference data with this id/);
    await expectInvalid(validConfig({ reference_data_id: 'nope' }), 'reference_data_id', /UUID/);
    await expectInvalid(validConfig({ reference_data_id: sourceId }), 'reference_data_id', /source data, not reference data/);
    await expectInvalid(validConfig({ source_data_id: referenceId }), 'source_data_id', /not source data/);
    await expectInvalid(validConfig({ source_data_id: NIL_UUID }), 'source_data_id', /no source data/);
    const details = await expectInvalid(
      validConfig({
        field_mappings: [
          { source: 'nope_source', target: 'name', strategy: 'exact', weight: 0.5 },
          { source: 'vendor_city', target: 'nope_target', strategy: 'exact', weight: 0.5 },
        ],
      }),
      'field_mappings[0].source',
      /no column "nope_source"/,
    );
    expect(details.map((d) => d.path)).toContain('field_mappings[1].target');
    // Without source data, sources are not checked (documents come with the run) but targets are.
    const noSource = await createConfig(
      validConfig({ source_data_id: null, field_mappings: [{ source: 'anything', target: 'name', strategy: 'exact', weight: 1 }] }),
    );
    expect(noSource.status).toBe(201);
    await expectInvalid(
      validConfig({ source_data_id: undefined, field_mappings: [{ source: 'anything', target: 'missing', strategy: 'exact', weight: 1 }] }),
      'field_mappings[0].target',
    );
  });

  it('checks blocking keys: columns, transforms, lengths and unknown keys', async () => {
    const blocking = (value: unknown) => validConfig({ blocking: value });
    await expectInvalid(
      blocking({ keys: [{ parts: [{ source: 'vendor_name', target: 'nope', transform: 'tokens' }] }] }),
      'blocking.keys[0].parts[0].target',
      /no column/,
    );
    await expectInvalid(
      blocking({ keys: [{ parts: [{ source: 'nope', target: 'name', transform: 'tokens' }] }] }),
      'blocking.keys[0].parts[0].source',
    );
    await expectInvalid(
      blocking({ keys: [{ parts: [{ source: 'vendor_name', target: 'name', transform: 'soundex' }] }] }),
      'blocking.keys[0].parts[0].transform',
    );
    await expectInvalid(
      blocking({ keys: [{ parts: [{ source: 'vendor_name', target: 'name', transform: 'tokens', length: 3 }] }] }),
      'blocking.keys[0].parts[0].length',
      /prefix, qgrams and nearby/,
    );
    // nearby takes a width
    const nearby = { keys: [{ parts: [{ source: 'vendor_name', target: 'name', transform: 'nearby', length: 5 }] }] };
    const created = await createConfig(blocking(nearby));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.blocking.keys).toEqual(nearby.keys);
    await expectInvalid(blocking({ keys: [{ parts: [] }] }), 'blocking.keys[0].parts');
    await expectInvalid(blocking({ strategy: 'random' }), 'blocking.strategy');
    await expectInvalid(blocking({ max_postings: 0 }), 'blocking.max_postings');
    await expectInvalid(blocking({ extra: 1 }), 'blocking.extra', /unknown/);
  });

  it('validates the schedule as a cron expression', async () => {
    await expectInvalid(validConfig({ schedule: 'every day' }), 'schedule', /cron/);
    await expectInvalid(validConfig({ schedule: '61 * * * *' }), 'schedule', /61/);
    await expectInvalid(validConfig({ schedule: '* * * * * * *' }), 'schedule', /5 fields/);
    const ok = await createConfig(validConfig({ schedule: '*/15 * * * *' }));
    expect(ok.status).toBe(201);
    expect(ok.body.schedule).toBe('*/15 * * * *');
  });

  it('PUT replaces the whole config (omitted optional fields return to defaults)', async () => {
    const created = await createConfig(validConfig({ threshold: 0.5, one_to_one: true, schedule: '0 0 * * *' }));
    const url = `/v1/matching/configs/${created.body.id}`;
    const replaced = await request(server.url, 'PUT', url, {
      key: workspace.key,
      json: {
        name: 'Replaced',
        reference_data_id: referenceId,
        field_mappings: [{ source: 'vendor_name', target: 'name', strategy: 'phonetic', weight: 1 }],
      },
    });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body).toMatchObject({
      id: created.body.id,
      name: 'Replaced',
      source_data_id: null,
      threshold: 0.85,
      one_to_one: false,
      schedule: null,
      review_band: null,
      blocking: null,
      created_at: created.body.created_at,
    });
    expect(replaced.body.field_mappings).toHaveLength(1);
    expect(new Date(replaced.body.updated_at).getTime()).toBeGreaterThanOrEqual(new Date(created.body.updated_at).getTime());
    // reference_data_id may be omitted on PUT (it cannot change anyway)…
    const withoutReference = await request(server.url, 'PUT', url, {
      key: workspace.key,
      json: { name: 'Again', field_mappings: [{ source: 'vendor_name', target: 'name', strategy: 'exact', weight: 1 }] },
    });
    expect(withoutReference.status).toBe(200);
    expect(withoutReference.body.reference_data_id).toBe(referenceId);
    // …but a PUT is still validated as a whole.
    await expectInvalid({ name: 'No mappings' }, 'field_mappings', /required/, 'PUT', url);
  });

  it('accepts a GET response sent back with PUT (read-only fields are ignored)', async () => {
    const created = await createConfig(
      validConfig({ blocking: { keys: [{ parts: [{ source: 'vendor_city', target: 'city', transform: 'exact' }] }] } }),
    );
    const url = `/v1/matching/configs/${created.body.id}`;
    const fetched = await request(server.url, 'GET', url, { key: workspace.key });
    const replaced = await request(server.url, 'PUT', url, { key: workspace.key, json: { ...fetched.body, name: 'Round trip' } });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    const { name: _name, updated_at: _updated, ...rest } = replaced.body;
    const { name: _oldName, updated_at: _oldUpdated, ...before } = fetched.body;
    expect(replaced.body.name).toBe('Round trip');
    expect(rest).toEqual(before);
  });

  it('PATCH merges the given fields, null clears optional ones, the result is validated as a whole', async () => {
    const created = await createConfig(validConfig({ review_band: { low: 0.5, high: 0.8 }, schedule: '0 1 * * *' }));
    const url = `/v1/matching/configs/${created.body.id}`;
    const patched = await request(server.url, 'PATCH', url, {
      key: workspace.key,
      json: { threshold: 0.9, review_band: null, name: 'Patched' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Patched',
      review_band: null,
      schedule: '0 1 * * *',
      source_data_id: sourceId,
      field_mappings: created.body.field_mappings,
    });
    expect(patched.body.threshold).toBe(0.9);
    // Dropping the source data leaves the mappings valid; changing one weight alone breaks the sum.
    const cleared = await request(server.url, 'PATCH', url, { key: workspace.key, json: { source_data_id: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.source_data_id).toBeNull();
    await expectInvalid(
      { field_mappings: [{ source: 'vendor_name', target: 'name', strategy: 'exact', weight: 0.5 }] },
      'field_mappings',
      /sum to 0\.5/,
      'PATCH',
      url,
    );
    await expectInvalid({ name: null }, 'name', undefined, 'PATCH', url);
    await expectInvalid({ bogus: 1 }, 'bogus', /unknown/, 'PATCH', url);
    const empty = await request(server.url, 'PATCH', url, { key: workspace.key, json: {} });
    expect(empty.status).toBe(200);
    expect(empty.body.name).toBe('Patched');
  });

  it('keeps reference_data_id immutable on PUT and PATCH', async () => {
    const other = await createDataset(workspace.key, 'reference', { name: 'Other', data: [{ name: 'x', city: 'y' }] });
    const created = await createConfig();
    const url = `/v1/matching/configs/${created.body.id}`;
    await expectInvalid({ reference_data_id: other.id }, 'reference_data_id', /cannot be changed/, 'PATCH', url);
    await expectInvalid(validConfig({ reference_data_id: other.id }), 'reference_data_id', /cannot be changed/, 'PUT', url);
    const same = await request(server.url, 'PATCH', url, { key: workspace.key, json: { reference_data_id: referenceId } });
    expect(same.status).toBe(200);
  });

  it('deletes a config (200 {deleted: true}); then it is gone', async () => {
    const created = await createConfig();
    const url = `/v1/matching/configs/${created.body.id}`;
    const deleted = await request(server.url, 'DELETE', url, { key: workspace.key });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted: true });
    const gone = await request(server.url, 'GET', url, { key: workspace.key });
    expect(gone.status).toBe(404);
    expectErrorShape(gone.body, 'not_found');
    expect((await request(server.url, 'DELETE', url, { key: workspace.key })).status).toBe(404);
  });

  it('answers 409 when deleting a dataset a config uses, and allows it once the config is gone', async () => {
    const own = await server.newWorkspace('conflicts');
    const reference = await createDataset(own.key, 'reference', { name: 'R', data: [{ name: 'a' }] });
    const source = await createDataset(own.key, 'source', { name: 'S', data: [{ title: 'a' }] });
    const created = await createConfig(
      {
        name: 'Uses both',
        reference_data_id: reference.id,
        source_data_id: source.id,
        field_mappings: [{ source: 'title', target: 'name', strategy: 'exact', weight: 1 }],
      },
      own.key,
    );
    expect(created.status).toBe(201);
    for (const path of [`/v1/reference-data/${reference.id}`, `/v1/source-data/${source.id}`]) {
      const conflict = await request(server.url, 'DELETE', path, { key: own.key });
      expect(conflict.status).toBe(409);
      expectErrorShape(conflict.body, 'conflict');
    }
    expect((await request(server.url, 'DELETE', `/v1/matching/configs/${created.body.id}`, { key: own.key })).status).toBe(200);
    expect((await request(server.url, 'DELETE', `/v1/reference-data/${reference.id}`, { key: own.key })).status).toBe(200);
  });

  it('answers 401 without a key and 403 for a read-only key writing; reads work with read', async () => {
    const created = await createConfig();
    const url = `/v1/matching/configs/${created.body.id}`;
    for (const [method, path] of [
      ['GET', '/v1/matching/configs'],
      ['POST', '/v1/matching/configs'],
      ['GET', url],
      ['PUT', url],
      ['PATCH', url],
      ['DELETE', url],
    ] as const) {
      const none = await request(server.url, method, path, { json: method === 'GET' || method === 'DELETE' ? undefined : validConfig() });
      expect(none.status, `${method} ${path}`).toBe(401);
      expectErrorShape(none.body, 'unauthorized');
    }
    const readKey = await workspace.keyWithScopes(['read']);
    for (const [method, path] of [
      ['POST', '/v1/matching/configs'],
      ['PUT', url],
      ['PATCH', url],
      ['DELETE', url],
    ] as const) {
      const denied = await request(server.url, method, path, { key: readKey, json: method === 'DELETE' ? undefined : validConfig() });
      expect(denied.status, `${method} ${path}`).toBe(403);
      expectErrorShape(denied.body, 'insufficient_scope');
    }
    expect((await request(server.url, 'GET', url, { key: readKey })).status).toBe(200);
    expect((await request(server.url, 'GET', '/v1/matching/configs', { key: readKey })).status).toBe(200);
  });

  it('answers 404 for unknown ids, non-UUID ids and configs of another workspace (isolation)', async () => {
    const created = await createConfig();
    const url = `/v1/matching/configs/${created.body.id}`;
    for (const id of [NIL_UUID, 'not-a-uuid']) {
      const missing = await request(server.url, 'GET', `/v1/matching/configs/${id}`, { key: workspace.key });
      expect(missing.status).toBe(404);
      expectErrorShape(missing.body, 'not_found');
    }
    const stranger = await server.newWorkspace('stranger');
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) {
      const response = await request(server.url, method, url, {
        key: stranger.key,
        json: method === 'PUT' || method === 'PATCH' ? validConfig() : undefined,
      });
      expect(response.status, method).toBe(404);
      expectErrorShape(response.body, 'not_found');
    }
    const list = await request(server.url, 'GET', '/v1/matching/configs', { key: stranger.key });
    expect(list.body).toEqual({ data: [], pagination: { total: 0, limit: 20, has_more: false, next_cursor: null } });
    // Nor can a stranger point a config at this workspace's datasets.
    const foreign = await request(server.url, 'POST', '/v1/matching/configs', { key: stranger.key, json: validConfig() });
    expect(foreign.status).toBe(400);
    expect(foreign.body.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['reference_data_id', 'source_data_id']),
    );
    // The config is untouched.
    expect((await request(server.url, 'GET', url, { key: workspace.key })).status).toBe(200);
  });

  it('lists newest first with cursor pagination', async () => {
    const own = await server.newWorkspace('paging');
    const reference = await createDataset(own.key, 'reference', { name: 'R', data: [{ name: 'a' }] });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await createConfig(
        {
          name: `Config ${i}`,
          reference_data_id: reference.id,
          field_mappings: [{ source: 'n', target: 'name', strategy: 'exact', weight: 1 }],
        },
        own.key,
      );
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await request(server.url, 'GET', `/v1/matching/configs${query}`, { key: own.key });
      expect(page.status).toBe(200);
      expect(page.body.pagination).toMatchObject({ total: 5, limit: 2 });
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((c: { id: string }) => c.id));
      cursor = page.body.pagination.next_cursor;
      expect(page.body.pagination.has_more).toBe(cursor !== null);
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toEqual([...ids].reverse());

    const all = await request(server.url, 'GET', '/v1/matching/configs', { key: own.key });
    expect(all.body.pagination).toEqual({ total: 5, limit: 20, has_more: false, next_cursor: null });
    expect(all.body.data[0].name).toBe('Config 4');
  });

  it('rejects invalid pagination parameters with 400', async () => {
    for (const [query, path] of [
      ['?cursor=garbage', 'cursor'],
      ['?cursor=%21%21', 'cursor'],
      [`?cursor=${Buffer.from('2024-01-01T00:00:00.000Z|nope').toString('base64url')}`, 'cursor'],
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=abc', 'limit'],
    ]) {
      const response = await request(server.url, 'GET', `/v1/matching/configs${query}`, { key: workspace.key });
      expect(response.status, query).toBe(400);
      expectErrorShape(response.body, 'validation_error');
      expect(response.body.details[0].path).toBe(path);
    }
  });
});

const CONFIG_FIELDS = `
  id databaseId name threshold oneToOne schedule createdAt updatedAt
  referenceData { databaseId name }
  sourceData { databaseId }
  fieldMappings { source target strategy weight options { algorithm toleranceDays tolerance tolerancePct monthFirst } }
  reviewBand { low high }
  blocking { strategy maxPostings keys { parts { source target transform length } } }
`;

const ERRORS = `
  ... on ValidationError { code message details { path message } }
  ... on NotFoundError { code message }
  ... on ConflictError { code message }
`;

describe('GraphQL matching configs', () => {
  let own: TestWorkspace;
  let reference: { id: string };

  beforeAll(async () => {
    own = await server.newWorkspace('graphql');
    reference = await createDataset(own.key, 'reference', {
      name: 'R',
      data: [
        { name: 'Acme', city: 'Berlin', revenue: 10 },
        { name: 'Globex', city: 'Paris', revenue: 20 },
      ],
    });
  });

  const create = (input: Record<string, unknown>, key = own.key) =>
    graphql(
      server.url,
      `mutation ($input: MatchingConfigInput!) {
        createMatchingConfig(input: $input) { __typename ... on MutationCreateMatchingConfigSuccess { data { ${CONFIG_FIELDS} } } ${ERRORS} }
      }`,
      { input },
      key,
    );

  const input = (overrides: Record<string, unknown> = {}) => ({
    name: 'GraphQL config',
    referenceDataId: reference.id,
    fieldMappings: [
      { source: 'company', target: 'name', strategy: 'FUZZY', weight: 0.7, options: { algorithm: 'LEVENSHTEIN' } },
      { source: 'amount', target: 'revenue', strategy: 'NUMERIC_RANGE', weight: 0.3, options: { tolerance: 5 } },
    ],
    ...overrides,
  });

  it('creates, reads by global id and UUID, and lists through the connection', async () => {
    const created = await create(
      input({
        reviewBand: { low: 0.5, high: 0.8 },
        blocking: { strategy: 'PARALLEL', keys: [{ parts: [{ source: 'company', target: 'name', transform: 'QGRAMS', length: 2 }] }] },
      }),
    );
    expect(created.body.errors).toBeUndefined();
    const result = created.body.data.createMatchingConfig;
    expect(result.__typename).toBe('MutationCreateMatchingConfigSuccess');
    const config = result.data;
    expect(config).toMatchObject({
      name: 'GraphQL config',
      threshold: 0.85,
      oneToOne: false,
      schedule: null,
      referenceData: { databaseId: reference.id, name: 'R' },
      sourceData: null,
      reviewBand: { low: 0.5, high: 0.8 },
      blocking: {
        strategy: 'PARALLEL',
        maxPostings: null,
        keys: [{ parts: [{ source: 'company', target: 'name', transform: 'QGRAMS', length: 2 }] }],
      },
    });
    expect(config.fieldMappings).toEqual([
      {
        source: 'company',
        target: 'name',
        strategy: 'FUZZY',
        weight: 0.7,
        options: { algorithm: 'LEVENSHTEIN', toleranceDays: null, tolerance: null, tolerancePct: null, monthFirst: null },
      },
      {
        source: 'amount',
        target: 'revenue',
        strategy: 'NUMERIC_RANGE',
        weight: 0.3,
        options: { algorithm: null, toleranceDays: null, tolerance: 5, tolerancePct: null, monthFirst: null },
      },
    ]);

    // The REST API sees the same config.
    const rest = await request(server.url, 'GET', `/v1/matching/configs/${config.databaseId}`, { key: own.key });
    expect(rest.body.field_mappings[1].options).toEqual({ tolerance: 5 });

    const query = `query ($id: ID!) { matchingConfig(id: $id) { __typename ... on QueryMatchingConfigSuccess { data { databaseId name } } ${ERRORS} } }`;
    for (const id of [config.id, config.databaseId]) {
      const fetched = await graphql(server.url, query, { id }, own.key);
      expect(fetched.body.data.matchingConfig.data).toEqual({ databaseId: config.databaseId, name: 'GraphQL config' });
    }
    const missing = await graphql(server.url, query, { id: NIL_UUID }, own.key);
    expect(missing.body.data.matchingConfig).toMatchObject({ __typename: 'NotFoundError', code: 'not_found' });
    const stranger = await server.newWorkspace('graphql-stranger');
    const foreign = await graphql(server.url, query, { id: config.id }, stranger.key);
    expect(foreign.body.data.matchingConfig.__typename).toBe('NotFoundError');
  });

  it('takes windows of expected differences, shows them, and refuses a window whose start is after its end', async () => {
    const created = await create(
      input({
        fieldMappings: [
          {
            source: 'posted',
            target: 'revenue',
            strategy: 'DATE_RANGE',
            weight: 0.5,
            options: { minDifferenceDays: 0, maxDifferenceDays: 5 },
          },
          {
            source: 'amount',
            target: 'revenue',
            strategy: 'NUMERIC_RANGE',
            weight: 0.5,
            options: { minDifferencePct: -1, maxDifferencePct: 2.5 },
          },
        ],
      }),
    );
    expect(created.body.errors).toBeUndefined();
    const windows = `{ fieldMappings { options { toleranceDays minDifferenceDays maxDifferenceDays minDifference maxDifference minDifferencePct maxDifferencePct } } }`;
    const config = created.body.data.createMatchingConfig.data;
    const read = await graphql(
      server.url,
      `query ($id: ID!) { matchingConfig(id: $id) { ... on QueryMatchingConfigSuccess { data ${windows} } } }`,
      { id: config.id },
      own.key,
    );
    const none = {
      toleranceDays: null,
      minDifferenceDays: null,
      maxDifferenceDays: null,
      minDifference: null,
      maxDifference: null,
      minDifferencePct: null,
      maxDifferencePct: null,
    };
    expect(read.body.data.matchingConfig.data.fieldMappings.map((m: { options: unknown }) => m.options)).toEqual([
      { ...none, minDifferenceDays: 0, maxDifferenceDays: 5 },
      { ...none, minDifferencePct: -1, maxDifferencePct: 2.5 },
    ]);
    const rest = await request(server.url, 'GET', `/v1/matching/configs/${config.databaseId}`, { key: own.key });
    expect(rest.body.field_mappings[0].options).toEqual({ min_difference_days: 0, max_difference_days: 5 });

    const reversed = await create(
      input({
        fieldMappings: [
          {
            source: 'posted',
            target: 'revenue',
            strategy: 'DATE_RANGE',
            weight: 1,
            options: { minDifferenceDays: 5, maxDifferenceDays: 0 },
          },
        ],
      }),
    );
    const error = reversed.body.data.createMatchingConfig;
    expect(error.__typename).toBe('ValidationError');
    expect(error.details).toContainEqual({
      path: 'fieldMappings[0].options.minDifferenceDays',
      message: "the window's start (min) must not be greater than its end (max)",
    });
  });

  it('takes monthFirst on a DATE_RANGE mapping and shows it in both APIs', async () => {
    const created = await create(
      input({
        fieldMappings: [
          { source: 'posted', target: 'revenue', strategy: 'DATE_RANGE', weight: 1, options: { toleranceDays: 3, monthFirst: true } },
        ],
      }),
    );
    const config = created.body.data.createMatchingConfig.data;
    expect(config.fieldMappings[0].options).toEqual({
      algorithm: null,
      toleranceDays: 3,
      tolerance: null,
      tolerancePct: null,
      monthFirst: true,
    });
    const rest = await request(server.url, 'GET', `/v1/matching/configs/${config.databaseId}`, { key: own.key });
    expect(rest.body.field_mappings[0].options).toEqual({ tolerance_days: 3, month_first: true });
  });

  it('accepts a Dataset global id for referenceDataId; null in a whole config means the default', async () => {
    const globalId = Buffer.from(`Dataset:${reference.id}`).toString('base64');
    const created = await create(input({ referenceDataId: globalId, threshold: null, oneToOne: null, schedule: null }));
    expect(created.body.data.createMatchingConfig.data).toMatchObject({
      referenceData: { databaseId: reference.id },
      threshold: 0.85,
      oneToOne: false,
      schedule: null,
    });
  });

  it('pages through matchingConfigs(first, after) without duplicates', async () => {
    const pager = await server.newWorkspace('graphql-paging');
    const ref = await createDataset(pager.key, 'reference', { name: 'R', data: [{ name: 'a' }] });
    for (let i = 0; i < 5; i++) {
      const created = await create(
        { name: `C${i}`, referenceDataId: ref.id, fieldMappings: [{ source: 's', target: 'name', strategy: 'EXACT', weight: 1 }] },
        pager.key,
      );
      expect(created.body.data.createMatchingConfig.__typename).toBe('MutationCreateMatchingConfigSuccess');
    }
    const query = `query ($after: String) {
      matchingConfigs(first: 2, after: $after) { totalCount edges { cursor node { name referenceData { databaseId } sourceData { databaseId } } } pageInfo { hasNextPage endCursor } }
    }`;
    const names: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const response: { body: { data?: any; errors?: unknown } } = await graphql(server.url, query, { after }, pager.key);
      expect(response.body.errors).toBeUndefined();
      const connection: any = response.body.data.matchingConfigs;
      expect(connection.totalCount).toBe(5);
      names.push(...connection.edges.map((edge: { node: { name: string } }) => edge.node.name));
      for (const edge of connection.edges) expect(edge.node).toMatchObject({ referenceData: { databaseId: ref.id }, sourceData: null });
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(names).toEqual(['C4', 'C3', 'C2', 'C1', 'C0']);
    const bad = await graphql(server.url, '{ matchingConfigs(after: "garbage") { totalCount } }', {}, pager.key);
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('validation_error');
  });

  it('returns validation problems as a typed ValidationError with camelCase paths', async () => {
    const response = await create(
      input({
        referenceDataId: NIL_UUID,
        threshold: 2,
        fieldMappings: [
          { source: 'company', target: 'name', strategy: 'EXACT', weight: 0.7, options: { algorithm: 'LEVENSHTEIN' } },
          { source: 'amount', target: 'revenue', strategy: 'DATE_RANGE', weight: 0.2, options: { toleranceDays: -1 } },
        ],
        schedule: 'whenever',
      }),
    );
    const result = response.body.data.createMatchingConfig;
    expect(result.__typename).toBe('ValidationError');
    expect(result.code).toBe('validation_error');
    const paths = result.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'referenceDataId',
        'threshold',
        'fieldMappings',
        'fieldMappings[0].options.algorithm',
        'fieldMappings[1].options.toleranceDays',
        'schedule',
      ]),
    );
  });

  it('replaces, updates (merging) and deletes; reference data stays immutable', async () => {
    const created = await create(input({ threshold: 0.6, oneToOne: true }));
    const id = created.body.data.createMatchingConfig.data.id;
    const replace = await graphql(
      server.url,
      `mutation ($id: ID!, $input: MatchingConfigInput!) {
        replaceMatchingConfig(id: $id, input: $input) { __typename ... on MutationReplaceMatchingConfigSuccess { data { ${CONFIG_FIELDS} } } ${ERRORS} }
      }`,
      { id, input: { name: 'Replaced', fieldMappings: [{ source: 'company', target: 'city', strategy: 'PHONETIC', weight: 1 }] } },
      own.key,
    );
    expect(replace.body.data.replaceMatchingConfig.data).toMatchObject({ name: 'Replaced', threshold: 0.85, oneToOne: false });

    const update = (patch: Record<string, unknown>) =>
      graphql(
        server.url,
        `mutation ($id: ID!, $input: MatchingConfigPatch!) {
          updateMatchingConfig(id: $id, input: $input) { __typename ... on MutationUpdateMatchingConfigSuccess { data { ${CONFIG_FIELDS} } } ${ERRORS} }
        }`,
        { id, input: patch },
        own.key,
      );
    const patched = await update({ schedule: '30 2 * * *', oneToOne: true });
    expect(patched.body.data.updateMatchingConfig.data).toMatchObject({ name: 'Replaced', schedule: '30 2 * * *', oneToOne: true });
    const cleared = await update({ schedule: null });
    expect(cleared.body.data.updateMatchingConfig.data.schedule).toBeNull();

    const other = await createDataset(own.key, 'reference', { name: 'Other', data: [{ name: 'x' }] });
    const immutable = await update({ referenceDataId: other.id });
    expect(immutable.body.data.updateMatchingConfig.__typename).toBe('ValidationError');
    expect(immutable.body.data.updateMatchingConfig.details).toEqual([
      { path: 'referenceDataId', message: expect.stringMatching(/cannot be changed/) },
    ]);

    const readKey = await own.keyWithScopes(['read']);
    const denied = await graphql(server.url, `mutation ($id: ID!) { deleteMatchingConfig(id: $id) { __typename } }`, { id }, readKey);
    expect(denied.body.errors?.[0]?.extensions?.code).toBe('insufficient_scope');

    const del = `mutation ($id: ID!) {
      deleteMatchingConfig(id: $id) { __typename ... on MutationDeleteMatchingConfigSuccess { data { databaseId } } ${ERRORS} }
    }`;
    const deleted = await graphql(server.url, del, { id }, own.key);
    expect(deleted.body.data.deleteMatchingConfig.__typename).toBe('MutationDeleteMatchingConfigSuccess');
    const again = await graphql(server.url, del, { id }, own.key);
    expect(again.body.data.deleteMatchingConfig.__typename).toBe('NotFoundError');
  });

  it('refuses without a key', async () => {
    const response = await graphql(
      server.url,
      'mutation ($input: MatchingConfigInput!) { createMatchingConfig(input: $input) { __typename } }',
      { input: input() },
    );
    expect(response.body.errors?.[0]?.extensions?.code).toBe('unauthorized');
  });
});
