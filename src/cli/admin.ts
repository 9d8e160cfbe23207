/** `workspace create`, `key create`: straight against the database (DATABASE_URL or the embedded PostgreSQL). */
import { readSettings } from '../config';
import { openDatabase } from '../database';
import { connect } from '../db/client';
import { migrate } from '../db/migrate';
import { createApiKey, createWorkspace } from '../modules/workspaces/service';
import { print } from './output';

export async function adminCommand(command: 'workspace create' | 'key create', argument: string, options: { json: boolean; scopes?: string | undefined }): Promise<number> {
  const settings = readSettings();
  const database = await openDatabase(settings);
  const client = connect(database.url, { max: 2 });
  try {
    await migrate(database.url);
    if (command === 'workspace create') {
      const { workspace, apiKey } = await createWorkspace(client.db, { name: argument });
      print(
        options.json,
        { workspace: { id: workspace.id, name: workspace.name, created_at: workspace.createdAt.toISOString() }, api_key: apiKey },
        [`Created workspace "${workspace.name}" (${workspace.id}).`, `API key (shown once): ${apiKey}`],
      );
    } else {
      const scopes = options.scopes?.split(',').map((scope) => scope.trim()).filter(Boolean);
      const { apiKey, scopes: granted } = await createApiKey(client.db, argument, scopes ? { scopes } : {});
      print(options.json, { api_key: apiKey, scopes: granted }, [`API key with scopes ${granted.join(', ')} (shown once): ${apiKey}`]);
    }
    return 0;
  } finally {
    await client.close();
    await database.stop();
  }
}
