-- Runs started by a caller are "manual" (the public API contract); REST used to record "api".
UPDATE "runs" SET "triggered_by" = 'manual' WHERE "triggered_by" = 'api';--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_triggered_by_check" CHECK ("triggered_by" in ('manual', 'scheduled'));