/**
 * The GraphiQL page (/graphql) in a real browser, under its Content-Security-Policy: it loads, runs an operation with
 * the key of its Headers tab, keeps that key in the tab's sessionStorage only (a new tab does not have it), and the
 * policy refuses nothing the page needs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer, type TestWorkspace } from '../support/server';
import { BROWSER_TESTS_REQUIRED, chromiumMissing, launchChromium } from './chromium';

let server: TestServer;
let workspace: TestWorkspace;
let browser: Browser | undefined;
let context: BrowserContext;

const waitFor = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 60_000, interval: 100 });

const missing = chromiumMissing();
const skip = missing !== null && !BROWSER_TESTS_REQUIRED;
if (skip) console.warn(`\n[browser tests skipped] ${missing}\n`);

/** A page that records its console errors, uncaught exceptions and Content-Security-Policy violations. */
async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.exposeFunction('reportViolation', (text: string) => problems.push(`csp: ${text}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportViolation(text: string): void }).reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return { page, problems };
}

describe.skipIf(skip)('GraphiQL page', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer();
    workspace = await server.newWorkspace('explored in GraphiQL');
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('works under its Content-Security-Policy and keeps the key in the tab (sessionStorage), not in localStorage', async () => {
    const { page, problems } = await openPage();
    // The key as a user leaves it in the Headers tab (GraphiQL persists that tab in its storage).
    await page.addInitScript((key) => {
      if (location.pathname === '/graphql' && !sessionStorage.getItem('graphiql:headers')) {
        sessionStorage.setItem('graphiql:headers', JSON.stringify({ Authorization: `Bearer ${key}` }));
      }
    }, workspace.key);
    const response = await page.goto(`${server.url}/graphql`);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'sha256-/);
    await page.locator('.graphiql-container').first().waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: /Execute query/ }).click();
    // The key's workspace (the editor shows spaces as no-break spaces).
    await waitFor(async () => ((await page.locator('.graphiql-response').textContent()) ?? '').replace(/\s+/g, ' ')).toContain(
      'explored in GraphiQL',
    );

    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('graphiql:headers'),
      local: Object.keys(localStorage).filter((name) => name.startsWith('graphiql')),
    }));
    expect(stored.session).toContain(workspace.key);
    expect(stored.local).toEqual([]);

    // A new tab starts without the key.
    const other = await openPage();
    await other.page.goto(`${server.url}/graphql`);
    await other.page.locator('.graphiql-container').first().waitFor({ timeout: 60_000 });
    expect(await other.page.evaluate(() => sessionStorage.getItem('graphiql:headers') ?? '')).not.toContain(workspace.key);
    expect(await other.page.evaluate(() => Object.keys(localStorage).filter((name) => name.startsWith('graphiql')))).toEqual([]);

    expect(problems).toEqual([]);
    expect(other.problems).toEqual([]);
  });
});
