-- Stored responses now belong to the API key that made them (issue 19: a read-only key of the same workspace
-- replayed a write key's stored response). Rows written before cannot be attributed to a key: they are dropped, so a
-- request retried across this upgrade with the same Idempotency-Key runs again instead of being replayed.
DELETE FROM "idempotency_keys";--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "api_key_id" uuid;--> statement-breakpoint
ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_pkey";--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD PRIMARY KEY ("api_key_id","key");--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_api_key_id_api_keys_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE;