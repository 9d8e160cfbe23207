import { builder } from '../../graphql/builder';
import { workspaces } from '../../db/schema';
import { getWorkspace } from './service';

const WorkspaceRef = builder.drizzleObject('workspaces', {
  name: 'Workspace',
  description: 'A tenant: every dataset, config and run belongs to exactly one.',
  fields: (t) => ({
    databaseId: t.exposeString('id', { description: 'The UUID the REST API uses.' }),
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const Viewer = builder.objectRef<{ workspace: typeof workspaces.$inferSelect; scopes: string[] }>('Viewer').implement({
  description: 'The caller: the workspace of the API key and its scopes.',
  fields: (t) => ({
    workspace: t.field({ type: WorkspaceRef, resolve: (viewer) => viewer.workspace }),
    scopes: t.exposeStringList('scopes', { description: 'What the key may do: `read`, `write`.' }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: Viewer,
    description: 'Who is calling. Needs a valid API key.',
    resolve: async (_root, _args, context) => ({
      workspace: await getWorkspace(context.db, context.actor!),
      scopes: [...context.actor!.scopes],
    }),
  }),
);
