import type postgres from 'postgres';
import { addJobs } from '../../worker/tasks';

/** Attempts of a delivery job; graphile-worker waits exp(attempt) seconds between them (≈ 30 min in all). */
export const DELIVERY_MAX_ATTEMPTS = 8;

/**
 * Call inside the transaction that moves a run to completed, failed or cancelled: one delivery row per active
 * endpoint of the run's workspace subscribed to the event, and one `webhook_delivery` job per row. Both commit (or
 * roll back) with the run's change, so an event is never lost nor sent for a change that did not happen. Calling it
 * again for the same run and status adds nothing (unique endpoint/event/run; the job key is the delivery id).
 *
 * The delivery keeps the run row as it is now (like a run event); payload.ts renders it in the REST run shape.
 */
export async function enqueueRunWebhooks(tx: postgres.TransactionSql, runId: string): Promise<void> {
  const inserted = await tx<{ id: string }[]>`
    with run as (
      select r.id, r.workspace_id, 'run.' || r.status as event, to_jsonb(r) - 'snapshot' - 'confidence_sum' as row
      from runs r where r.id = ${runId} and r.status in ('completed', 'failed', 'cancelled'))
    insert into webhook_deliveries (workspace_id, endpoint_id, event, run_id, payload)
    select e.workspace_id, e.id, run.event, run.id, jsonb_build_object('run', run.row)
    from run join webhook_endpoints e on e.workspace_id = run.workspace_id and e.active and e.events @> jsonb_build_array(run.event)
    on conflict (endpoint_id, event, run_id) do nothing
    returning id`;
  const jobs = inserted.map(({ id }) => ({ payload: { deliveryId: id }, jobKey: `webhook_delivery:${id}` }));
  await addJobs(tx, 'webhook_delivery', jobs, { maxAttempts: DELIVERY_MAX_ATTEMPTS });
}
