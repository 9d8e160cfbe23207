/**
 * Builds the dashboard and docs pages into web/dist, or, with `--if-stale`, only when their sources changed since the
 * last build. `npm start` runs it first (`prestart`), the browser tests run it in their global setup, so a fresh clone
 * needs no extra step and web/dist stays out of git. The staleness check hashes the inputs (a few dozen small files,
 * milliseconds), which is sturdier than mtimes across clones, checkouts and copies.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.dirname(fileURLToPath(import.meta.url));
export const distDir = path.join(webDir, 'dist');
const stampFile = path.join(distDir, '.inputs-sha256');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

/** Everything the bundle depends on: the pages, the sources, the build config and the locked dependency versions. */
function inputsHash(): string {
  const files = [
    path.join(webDir, 'index.html'),
    path.join(webDir, 'docs.html'),
    path.join(webDir, 'vite.config.ts'),
    path.join(webDir, '..', 'package-lock.json'),
    ...listFiles(path.join(webDir, 'src')),
  ];
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(webDir, file)).update('\0');
    hash.update(existsSync(file) ? readFileSync(file) : '').update('\0');
  }
  return hash.digest('hex');
}

export function isBuildCurrent(): boolean {
  return existsSync(path.join(distDir, 'index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === inputsHash();
}

/** Builds when needed; returns whether it built. */
export async function buildWeb(options: { ifStale: boolean }): Promise<boolean> {
  if (options.ifStale && isBuildCurrent()) return false;
  const hash = inputsHash();
  // Vite is a dev dependency: imported here, not at the top, so a current build needs none of it.
  const { build } = await import('vite');
  await build({ configFile: path.join(webDir, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stampFile, hash);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  const started = performance.now();
  buildWeb({ ifStale }).then(
    (built) => {
      if (built) process.stdout.write(`Dashboard built into web/dist in ${Math.round(performance.now() - started)} ms\n`);
    },
    (error: unknown) => {
      const missingVite =
        error instanceof Error && 'code' in error && error.code === 'ERR_MODULE_NOT_FOUND' && /'vite'/.test(error.message);
      process.stderr.write(
        missingVite
          ? 'The dashboard cannot be built: vite is a dev dependency (install with `npm ci`, not --omit=dev). The API works without it.\n'
          : `The dashboard build failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      // Without vite the server still starts (the API does not need the page); a broken build is a real error.
      process.exit(missingVite ? 0 : 1);
    },
  );
}
