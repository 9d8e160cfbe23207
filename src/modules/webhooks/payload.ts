import { runStateFromRow, type RunRow } from '../../events/run-events';
import { runBody } from '../runs/body';
import type { WebhookDelivery } from './service';

/**
 * The JSON a delivery POSTs: `{id, type, created_at, data: {run}}`, the run in the REST run shape as it was when
 * the event happened. The same for every attempt of a delivery (only the timestamp header and signature change).
 */
export function eventBody(delivery: Pick<WebhookDelivery, 'id' | 'event' | 'createdAt' | 'payload'>) {
  const row = (delivery.payload as { run?: RunRow }).run;
  return {
    id: delivery.id,
    type: delivery.event,
    created_at: delivery.createdAt.toISOString(),
    data: { run: row ? runBody(runStateFromRow(row)) : null },
  };
}
