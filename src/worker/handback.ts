import type postgres from 'postgres';

/**
 * Releases the jobs locked by these graphile-worker ids so any worker takes them at once (run_at is left as it was,
 * in the past), and gives back the attempt each of them used: being handed back is not a failure of the job, so a
 * chunk interrupted by shutdowns or database restarts does not run out of RUN_CHUNK_MAX_ATTEMPTS. Returns the number
 * of jobs released. Safe to call for ids that hold nothing.
 */
export async function handBackJobs(sql: postgres.Sql, graphileWorkerIds: readonly string[]): Promise<number> {
  if (!graphileWorkerIds.length) return 0;
  const ids = [...graphileWorkerIds];
  return sql.begin(async (tx) => {
    const released = await tx`
      update graphile_worker._private_jobs set attempts = greatest(attempts - 1, 0)
      where locked_by = any(${ids}::text[]) returning id`;
    await tx`select graphile_worker.force_unlock_workers(${ids}::text[])`;
    return released.length;
  });
}
