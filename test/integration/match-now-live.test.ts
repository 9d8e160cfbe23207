import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { request } from '../support/http';
import { startProcess, type StartedProcess } from '../support/process';
import { setupFebrl, type FebrlSetup } from './runs-fixture';

// Row writes through one server, match-now through another process on the same database: its warm index follows the
// changes (LISTEN/NOTIFY, and the catch-up read at each request), without a restart.
let server: TestServer;
let second: StartedProcess;
let secondUrl: string;
let workspace: TestWorkspace;
let febrl: FebrlSetup;

beforeAll(async () => {
  server = await startTestServer({ RUN_WORKER: false });
  workspace = await server.newWorkspace('match-now-live');
  febrl = await setupFebrl(server.url, workspace.key);
  second = startProcess('src/main.ts', { DATABASE_URL: server.database.url, PORT: '0', LOG_LEVEL: 'info', RUN_WORKER: 'false' });
  secondUrl = (await second.waitFor(/listening on (http:\/\/[\d.]+:\d+)/, 60_000))[1]!;
}, 120_000);

afterAll(async () => {
  await second?.stop('SIGTERM');
  await server?.close();
});

const person = { given_name: 'zebediah', surname: 'quattlebaum', date_of_birth: '19310407', suburb: 'wollongbar', postcode: '2477' };

/** Matches `person` on the second process until `done` holds for its result (or fails after 20 s). */
async function matchUntil(done: (result: any) => boolean): Promise<any> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await request(secondUrl, 'POST', `/v1/matching/configs/${febrl.configId}/match`, {
      key: workspace.key,
      json: { records: [person] },
    });
    if (response.status === 200 && done(response.body.data[0])) return response.body.data[0];
    if (Date.now() > deadline) throw new Error(`not reached: ${response.status} ${JSON.stringify(response.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('warm indexes follow live reference rows in another process', { timeout: 120_000 }, () => {
  it('sees an upsert, a patch and a delete', async () => {
    const before = await matchUntil(() => true);
    expect(before.matched_reference_external_id).not.toBe('rec-new-1');

    const upsert = await request(server.url, 'POST', `/v1/reference-data/${febrl.referenceId}/rows`, {
      key: workspace.key,
      json: [{ rec_id: 'rec-new-1', ...person, street_number: '', address_1: '', address_2: '', state: 'nsw', soc_sec_id: '' }],
    });
    expect(upsert.status, JSON.stringify(upsert.body)).toBeLessThan(300);
    const added = await matchUntil((result) => result.matched_reference_external_id === 'rec-new-1');
    expect(added.confidence).toBe(1);

    const patched = await request(server.url, 'PATCH', `/v1/reference-data/${febrl.referenceId}/rows/rec-new-1`, {
      key: workspace.key,
      json: { surname: 'quattlebaumer' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const changed = await matchUntil((result) => result.matched_reference_external_id === 'rec-new-1' && result.confidence < 1);
    expect(changed.evidence.find((item: any) => item.target_field === 'surname').reference_value).toBe('quattlebaumer');

    const deleted = await request(server.url, 'DELETE', `/v1/reference-data/${febrl.referenceId}/rows/rec-new-1`, { key: workspace.key });
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    const gone = await matchUntil((result) => result.candidates.every((candidate: any) => candidate.reference_external_id !== 'rec-new-1'));
    expect(gone.matched_reference_external_id).not.toBe('rec-new-1');
    // One build: the changes were applied to the warm index, not rebuilt.
    expect(second.output().match(/warm index ready/g)).toHaveLength(1);
  });
});
