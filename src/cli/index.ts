/**
 * `npm run cli -- <command>`. Provisioning (`workspace create|list`, `key create|list|revoke`) works on Concord's
 * database directly (DATABASE_URL, or the embedded PostgreSQL under DATA_DIR, whether or not `npm start` is
 * running); the other commands are clients of a running server's API (--url / CONCORD_URL, --key / CONCORD_API_KEY).
 */
import { parseArgs } from 'node:util';
import { AppError } from '../errors';
import { print } from './output';
import { ApiError, connection, DEFAULT_URL, UsageError, withDetails } from './api';
import { runCommand } from './run';
import { exportDataset, exportResults, importFile } from './transfer';

const usage = `Usage: npm run cli -- <command> [options]

Provisioning (on the database: DATABASE_URL, or the embedded PostgreSQL under DATA_DIR):
  workspace list                               the workspaces: id, name, live keys
  workspace create <name>                      create a workspace and its first API key (scopes read, write)
  key create <workspace> [--scopes read,write]
                                               create another API key for a workspace (a lost key: create a
                                               new one, then revoke the old one); <workspace> is its id or name
  key list <workspace>                         a workspace's keys (prefixes, scopes, revocations)
  key revoke <workspace> <prefix>              revoke a key (prefix: its first 9 characters, ck_…)

Through the API of a running server (--url, default CONCORD_URL or ${DEFAULT_URL}; --key, default CONCORD_API_KEY):
  run <config-id> [--follow]                   start a run; --follow shows its progress and a summary, and exits
                                               0 when it completes, 1 when it fails, 3 when it is cancelled
  import <file> --kind reference|source --name <name> [--id-column <column>]
                                               upload a CSV, JSON or NDJSON file (streamed)
  export dataset <id> [--kind reference|source] [-o <file>]
                                               a dataset's rows as CSV (stdout without -o)
  export results <run-id> [-o <file>]          a run's results as CSV (stdout without -o)

Options:
  --json      print only JSON (one line)
  --help      show this help
`;

const options = {
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
  scopes: { type: 'string' },
  url: { type: 'string' },
  key: { type: 'string' },
  follow: { type: 'boolean', default: false },
  kind: { type: 'string' },
  name: { type: 'string' },
  'id-column': { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof options }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const json = values.json ?? false;
  const [noun, ...rest] = positionals;
  if (values.help || !noun) {
    process.stdout.write(usage);
    return values.help ? 0 : 2;
  }
  const need = (value: string | undefined, what: string): string => {
    if (!value) throw new UsageError(`"${positionals.slice(0, 2).join(' ')}" needs ${what}.`);
    return value;
  };

  switch (noun) {
    case 'workspace':
    case 'key': {
      const command = `${noun} ${rest[0] ?? ''}`.trim();
      // Loaded only here: the database modules (embedded PostgreSQL included) are slow to load and unused by API commands.
      const { adminCommand, ADMIN_COMMANDS } = await import('./admin');
      const known = ADMIN_COMMANDS.find((c) => c === command);
      if (!known) break;
      const argument =
        known === 'workspace list' ? undefined : need(rest[1], known === 'workspace create' ? 'a name' : 'a workspace id or name');
      const prefix = known === 'key revoke' ? need(rest[2], 'a key prefix') : undefined;
      return adminCommand(known, argument, { json, scopes: values.scopes, prefix });
    }
    case 'run':
      return runCommand(connection(values), need(rest[0], 'a config id'), { follow: values.follow ?? false, json });
    case 'import': {
      const file = need(rest[0], 'a file');
      const kind = values.kind;
      if (kind !== 'reference' && kind !== 'source') throw new UsageError('import needs --kind reference or --kind source.');
      const name = need(values.name, '--name');
      const table = await importFile(connection(values), file, { kind, name, idColumn: values['id-column'] });
      print(json, table, [`Imported ${table.row_count} rows into ${kind} data "${table.name}" (${table.id}).`]);
      return 0;
    }
    case 'export': {
      const what = rest[0];
      if (what === 'dataset') await exportDataset(connection(values), need(rest[1], 'a dataset id'), values.kind, values.output);
      else if (what === 'results') await exportResults(connection(values), need(rest[1], 'a run id'), values.output);
      else break;
      return 0;
    }
  }
  throw new UsageError(`Unknown command "${positionals.join(' ')}".`);
}

/** Exits once what was written to stdout has left the process: process.exit() does not wait for a pipe, and
 *  `export … > file` through a shell pipe lost the tail of a 500 KB CSV on a busy machine. */
function exitAfterOutput(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

main(process.argv.slice(2)).then(
  (code) => exitAfterOutput(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${usage}`);
      process.exit(2);
    }
    const message =
      error instanceof AppError
        ? withDetails(error.message, error.details)
        : error instanceof ApiError
          ? `${error.message} (${error.code}, HTTP ${error.status})`
          : (error as Error).message;
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  },
);
