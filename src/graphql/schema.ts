/**
 * The schema: the root types, the scalars and error types, every module's types and fields, and Relay's node
 * fields. Printed sorted, as schema/schema.graphql (src/graphql/print.ts).
 */
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder';
import './scalars';
import './errors';
import '../modules/workspaces/schema';
import '../modules/datasets/schema';
import '../modules/configs/schema';
import '../modules/runs/schema';
import '../modules/strategies/schema';
import '../modules/realtime/schema';
import '../modules/webhooks/schema';
import './node';

builder.queryType({
  description: 'Read the workspace of the calling API key (needs the `read` scope).',
  authScopes: { read: true },
});
builder.mutationType({
  description: 'Change the workspace of the calling API key (needs the `write` scope).',
  authScopes: { write: true },
});
builder.subscriptionType({
  description: 'Live updates (graphql-ws on /graphql, or SSE with Accept: text/event-stream); needs the `read` scope.',
  authScopes: { read: true },
});

export const schema = lexicographicSortSchema(builder.toSchema());
