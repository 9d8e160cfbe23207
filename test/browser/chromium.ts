import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); Playwright's own browser downloads are not reachable here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Why the browser tests cannot run here, or null when they can. A machine with only Node and npm has no Chromium:
 * `npm test` then skips the browser tests with this notice instead of failing (the README's promise). Where they
 * must run (CI: .ci/run installs Chromium first and sets REQUIRE_BROWSER_TESTS=1), a missing browser fails them.
 */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  return (
    `Chromium is not installed at ${CHROMIUM_PATH}: the browser tests need it. Install it with ` +
    '`sudo apt-get install -y chromium` (.ci/run does this), or set CHROMIUM_PATH to another Chromium.'
  );
}

/** Set (to 1) where a missing Chromium must fail the browser tests rather than skip them. */
export const BROWSER_TESTS_REQUIRED = process.env.REQUIRE_BROWSER_TESTS === '1';

/** Launches headless Chromium (fails with the install command when it is missing). */
export async function launchChromium(): Promise<Browser> {
  const missing = chromiumMissing();
  if (missing !== null) throw new Error(missing);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}
