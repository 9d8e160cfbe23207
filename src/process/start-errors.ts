// How `npm start` and `npm run worker` report a start that cannot succeed as configured.
import { SettingsError } from '../config';
import { migrate } from '../db/migrate';

/** A start that cannot succeed as configured: its message is the whole story (no stack trace). */
export class StartError extends Error {}

/** Migrates the database at `url`: the start's first contact with PostgreSQL, so a setup problem shows here. */
export async function migrateAtStart(url: string): Promise<void> {
  await migrate(url).catch((error: unknown) => {
    throw cannotConnect(error, url) ?? error;
  });
}

/** The first contact with PostgreSQL failing for a reason of the setup (unreachable, unknown role or database,
 *  wrong password), said in one line with the URL (password hidden); anything else stays a crash with its stack. */
function cannotConnect(error: unknown, url: string): StartError | undefined {
  const code = String((error as { code?: unknown }).code ?? '');
  const network = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|CONNECT_TIMEOUT)$/.test(code);
  // SQLSTATE classes 08 (connection exception) and 28 (authorization); 3D000 database missing; 57P03 starting up.
  const refused = (error as Error).name === 'PostgresError' && /^(08|28)|^3D000$|^57P03$/.test(code);
  if (!network && !refused) return undefined;
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  return new StartError(`Cannot use the PostgreSQL at ${shown.toString()}: ${(error as Error).message}`);
}

/** The last word of a failed start: the message of a setup problem, the stack of anything else; exit code 1. */
export function exitWithStartError(error: unknown): never {
  process.stderr.write(
    `${error instanceof SettingsError || error instanceof StartError ? error.message : ((error as Error).stack ?? String(error))}\n`,
  );
  process.exit(1);
}
