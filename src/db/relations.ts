import { defineRelations } from 'drizzle-orm';
import * as schema from './schema';

export const relations = defineRelations(schema, (r) => ({
  workspaces: {
    apiKeys: r.many.apiKeys(),
    datasets: r.many.datasets(),
  },
  apiKeys: {
    workspace: r.one.workspaces({ from: r.apiKeys.workspaceId, to: r.workspaces.id, optional: false }),
  },
  datasets: {
    workspace: r.one.workspaces({ from: r.datasets.workspaceId, to: r.workspaces.id, optional: false }),
  },
  matchingConfigs: {
    referenceData: r.one.datasets({ from: r.matchingConfigs.referenceDataId, to: r.datasets.id, optional: false }),
    sourceData: r.one.datasets({ from: r.matchingConfigs.sourceDataId, to: r.datasets.id }),
  },
}));
