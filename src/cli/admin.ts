/**
 * `workspace create|list`, `key create|list|revoke`: straight against the database (DATABASE_URL or the embedded
 * PostgreSQL). The key commands name the workspace by id or by name.
 */
import { readSettings } from '../config';
import { openDatabase } from '../db/open';
import { connect } from '../db/client';
import { migrate } from '../db/migrate';
import {
  apiKeyBody,
  createApiKey,
  createWorkspace,
  findWorkspaceByIdOrName,
  listApiKeys,
  listWorkspaces,
  revokeApiKey,
  workspaceBody,
} from '../modules/workspaces/service';
import { print } from './output';

export const ADMIN_COMMANDS = ['workspace create', 'workspace list', 'key create', 'key list', 'key revoke'] as const;
export type AdminCommand = (typeof ADMIN_COMMANDS)[number];

export async function adminCommand(
  command: AdminCommand,
  argument: string | undefined,
  options: { json: boolean; scopes?: string | undefined; prefix?: string | undefined },
): Promise<number> {
  const settings = readSettings();
  const database = await openDatabase(settings);
  const client = connect(database.url, { max: 2 });
  try {
    await migrate(database.url);
    if (command === 'workspace list') {
      const found = await listWorkspaces(client.db);
      print(
        options.json,
        { data: found.map(workspaceBody) },
        found.length === 0
          ? ['No workspaces yet: npm run cli -- workspace create <name>']
          : found.map(
              (w) =>
                `${w.id}  ${JSON.stringify(w.name)}  created ${w.createdAt.toISOString()}  ${w.liveApiKeys} live key${w.liveApiKeys === 1 ? '' : 's'}`,
            ),
      );
      return 0;
    }
    if (command === 'workspace create') {
      const { workspace, apiKey, prefix } = await createWorkspace(client.db, { name: argument });
      print(
        options.json,
        { workspace: { id: workspace.id, name: workspace.name, created_at: workspace.createdAt.toISOString() }, api_key: apiKey, prefix },
        [`Created workspace "${workspace.name}" (${workspace.id}).`, `API key (shown once): ${apiKey}`],
      );
      return 0;
    }
    const workspaceId = (await findWorkspaceByIdOrName(client.db, argument ?? '')).id;
    if (command === 'key create') {
      const scopes = options.scopes
        ?.split(',')
        .map((scope) => scope.trim())
        .filter(Boolean);
      const { apiKey, prefix, scopes: granted } = await createApiKey(client.db, workspaceId, scopes ? { scopes } : {});
      print(options.json, { api_key: apiKey, prefix, scopes: granted }, [
        `API key ${prefix}… with scopes ${granted.join(', ')} (shown once): ${apiKey}`,
      ]);
    } else if (command === 'key list') {
      const keys = await listApiKeys(client.db, workspaceId);
      print(
        options.json,
        { data: keys.map(apiKeyBody) },
        keys.map(
          (key) =>
            `${key.prefix}…  ${key.scopes.join(',').padEnd(10)}  created ${key.createdAt.toISOString()}${key.revokedAt ? `  revoked ${key.revokedAt.toISOString()}` : ''}`,
        ),
      );
    } else {
      const revoked = await revokeApiKey(client.db, workspaceId, options.prefix ?? '');
      print(options.json, { prefix: revoked.prefix, revoked_at: revoked.revokedAt.toISOString() }, [
        `Revoked ${revoked.prefix}… (${revoked.revokedAt.toISOString()}); running servers refuse it within 5 seconds.`,
      ]);
    }
    return 0;
  } finally {
    await client.close();
    await database.stop();
  }
}
