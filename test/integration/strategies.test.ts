import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { expectErrorShape, graphql, request } from '../support/http';
import { completeRun } from '../../src/modules/runs/execute';
import { runReviewPass, type ReviewPage } from '../../src/modules/runs/review-pass';
import { reviewLabels } from '../../src/modules/strategies/store';
import { startWorker, type RunningWorker } from '../../src/worker';
import { FEBRL_MAPPINGS, setupFebrl, waitForRun, type FebrlSetup } from './runs-fixture';
import { fixture, uploadForm } from '../support/fixtures';

let server: TestServer;
let worker: RunningWorker;
let workspace: TestWorkspace;
let febrl: FebrlSetup;
let strategy: any;
const clients: Client[] = [];

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const generate = (json: unknown, key = workspace.key) => request(server.url, 'POST', '/v1/matching/strategies/generate', { key, json });

beforeAll(async () => {
  server = await startTestServer({ RUN_CHUNK_SIZE: 1000, RUN_WORKER: false, RUN_PROGRESS_INTERVAL_MS: 0 });
  worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
  workspace = await server.newWorkspace('strategies');
  febrl = await setupFebrl(server.url, workspace.key);
  const response = await generate({ matching_config_id: febrl.configId });
  expect(response.status, JSON.stringify(response.body).slice(0, 2000)).toBe(201);
  strategy = response.body;
}, 180_000);

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await worker?.stop();
  await server?.close();
});

/** Predicted (source external id → reference external id) pairs of a run, scored against FEBRL4's rec-N truth. */
async function f1Of(runId: string): Promise<number> {
  let truePositives = 0;
  let predicted = 0;
  for (let page = 1; ; page++) {
    const response = await request(server.url, 'GET', `/v1/matching/runs/${runId}/results?matched=true&limit=500&page=${page}`, {
      key: workspace.key,
    });
    expect(response.status).toBe(200);
    for (const result of response.body.data) {
      predicted++;
      if (result.document_id.split('-')[1] === String(result.matched_reference_external_id).split('-')[1]) truePositives++;
    }
    if (response.body.data.length < 500) break;
  }
  const precision = truePositives / predicted;
  const recall = truePositives / 5000;
  return (2 * precision * recall) / (precision + recall);
}

describe('strategy generation', { timeout: 180_000 }, () => {
  it('generates a versioned strategy with mappings, rationales, blocking, a Fellegi–Sunter model and a review band', () => {
    expect(strategy).toMatchObject({
      matching_config_id: febrl.configId,
      reference_data_id: febrl.referenceId,
      source_data_id: febrl.sourceId,
      version: 1,
      labels_used: 0,
      user_prompt: null,
      links: { self: `/v1/matching/strategies/${strategy.id}` },
    });
    expect(strategy.version_hash).toMatch(/^[0-9a-f]{16}$/);
    const targets = strategy.field_mappings.map((mapping: any) => mapping.target);
    expect(targets).toEqual(expect.arrayContaining(['given_name', 'surname', 'date_of_birth']));
    // rec_id is an identifier unique per row that never agrees across the tables: not a field to compare.
    expect(targets).not.toContain('rec_id');
    expect(strategy.mappings.length).toBeGreaterThan(0);
    for (const mapping of strategy.mappings) {
      expect(typeof mapping.rationale).toBe('string');
      expect(mapping.rationale.length).toBeGreaterThan(20);
      expect(mapping.rationale).toMatch(/\d/); // it rests on figures
    }
    expect(strategy.model).not.toBeNull();
    expect(strategy.blocking?.keys?.length).toBeGreaterThan(0);
    expect(strategy.threshold).toBeGreaterThan(0);
    expect(strategy.threshold).toBeLessThan(1);
    expect(strategy.review_band.low).toBeLessThanOrEqual(strategy.review_band.high);
  });

  it('is deterministic: the same data gives the same plan and version hash', async () => {
    const again = await generate({ matching_config_id: febrl.configId });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(strategy.id);
    expect(again.body.version_hash).toBe(strategy.version_hash);
    expect(again.body.field_mappings).toEqual(strategy.field_mappings);
    expect(again.body.model).toEqual(strategy.model);
    expect(again.body.mappings).toEqual(strategy.mappings);
  });

  it('GET one, list by config (cursor pages), 404 for unknown ids', async () => {
    const one = await request(server.url, 'GET', `/v1/matching/strategies/${strategy.id}`, { key: workspace.key });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(strategy);
    const page = await request(server.url, 'GET', `/v1/matching/strategies?config_id=${febrl.configId}&limit=1`, { key: workspace.key });
    expect(page.status).toBe(200);
    expect(page.body.data).toHaveLength(1);
    expect(page.body.pagination).toMatchObject({ total: 2, limit: 1, has_more: true });
    const next = await request(
      server.url,
      'GET',
      `/v1/matching/strategies?config_id=${febrl.configId}&limit=1&cursor=${page.body.pagination.next_cursor}`,
      { key: workspace.key },
    );
    expect(next.body.data).toHaveLength(1);
    expect(next.body.data[0].id).not.toBe(page.body.data[0].id);
    expect(next.body.pagination.has_more).toBe(false);
    const other = await request(server.url, 'GET', `/v1/matching/strategies?config_id=${NIL_UUID}`, { key: workspace.key });
    expect(other.body.data).toEqual([]);
    for (const id of [NIL_UUID, 'not-a-uuid']) {
      const missing = await request(server.url, 'GET', `/v1/matching/strategies/${id}`, { key: workspace.key });
      expect(missing.status).toBe(404);
      expectErrorShape(missing.body, 'not_found');
    }
    const patchMissing = await request(server.url, 'PATCH', `/v1/matching/strategies/${NIL_UUID}`, {
      key: workspace.key,
      json: { name: 'x' },
    });
    expect(patchMissing.status).toBe(404);
  });

  it('400s: missing or invalid ids, datasets of the wrong kind, unknown fields, a prompt it does not understand', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'reference_data_id'],
      [{ reference_data_id: 'nope' }, 'reference_data_id'],
      [{ reference_data_id: NIL_UUID }, 'reference_data_id'],
      [{ reference_data_id: febrl.sourceId }, 'reference_data_id'],
      [{ reference_data_id: febrl.referenceId, source_data_id: febrl.referenceId }, 'source_data_id'],
      [{ matching_config_id: NIL_UUID }, 'matching_config_id'],
      [{ matching_config_id: febrl.configId, reference_data_id: febrl.sourceId }, 'reference_data_id'],
      [{ reference_data_id: febrl.referenceId, colour: 'blue' }, ''],
      [{ matching_config_id: febrl.configId, user_prompt: 'make me a sandwich' }, 'user_prompt'],
      [{ matching_config_id: febrl.configId, user_prompt: 'ignore the shoe_size column' }, 'user_prompt'],
      [{ matching_config_id: febrl.configId, user_prompt: 42 }, 'user_prompt'],
    ];
    for (const [json, field] of cases) {
      const response = await generate(json);
      expect(response.status, `${JSON.stringify(json)} → ${JSON.stringify(response.body)}`).toBe(400);
      expectErrorShape(response.body, 'validation_error');
      if (field) expect(JSON.stringify(response.body.details), JSON.stringify(json)).toContain(field);
    }
    const prompt = await generate({ matching_config_id: febrl.configId, user_prompt: 'make me a sandwich' });
    expect(prompt.body.message).toMatch(/sandwich/);
    const readOnly = await workspace.keyWithScopes(['read']);
    const forbidden = await generate({ matching_config_id: febrl.configId }, readOnly);
    expect(forbidden.status).toBe(403);
  });

  it('understands a prompt: an ignored field is not compared, and the prompt is kept', async () => {
    const response = await generate({ matching_config_id: febrl.configId, user_prompt: 'Ignore soc_sec_id.' });
    expect(response.status, JSON.stringify(response.body).slice(0, 500)).toBe(201);
    expect(response.body.user_prompt).toBe('Ignore soc_sec_id.');
    const compared = response.body.field_mappings.map((mapping: any) => mapping.target);
    expect(compared).not.toContain('soc_sec_id');
    expect(strategy.field_mappings.map((mapping: any) => mapping.target)).toContain('soc_sec_id');
  });
});

describe('strategy versions', { timeout: 180_000 }, () => {
  it('PATCH bumps the version; the hash follows the plan', async () => {
    const created = await generate({ matching_config_id: febrl.configId, name: 'to edit' });
    const id = created.body.id;
    const v2 = await request(server.url, 'PATCH', `/v1/matching/strategies/${id}`, { key: workspace.key, json: { threshold: 0.42 } });
    expect(v2.status, JSON.stringify(v2.body).slice(0, 500)).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, threshold: 0.42, name: 'to edit' });
    expect(v2.body.version_hash).not.toBe(created.body.version_hash);
    const v3 = await request(server.url, 'PATCH', `/v1/matching/strategies/${id}`, { key: workspace.key, json: { name: 'renamed' } });
    expect(v3.body).toMatchObject({ version: 3, name: 'renamed', threshold: 0.42 });
    expect(v3.body.version_hash).toBe(v2.body.version_hash);
    const v4 = await request(server.url, 'PATCH', `/v1/matching/strategies/${id}`, {
      key: workspace.key,
      json: { review_band: { low: 0.15, high: 0.85 } },
    });
    expect(v4.body).toMatchObject({ version: 4, review_band: { low: 0.15, high: 0.85 } });
    expect(v4.body.version_hash).not.toBe(v3.body.version_hash);

    for (const json of [{}, { threshold: 2 }, { review_band: { low: 0.9, high: 0.1 } }, { version: 9 }, { user_prompt: 'sing a song' }]) {
      const bad = await request(server.url, 'PATCH', `/v1/matching/strategies/${id}`, { key: workspace.key, json });
      expect(bad.status, JSON.stringify(json)).toBe(400);
      expectErrorShape(bad.body, 'validation_error');
    }
    const unchanged = await request(server.url, 'GET', `/v1/matching/strategies/${id}`, { key: workspace.key });
    expect(unchanged.body.version).toBe(4);
  });
});

describe('smart runs', { timeout: 240_000 }, () => {
  let smartRunId: string;
  /** The reviews of the learning test: the pair each result showed and the verdict on it. */
  const reviews: Array<{ documentId: string; referenceRowId: string; status: 'approved' | 'rejected' }> = [];

  it('a smart run with a generated strategy goes through ai_resolving (seen in events) and reaches F1 ≥ 0.98 on FEBRL4', async () => {
    const client = createClient({
      url: `${server.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${workspace.key}` },
      retryAttempts: 0,
    });
    clients.push(client);
    // Subscribe before the run exists: runsUpdated(configId) sees it from queued on.
    const iterator = client.iterate<{ runsUpdated: any }>({
      query: 'subscription($c: ID) { runsUpdated(configId: $c) { databaseId status phase } }',
      variables: { c: febrl.configId },
    });
    const events: any[] = [];
    const collecting = (async () => {
      for await (const result of iterator) {
        events.push(result.data!.runsUpdated);
        if (result.data!.runsUpdated.status === 'COMPLETED' && result.data!.runsUpdated.databaseId === smartRunId) break;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/smart-run`, {
      key: workspace.key,
      json: { strategy_id: strategy.id },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toMatchObject({ strategy_id: strategy.id, strategy_version: 1 });
    smartRunId = started.body.id;
    const done = await waitForRun(server.url, workspace.key, smartRunId);
    expect(done.status, JSON.stringify(done).slice(0, 500)).toBe('completed');
    await Promise.race([collecting, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    const statuses = events.filter((event) => event.databaseId === smartRunId).map((event) => event.status);
    expect(statuses).toContain('AI_RESOLVING');
    expect(statuses.indexOf('AI_RESOLVING')).toBeGreaterThan(statuses.indexOf('RUNNING'));
    expect(statuses[statuses.length - 1]).toBe('COMPLETED');
    for (const result of done.results) {
      expect(result.confidence).toBeGreaterThanOrEqual(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
    }
    expect(await f1Of(smartRunId)).toBeGreaterThanOrEqual(0.98);
  });

  it('ai-resolve repeats the second pass on a completed smart run; other runs are a 409', async () => {
    const again = await request(server.url, 'POST', `/v1/matching/runs/${smartRunId}/ai-resolve`, { key: workspace.key });
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    expect(again.body.status).toBe('ai_resolving');
    const busy = await request(server.url, 'POST', `/v1/matching/runs/${smartRunId}/ai-resolve`, { key: workspace.key });
    if (busy.status !== 202) {
      expect(busy.status).toBe(409);
      expectErrorShape(busy.body, 'conflict');
    }
    const done = await waitForRun(server.url, workspace.key, smartRunId);
    expect(done.status).toBe('completed');
    expect(done.completed_at).not.toBeNull();

    const manual = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, { key: workspace.key });
    await waitForRun(server.url, workspace.key, manual.body.id);
    const refused = await request(server.url, 'POST', `/v1/matching/runs/${manual.body.id}/ai-resolve`, { key: workspace.key });
    expect(refused.status).toBe(409);
    expectErrorShape(refused.body, 'conflict');
    const missing = await request(server.url, 'POST', `/v1/matching/runs/${NIL_UUID}/ai-resolve`, { key: workspace.key });
    expect(missing.status).toBe(404);
  });

  it('reviews are labels: learn_from_reviews makes a version that says how many it used', async () => {
    const page = await request(server.url, 'GET', `/v1/matching/runs/${smartRunId}/results?matched=true&limit=30`, { key: workspace.key });
    const reviewed = page.body.data.slice(0, 12);
    for (const [index, result] of reviewed.entries()) {
      const truth = result.document_id.split('-')[1] === String(result.matched_reference_external_id).split('-')[1];
      const status = index % 4 === 3 || !truth ? 'rejected' : 'approved';
      const response = await request(server.url, 'POST', `/v1/matching/runs/${smartRunId}/results/${result.id}/review`, {
        key: workspace.key,
        json: { status },
      });
      expect(response.status).toBe(200);
      reviews.push({ documentId: result.document_id, referenceRowId: result.matched_reference_row_id, status });
    }
    const learned = await request(server.url, 'PATCH', `/v1/matching/strategies/${strategy.id}`, {
      key: workspace.key,
      json: { learn_from_reviews: true },
    });
    expect(learned.status, JSON.stringify(learned.body).slice(0, 500)).toBe(200);
    expect(learned.body).toMatchObject({ version: 2, labels_used: 12 });
    expect(learned.body.version_hash).not.toBe(strategy.version_hash);

    const fresh = await generate({ matching_config_id: febrl.configId });
    expect(fresh.body.labels_used).toBe(12);
    const withoutReviews = await generate({ matching_config_id: febrl.configId, use_reviews: false });
    expect(withoutReviews.body.labels_used).toBe(0);
    expect(withoutReviews.body.version_hash).toBe(strategy.version_hash);
  });

  it('a learned version keeps its reviews: a smart run with it matches each approved pair (confidence 1) and never proposes a rejected one', async () => {
    expect(reviews.filter((r) => r.status === 'rejected').length).toBeGreaterThan(0);
    expect(reviews.filter((r) => r.status === 'approved').length).toBeGreaterThan(0);
    const started = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/smart-run`, {
      key: workspace.key,
      json: { strategy_id: strategy.id },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.strategy_version).toBe(2);
    const done = await waitForRun(server.url, workspace.key, started.body.id);
    expect(done.status).toBe('completed');
    const results = await server.app.sql<
      {
        external_id: string;
        matched_reference_row_id: string | null;
        confidence: number;
        candidates: Array<{ referenceRowId: string }>;
        status: string;
        reviewed_at: Date | null;
      }[]
    >`select s.external_id, r.matched_reference_row_id, r.confidence, r.candidates, r.status, r.reviewed_at
      from run_results r join dataset_rows s on s.id = r.source_row_id
      where r.run_id = ${started.body.id} and s.external_id = any(${reviews.map((r) => r.documentId)})`;
    expect(results).toHaveLength(reviews.length);
    for (const review of reviews) {
      const result = results.find((r) => r.external_id === review.documentId)!;
      if (review.status === 'approved') {
        // The decided match, approved by the kept decision (no one reviewed this run's result: reviewed_at null).
        expect(result, review.documentId).toMatchObject({
          matched_reference_row_id: review.referenceRowId,
          confidence: 1,
          status: 'approved',
          reviewed_at: null,
        });
      } else {
        expect(result.matched_reference_row_id, review.documentId).not.toBe(review.referenceRowId);
        expect(result.candidates.map((c) => c.referenceRowId)).not.toContain(review.referenceRowId);
        // The row's next candidate is the model's proposal, still to be reviewed.
        expect(result.status, review.documentId).toBe('pending');
      }
    }
    // Results approved by kept decisions are not new reviews: the labels are the reviewers' alone.
    expect(await reviewLabels(server.app.sql, workspace.id, febrl.referenceId)).toHaveLength(reviews.length);
  });

  it('learning reads a review as the API defines it: the pair a result shows (matched row, or best candidate without a match) labelled by approve/reject', async () => {
    // A run of the hand-written config: about a fifth of its rows stay below the threshold, with candidates.
    const started = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/run`, { key: workspace.key });
    const runId = (await waitForRun(server.url, workspace.key, started.body.id)).id as string;
    // Source rows no earlier test reviewed (in any run), so each has exactly the label this test gives it.
    const reviewedBefore = new Set(
      (
        await server.app.sql<{ external_id: string }[]>`
        select s.external_id from run_results r join dataset_rows s on s.id = r.source_row_id where r.status <> 'pending'`
      ).map((row) => row.external_id),
    );
    const pending = async (matched: boolean) => {
      const page = await request(server.url, 'GET', `/v1/matching/runs/${runId}/results?matched=${matched}&status=pending&limit=50`, {
        key: workspace.key,
      });
      expect(page.status).toBe(200);
      return page.body.data.filter((result: any) => result.candidates.length > 0 && !reviewedBefore.has(result.document_id)).slice(0, 2);
    };
    const [matchedApproved, matchedRejected] = await pending(true);
    const [unmatchedApproved, unmatchedRejected] = await pending(false);
    const decisions = [
      { result: matchedApproved, status: 'approved', label: true }, // the matched row is the match
      { result: matchedRejected, status: 'rejected', label: false }, // it is not
      { result: unmatchedApproved, status: 'approved', label: false }, // no match: the shown best candidate is not one
      { result: unmatchedRejected, status: 'rejected', label: true }, // "no match" is wrong: the shown best candidate is the match
    ];
    for (const { result, status } of decisions) {
      expect(result, 'a result to review').toBeDefined();
      const reviewed = await request(server.url, 'POST', `/v1/matching/runs/${runId}/results/${result.id}/review`, {
        key: workspace.key,
        json: { status },
      });
      expect(reviewed.status).toBe(200);
    }
    const shownIds = decisions.map(({ result }) => result.matched_reference_row_id ?? result.candidates[0].reference_row_id);
    const shown = await server.app.sql<
      { id: string; external_id: string }[]
    >`select id, external_id from dataset_rows where id = any(${shownIds}::uuid[])`;
    const externalOf = new Map(shown.map((row) => [row.id, row.external_id]));

    const labels = await reviewLabels(server.app.sql, workspace.id, febrl.referenceId);
    for (const [index, { result, label }] of decisions.entries()) {
      const found = labels.filter((pair) => pair.source.rec_id === result.document_id);
      expect(found, `label of ${result.document_id}`).toEqual([
        expect.objectContaining({ reference: expect.objectContaining({ rec_id: externalOf.get(shownIds[index]!) }), match: label }),
      ]);
      // Only the approval of a result without a match says the row has none at all.
      expect(found[0]!.rowHasNoMatch ?? false, result.document_id).toBe(result === unmatchedApproved);
    }

    // A version learnt from these reviews keeps them: in its run the row approved without a match has none (and no
    // candidate), and the one whose "no match" was rejected is matched to the candidate it showed.
    const learned = await request(server.url, 'PATCH', `/v1/matching/strategies/${strategy.id}`, {
      key: workspace.key,
      json: { learn_from_reviews: true },
    });
    expect(learned.status, JSON.stringify(learned.body).slice(0, 500)).toBe(200);
    const smart = await request(server.url, 'POST', `/v1/matching/configs/${febrl.configId}/smart-run`, {
      key: workspace.key,
      json: { strategy_id: strategy.id },
    });
    expect(smart.status, JSON.stringify(smart.body)).toBe(202);
    expect(smart.body.strategy_version).toBe(learned.body.version);
    expect((await waitForRun(server.url, workspace.key, smart.body.id)).status).toBe('completed');
    const resultOf = async (documentId: string) => {
      const [row] = await server.app.sql<
        { matched_reference_row_id: string | null; confidence: number; candidates: unknown[]; status: string }[]
      >`
        select r.matched_reference_row_id, r.confidence, r.candidates, r.status
        from run_results r join dataset_rows s on s.id = r.source_row_id
        where r.run_id = ${smart.body.id} and s.external_id = ${documentId}`;
      return row;
    };
    expect(await resultOf(unmatchedApproved.document_id)).toEqual({
      matched_reference_row_id: null,
      confidence: 0,
      candidates: [],
      status: 'approved',
    });
    expect(await resultOf(unmatchedRejected.document_id)).toMatchObject({
      matched_reference_row_id: unmatchedRejected.candidates[0].reference_row_id,
      confidence: 1,
      status: 'approved',
    });
  });

  it('one to one holds through the review pass: no reference row is matched twice, after it or after any page of it; a page loads only its candidates', async () => {
    // FEBRL3 as linkage: originals as reference, their 1–9 duplicates as source, so several source rows compete
    // for each reference row, and many of them fall in the review band.
    const [header, ...lines] = fixture('febrl3/dataset3.csv').toString('utf8').trim().split('\n');
    const csv = (keep: (line: string) => boolean) => [header, ...lines.filter(keep)].join('\n');
    const upload = async (path: string, name: string, file: string) => {
      const response = await request(server.url, 'POST', path, {
        key: workspace.key,
        body: uploadForm(file, `${name}.csv`, { name, id_column: 'rec_id' }),
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body.id as string;
    };
    const referenceId = await upload(
      '/v1/reference-data',
      'febrl3 originals',
      csv((line) => line.includes('-org,')),
    );
    const sourceId = await upload(
      '/v1/source-data',
      'febrl3 duplicates',
      csv((line) => line.includes('-dup-')),
    );
    const config = await request(server.url, 'POST', '/v1/matching/configs', {
      key: workspace.key,
      json: {
        name: 'febrl3 one to one',
        reference_data_id: referenceId,
        source_data_id: sourceId,
        field_mappings: FEBRL_MAPPINGS,
        threshold: 0.8,
        one_to_one: true,
      },
    });
    expect(config.status, JSON.stringify(config.body)).toBe(201);
    const generated = await generate({ matching_config_id: config.body.id, user_prompt: 'one to one' });
    expect(generated.status, JSON.stringify(generated.body).slice(0, 500)).toBe(201);
    // The whole range as review band: the second pass rescores every row.
    const widened = await request(server.url, 'PATCH', `/v1/matching/strategies/${generated.body.id}`, {
      key: workspace.key,
      json: { review_band: { low: 0, high: 1 } },
    });
    expect(widened.status, JSON.stringify(widened.body).slice(0, 500)).toBe(200);
    const started = await request(server.url, 'POST', `/v1/matching/configs/${config.body.id}/smart-run`, {
      key: workspace.key,
      json: { strategy_id: generated.body.id },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const done = await waitForRun(server.url, workspace.key, started.body.id);
    expect(done.status).toBe('completed');

    const [counts] = await server.app.sql<{ matched: number; distinct_references: number; reviewed: number }[]>`
      select count(matched_reference_row_id)::int as matched, count(distinct matched_reference_row_id)::int as distinct_references,
        count(*) filter (where evidence @> '[{"source": "*"}]')::int as reviewed
      from run_results where run_id = ${started.body.id}`;
    expect(counts!.reviewed).toBeGreaterThan(0); // the review pass rescored rows
    expect(counts!.matched).toBeGreaterThan(1000);
    expect(counts!.distinct_references).toBe(counts!.matched);
    expect(done.rows_matched).toBe(counts!.matched);

    // The pass again (as ai-resolve runs it), watched page by page: after every page the run is still one-to-one
    // (a pass never gives a reference row another row holds, so a pass cut short leaves it so too), and a page
    // loads only its band rows' candidate reference rows.
    await server.app.sql`update runs set status = 'ai_resolving', phase = 'ai_resolving' where id = ${started.body.id}`;
    const pages: ReviewPage[] = [];
    await runReviewPass(
      server.app,
      started.body.id,
      (id) => completeRun(server.app, id),
      async (page) => {
        pages.push(page);
        const [now] = await server.app.sql<{ matched: number; distinct_references: number }[]>`
        select count(matched_reference_row_id)::int as matched, count(distinct matched_reference_row_id)::int as distinct_references
        from run_results where run_id = ${started.body.id}`;
        expect(now!.distinct_references, `after page ${pages.length}`).toBe(now!.matched);
      },
    );
    const [sizes] = await server.app.sql<
      { band: number }[]
    >`select count(*)::int as band from run_results where run_id = ${started.body.id}`;
    expect(pages.reduce((sum, page) => sum + page.bandRows, 0)).toBe(sizes!.band); // band [0, 1]: every row
    for (const page of pages) {
      expect(page.bandRows).toBeLessThanOrEqual(500);
      expect(page.candidateIds).toBeLessThanOrEqual(5 * page.bandRows);
      expect(page.referenceRowsLoaded).toBeLessThanOrEqual(page.candidateIds);
    }
    const again = await request(server.url, 'GET', `/v1/matching/runs/${started.body.id}`, { key: workspace.key });
    expect(again.body.status).toBe('completed');
    const [after] = await server.app.sql<{ matched: number; distinct_references: number }[]>`
      select count(matched_reference_row_id)::int as matched, count(distinct matched_reference_row_id)::int as distinct_references
      from run_results where run_id = ${started.body.id}`;
    expect(after!.distinct_references).toBe(after!.matched);
    expect(again.body.rows_matched).toBe(after!.matched);
  });

  it('GraphQL: generateStrategy, strategy and strategies', async () => {
    const created = await graphql(
      server.url,
      `mutation($c: ID) { generateStrategy(input: { matchingConfigId: $c, useReviews: false }) {
        __typename ... on MutationGenerateStrategySuccess { data { id version versionHash labelsUsed threshold reviewBand { low high } fieldMappings { source target strategy } mappings } }
        ... on Error { message } } }`,
      { c: febrl.configId },
      workspace.key,
    );
    expect(created.body.errors).toBeUndefined();
    const data = created.body.data.generateStrategy.data;
    expect(data).toMatchObject({ version: 1, versionHash: strategy.version_hash, labelsUsed: 0 });
    const read = await graphql(
      server.url,
      `query($id: ID!, $c: ID) { strategy(id: $id) { ... on QueryStrategySuccess { data { id name } } }
        strategies(first: 100, configId: $c) { totalCount edges { node { id } } } }`,
      { id: data.id, c: febrl.configId },
      workspace.key,
    );
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data.strategy.data.id).toBe(data.id);
    expect(read.body.data.strategies.edges.map((edge: any) => edge.node.id)).toContain(data.id);
    const bad = await graphql(
      server.url,
      `mutation { generateStrategy(input: {}) { __typename ... on Error { message } } }`,
      {},
      workspace.key,
    );
    expect(bad.body.data.generateStrategy.__typename).toBe('ValidationError');
  });
});
