-- Two task identifiers were renamed to the one scheme of src/worker/tasks.ts (deliver_webhook → webhook_delivery,
-- runs_schedule_tick → schedule_tick). Jobs still queued under an old name move to the new one, so that workers,
-- which only know the new names, run them. On a new database graphile-worker's schema does not exist yet (its
-- migrations run after these): nothing is queued, nothing to move.
DO $$
BEGIN
  IF to_regclass('graphile_worker._private_tasks') IS NOT NULL THEN
    INSERT INTO graphile_worker._private_tasks (identifier) VALUES ('webhook_delivery'), ('schedule_tick')
      ON CONFLICT (identifier) DO NOTHING;
    UPDATE graphile_worker._private_jobs AS jobs SET task_id = new_task.id
      FROM (VALUES ('deliver_webhook', 'webhook_delivery'), ('runs_schedule_tick', 'schedule_tick')) AS renamed (old, new)
      JOIN graphile_worker._private_tasks AS old_task ON old_task.identifier = renamed.old
      JOIN graphile_worker._private_tasks AS new_task ON new_task.identifier = renamed.new
      WHERE jobs.task_id = old_task.id;
  END IF;
END $$;
