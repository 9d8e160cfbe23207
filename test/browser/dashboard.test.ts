/**
 * The dashboard in a real browser against a real server and database: key → start a run → live progress to 100 % →
 * the run's page → evidence → approve → CSV; then the docs page. Leaves screenshots in test/browser/artifacts/:
 * runs.png (the list with the finished run) and dashboard.png (the run's page with its results and evidence).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { request } from '../support/http';
import { startWorker, type RunningWorker } from '../../src/worker';
import { setupFebrl, type FebrlSetup } from '../integration/runs-fixture';
import { BROWSER_TESTS_REQUIRED, chromiumMissing, launchChromium } from './chromium';

const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');

let server: TestServer;
let worker: RunningWorker | undefined;
let workspace: TestWorkspace;
let febrl: FebrlSetup;
let browser: Browser | undefined;
let page: Page;
/** Console errors and uncaught exceptions of the page (a CSP violation shows up here). */
const pageErrors: string[] = [];

/** expect.poll with room for a loaded machine (its default is one second). */
const waitFor = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 30_000, interval: 100 });

const missing = chromiumMissing();
// Without Chromium (a machine with only Node and npm) the tests are skipped with the notice below, unless they are
// required (CI), where launchChromium fails them with the install command.
const skip = missing !== null && !BROWSER_TESTS_REQUIRED;
if (skip) console.warn(`\n[browser tests skipped] ${missing}\n`);

describe.skipIf(skip)('dashboard', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    // First, so a missing Chromium fails at once with its install command.
    browser = await launchChromium();
    // Small chunks and frequent progress events, so the bar moves through several values on the way to 100 %.
    server = await startTestServer({ RUN_CHUNK_SIZE: 500, RUN_PROGRESS_INTERVAL_MS: 50, RUN_WORKER: false });
    workspace = await server.newWorkspace('dashboard');
    febrl = await setupFebrl(server.url, workspace.key);
    worker = await startWorker(server.app, { databaseUrl: server.database.url, schedules: false });
    // Reduced motion: no bar transition caught halfway in a screenshot.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true, reducedMotion: 'reduce' });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await server?.close();
  });

  it('runs a config live, opens the run, approves a result and downloads the CSV', async () => {
    await page.goto(server.url);
    await page.getByLabel('API key').fill(workspace.key);
    await page.getByRole('button', { name: 'Use key' }).click();
    await waitFor(() => page.locator('.session').textContent()).toContain('dashboard');

    // Start a run of the only config.
    await waitFor(() => page.getByLabel('Matching config').locator('option').count()).toBe(1);
    await page.getByRole('button', { name: 'Start run' }).click();
    const queued = await page.getByRole('status').textContent({ timeout: 30_000 });
    const shortId = /Run ([0-9a-f]{8})/.exec(queued ?? '')?.[1];
    expect(shortId, queued ?? '').toBeTruthy();
    const row = page.locator('tr', { has: page.locator(`code:text-is("${shortId}")`) });
    const bar = row.getByRole('progressbar');

    // The list is never fetched again after the start: every value the bar shows comes from runsUpdated.
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const value = await bar.getAttribute('aria-valuenow');
          if (value !== null) seen.add(value);
          return value;
        },
        { timeout: 150_000, interval: 50 },
      )
      .toBe('100');
    expect(await row.locator('.badge').textContent()).toBe('completed');
    // The start form's message follows the run: it does not say "queued" once the run has completed.
    await waitFor(() => page.getByRole('status').textContent()).toBe(`Run ${shortId} completed.`);
    expect(seen.size, `progress values seen: ${[...seen].join(', ')}`).toBeGreaterThan(1);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'runs.png') });

    // The run's page: timeline, counters, histogram and results.
    await row.getByRole('link').click();
    await waitFor(() => page.locator('#run-title .badge').textContent()).toBe('completed');
    const runId = (await page.locator('#run-title code').textContent())!;
    expect(runId.startsWith(shortId!)).toBe(true);
    await waitFor(() => page.locator('.timeline li').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('completed')]),
    );
    expect(await page.locator('.counters').textContent()).toContain('5,000');
    await waitFor(() => page.locator('.histogram li').count()).toBe(10);
    await waitFor(() => page.locator('table.results tbody tr').count()).toBe(25);

    // Filters: only matched results at or above 0.9.
    await page.getByLabel('Matched', { exact: true }).selectOption('matched');
    await page.getByLabel('Min confidence').fill('0.9');
    await page.getByLabel('Min confidence').dispatchEvent('change');
    await waitFor(async () =>
      (await page.locator('table.results tbody td.number').allTextContents()).every((text) => Number(text) >= 0.9),
    ).toBe(true);

    // Evidence of the first result, then approve it.
    const firstRow = page.locator('table.results tbody tr').first();
    const resultId = (await firstRow.getAttribute('data-result-id'))!;
    await firstRow.getByRole('button', { name: /Evidence/ }).click();
    await waitFor(() => page.locator('.evidence tbody tr').count()).toBe(5);
    expect(await page.locator('.evidence thead').textContent()).toContain('Reference value');
    // The buttons say what a review of a matched result means (the API's ReviewDecision).
    expect(await page.locator('.review button').allTextContents()).toEqual(['Approve: this is the match', 'Reject: not the match']);
    await page.getByLabel('Review notes').fill('checked in the browser test');
    await page.getByRole('button', { name: 'Approve' }).click();
    await waitFor(() => firstRow.locator('.badge').textContent()).toBe('approved');
    await waitFor(() => page.locator('.evidence .badge').first().textContent()).toBe('approved');

    const stored = await request(server.url, 'GET', `/v1/matching/runs/${runId}/results?status=approved`, { key: workspace.key });
    expect(stored.body.data).toEqual([expect.objectContaining({ id: resultId, status: 'approved', notes: 'checked in the browser test' })]);

    // The approved filter shows exactly that result.
    await page.getByLabel('Matched', { exact: true }).selectOption('any');
    await page.getByLabel('Min confidence').fill('');
    await page.getByLabel('Min confidence').dispatchEvent('change');
    await page.getByLabel('Review status').selectOption('APPROVED');
    await waitFor(() => page.locator('table.results tbody tr').count()).toBe(1);

    // A result without a match shows its best candidate, and the buttons say what approving or rejecting it means.
    await page.getByLabel('Review status').selectOption('');
    await page.getByLabel('Matched', { exact: true }).selectOption('unmatched');
    await waitFor(async () => (await page.locator('table.results tbody tr').first().textContent()) ?? '').toContain('no match');
    await page
      .locator('table.results tbody tr')
      .first()
      .getByRole('button', { name: /Evidence/ })
      .click();
    await waitFor(() => page.locator('.evidence h2').textContent()).toContain('no match');
    expect(await page.locator('.evidence thead').textContent()).toContain('Best candidate (not matched)');
    expect(await page.locator('.review button').allTextContents()).toEqual([
      'Approve: no match',
      'Reject: the candidate shown is the match',
    ]);

    await page.getByLabel('Matched', { exact: true }).selectOption('any');
    await waitFor(() => page.locator('table.results tbody tr').count()).toBe(25);
    await page
      .locator('table.results tbody tr')
      .first()
      .getByRole('button', { name: /Evidence/ })
      .click();
    await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });

    // CSV of the results with the current filters (none): fetched with the key, saved as a download.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csvPath = path.join(artifacts, 'results.csv');
    await download.saveAs(csvPath);
    const lines = readFileSync(csvPath, 'utf8').trim().split(/\r?\n/);
    expect(lines[0]).toContain('matched_reference_external_id');
    expect(lines).toHaveLength(5001);

    expect(pageErrors).toEqual([]);
  });

  it('keeps the key in sessionStorage and reloads a run by its address', async () => {
    const url = page.url();
    expect(url).toMatch(/\/runs\/[0-9a-f-]{36}$/);
    await page.reload();
    await waitFor(() => page.locator('#run-title .badge').textContent()).toBe('completed');
    expect(await page.evaluate(() => sessionStorage.getItem('concord.apiKey'))).toBe(workspace.key);
    await page.getByRole('button', { name: 'Forget key' }).click();
    await waitFor(() => page.getByLabel('API key').count()).toBe(1);
    expect(await page.evaluate(() => sessionStorage.getItem('concord.apiKey'))).toBeNull();
  });

  it('renders the OpenAPI document at /docs', async () => {
    await page.goto(`${server.url}/docs`);
    const runs = page.locator('article.operation', { has: page.locator('h3', { hasText: '/v1/matching/runs/{id}/results' }) }).first();
    await waitFor(() => runs.count()).toBe(1);
    const text = await runs.textContent();
    expect(text).toContain('min_confidence');
    expect(text).toContain('200');
    await page.getByLabel('Filter routes').fill('smart-run');
    await waitFor(() => page.locator('article.operation').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });

  it('leaves the API paths to the API and serves assets with long-lived caching', async () => {
    const html = await fetch(`${server.url}/runs/anything`, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.headers.get('cache-control')).toBe('no-cache');
    expect(html.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(await html.text())?.[1];
    expect(asset).toBeTruthy();
    const script = await fetch(`${server.url}${asset}`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toContain('immutable');

    for (const path of ['/v1/nothing-here', '/metrics/x', '/healthz/x']) {
      const response = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } });
      expect(response.headers.get('content-type'), path).toContain('application/json');
    }
    expect((await fetch(`${server.url}/healthz`, { headers: { accept: 'text/html' } })).headers.get('content-type')).toContain(
      'application/json',
    );
    expect((await fetch(`${server.url}/v1/openapi.json`)).status).toBe(200);
    // A script asking for an unknown path gets the API's JSON 404, not the page.
    const missing = await fetch(`${server.url}/no-such-thing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/json');

    // Pages revalidate cheaply; nothing outside web/dist (nor the build stamp) is reachable.
    const etag = html.headers.get('etag')!;
    expect((await fetch(`${server.url}/`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    for (const path of ['/%2e%2e/package.json', '/assets/%2e%2e/%2e%2e/package.json', '/.inputs-sha256', '/build.ts']) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toContain('application/json');
    }
  });
});
