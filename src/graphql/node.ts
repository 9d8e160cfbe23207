import { brandWithType } from '@pothos/core';
import { decodeGlobalID } from '@pothos/plugin-relay';
import type { Context } from '../context';
import { NotFoundError, ValidationError } from '../errors';
import { getConfig } from '../modules/configs/service';
import { MatchingConfigRef } from '../modules/configs/schema';
import { getAnyDataset } from '../modules/datasets/service';
import { DatasetRef } from '../modules/datasets/schema';
import { getRun } from '../modules/runs/service';
import { RunRef } from '../modules/runs/schema';
import { getStrategy } from '../modules/strategies/service';
import { StrategyRef } from '../modules/strategies/schema';
import { getWebhook } from '../modules/webhooks/service';
import { WebhookRef } from '../modules/webhooks/schema';
import { builder } from './builder';

/**
 * Relay's `node(id)` and `nodes(ids)`, scoped to the caller's workspace. The drizzle plugin's own loader looks rows up
 * by primary key alone, so its `node` would hand out another workspace's objects: each type is loaded here through
 * its service, which looks the id up in the caller's workspace. An id of another workspace, of nothing, of a type
 * that is not a Node, or no global id at all resolves to null.
 */
const loaders: Record<string, { ref: Parameters<typeof brandWithType>[1]; load: (context: Context, id: string) => Promise<object> }> = {
  Dataset: { ref: DatasetRef, load: getAnyDataset },
  MatchingConfig: { ref: MatchingConfigRef, load: getConfig },
  Run: { ref: RunRef, load: getRun },
  Strategy: { ref: StrategyRef, load: getStrategy },
  WebhookEndpoint: { ref: WebhookRef, load: getWebhook },
};

/** At most this many ids in one `nodes` call (each is a lookup). */
const MAX_NODES = 100;

async function loadNode(context: Context, globalId: string): Promise<object | null> {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    return null;
  }
  const loader = Object.hasOwn(loaders, decoded.typename) ? loaders[decoded.typename] : undefined;
  if (!loader) return null;
  try {
    const node = await loader.load(context, decoded.id);
    brandWithType(node, loader.ref);
    return node;
  } catch (error) {
    // Not in this workspace, or not an id at all (a malformed UUID is a ValidationError of the service).
    if (error instanceof NotFoundError || error instanceof ValidationError) return null;
    throw error;
  }
}

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: 'The object with this global id in your workspace; null for an id of another workspace or of nothing.',
    args: { id: t.arg.id({ required: true, description: 'A global id (the `id` of a Node).' }) },
    resolve: (_root, args, context) => loadNode(context, String(args.id)),
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description: `The objects with these global ids, in order (at most ${MAX_NODES}); null for each id of another workspace or of nothing.`,
    args: { ids: t.arg.idList({ required: true, description: `Global ids (at most ${MAX_NODES}).` }) },
    resolve: (_root, args, context) => {
      if (args.ids.length > MAX_NODES) {
        throw new ValidationError(`nodes takes at most ${MAX_NODES} ids; ${args.ids.length} were given.`, [
          { path: 'ids', message: `at most ${MAX_NODES}` },
        ]);
      }
      return Promise.all(args.ids.map((id) => loadNode(context, String(id))));
    },
  }),
}));
