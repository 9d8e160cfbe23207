/**
 * `npm run cli -- <command>`: operator commands against Concord's database (DATABASE_URL, or the embedded
 * PostgreSQL under DATA_DIR, whether or not `npm start` is running). `--json` prints only JSON.
 */
import { parseArgs } from 'node:util';
import { readSettings } from '../config';
import { openDatabase } from '../database';
import { connect } from '../db/client';
import { migrate } from '../db/migrate';
import { AppError } from '../errors';
import { createApiKey, createWorkspace } from '../modules/workspaces/service';

const usage = `Usage: npm run cli -- <command> [options]

Commands:
  workspace create <name>                      create a workspace and its first API key (scopes read, write)
  key create <workspace-id> [--scopes read,write]
                                               create another API key for a workspace
Options:
  --json      print only JSON
  --help      show this help
`;

interface Output {
  json: boolean;
}

function print(output: Output, value: Record<string, unknown>, lines: string[]): void {
  process.stdout.write(output.json ? `${JSON.stringify(value)}\n` : `${lines.join('\n')}\n`);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, scopes: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  const output = { json: values.json ?? false };
  const [noun, verb, argument] = positionals;
  if (values.help || !noun) {
    process.stdout.write(usage);
    return values.help ? 0 : 2;
  }
  const command = `${noun} ${verb ?? ''}`.trim();
  if (command !== 'workspace create' && command !== 'key create') {
    process.stderr.write(`Unknown command "${command}".\n\n${usage}`);
    return 2;
  }
  if (!argument) {
    process.stderr.write(`"${command}" needs ${command === 'workspace create' ? 'a name' : 'a workspace id'}.\n\n${usage}`);
    return 2;
  }

  const settings = readSettings();
  const database = await openDatabase(settings);
  const client = connect(database.url, { max: 2 });
  try {
    await migrate(database.url);
    if (command === 'workspace create') {
      const { workspace, apiKey } = await createWorkspace(client.db, { name: argument });
      print(
        output,
        { workspace: { id: workspace.id, name: workspace.name, created_at: workspace.createdAt.toISOString() }, api_key: apiKey },
        [`Created workspace "${workspace.name}" (${workspace.id}).`, `API key (shown once): ${apiKey}`],
      );
    } else {
      const scopes = values.scopes?.split(',').map((scope) => scope.trim()).filter(Boolean);
      const { apiKey, scopes: granted } = await createApiKey(client.db, argument, scopes ? { scopes } : {});
      print(output, { api_key: apiKey, scopes: granted }, [`API key with scopes ${granted.join(', ')} (shown once): ${apiKey}`]);
    }
    return 0;
  } finally {
    await client.close();
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof AppError ? `${error.message}${error.details ? ` ${JSON.stringify(error.details)}` : ''}` : (error as Error).message;
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  },
);
