/** Shared setup of the runs tests: FEBRL4 uploaded as reference (4a) and source (4b) data, and a config over them. */
import { expect } from 'vitest';
import { request } from '../support/http';
import { fixture, uploadForm } from '../support/fixtures';

export const FEBRL_MAPPINGS = [
  { source: 'given_name', target: 'given_name', strategy: 'fuzzy', weight: 0.25, options: { algorithm: 'jaro_winkler' } },
  { source: 'surname', target: 'surname', strategy: 'fuzzy', weight: 0.25, options: { algorithm: 'jaro_winkler' } },
  { source: 'date_of_birth', target: 'date_of_birth', strategy: 'exact', weight: 0.2 },
  { source: 'suburb', target: 'suburb', strategy: 'fuzzy', weight: 0.15 },
  { source: 'postcode', target: 'postcode', strategy: 'exact', weight: 0.15 },
];

export interface FebrlSetup {
  referenceId: string;
  sourceId: string;
  configId: string;
}

export async function setupFebrl(url: string, key: string, configOverrides: Record<string, unknown> = {}): Promise<FebrlSetup> {
  const reference = await request(url, 'POST', '/v1/reference-data', {
    key,
    body: uploadForm(fixture('febrl4/dataset4a.csv'), 'dataset4a.csv', { name: 'febrl4a', id_column: 'rec_id' }),
  });
  expect(reference.status, JSON.stringify(reference.body)).toBe(201);
  const source = await request(url, 'POST', '/v1/source-data', {
    key,
    body: uploadForm(fixture('febrl4/dataset4b.csv'), 'dataset4b.csv', { name: 'febrl4b', id_column: 'rec_id' }),
  });
  expect(source.status, JSON.stringify(source.body)).toBe(201);
  const config = await request(url, 'POST', '/v1/matching/configs', {
    key,
    json: {
      name: 'febrl people',
      reference_data_id: reference.body.id,
      source_data_id: source.body.id,
      field_mappings: FEBRL_MAPPINGS,
      threshold: 0.8,
      ...configOverrides,
    },
  });
  expect(config.status, JSON.stringify(config.body)).toBe(201);
  return { referenceId: reference.body.id, sourceId: source.body.id, configId: config.body.id };
}

/** Polls GET /v1/matching/runs/:id until `done(run)` holds (default: a terminal status). */
export async function waitForRun(
  url: string,
  key: string,
  runId: string,
  done: (run: any) => boolean = (run) => ['completed', 'failed', 'cancelled'].includes(run.status),
  timeoutMs = 150_000,
): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await request(url, 'GET', `/v1/matching/runs/${runId}/progress`, { key });
    expect(response.status).toBe(200);
    if (done(response.body)) {
      const full = await request(url, 'GET', `/v1/matching/runs/${runId}`, { key });
      return full.body;
    }
    if (Date.now() > deadline) throw new Error(`run ${runId} did not finish: ${JSON.stringify(response.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
