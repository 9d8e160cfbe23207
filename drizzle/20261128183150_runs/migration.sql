CREATE TABLE "run_chunks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"run_id" uuid NOT NULL,
	"chunk_index" integer NOT NULL,
	"first_position" integer NOT NULL,
	"last_position" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"worker_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"rows_processed" integer,
	"rows_matched" integer,
	"started_at" timestamp(3) with time zone,
	"completed_at" timestamp(3) with time zone,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "run_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"run_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"external_id" text NOT NULL,
	"filename" text,
	"values" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_results" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"run_id" uuid NOT NULL,
	"source_row_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"document_id" text NOT NULL,
	"document_filename" text,
	"matched_reference_row_id" uuid,
	"matched_reference_external_id" text,
	"confidence" double precision NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"evidence" jsonb NOT NULL,
	"candidates" jsonb NOT NULL,
	"notes" text,
	"reviewed_at" timestamp(3) with time zone,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"workspace_id" uuid NOT NULL,
	"matching_config_id" uuid NOT NULL,
	"strategy_id" uuid,
	"strategy_version" integer,
	"status" text DEFAULT 'queued' NOT NULL,
	"triggered_by" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"phase" text DEFAULT 'queued' NOT NULL,
	"rows_total" integer,
	"rows_processed" integer,
	"rows_matched" integer,
	"confidence_sum" double precision DEFAULT 0 NOT NULL,
	"avg_confidence" double precision,
	"chunks_total" integer DEFAULT 0 NOT NULL,
	"chunks_done" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"started_at" timestamp(3) with time zone,
	"completed_at" timestamp(3) with time zone,
	"error" text,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strategies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"workspace_id" uuid NOT NULL,
	"matching_config_id" uuid,
	"reference_data_id" uuid NOT NULL,
	"name" text DEFAULT 'strategy' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"version_hash" text NOT NULL,
	"plan" jsonb NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "run_chunks_run_idx" ON "run_chunks" ("run_id","chunk_index");--> statement-breakpoint
CREATE UNIQUE INDEX "run_documents_position_idx" ON "run_documents" ("run_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "run_results_source_idx" ON "run_results" ("run_id","source_row_id");--> statement-breakpoint
CREATE INDEX "run_results_position_idx" ON "run_results" ("run_id","position");--> statement-breakpoint
CREATE INDEX "run_results_confidence_idx" ON "run_results" ("run_id","confidence");--> statement-breakpoint
CREATE INDEX "runs_workspace_idx" ON "runs" ("workspace_id","created_at","id");--> statement-breakpoint
CREATE INDEX "runs_config_idx" ON "runs" ("matching_config_id","created_at");--> statement-breakpoint
CREATE INDEX "strategies_workspace_idx" ON "strategies" ("workspace_id","created_at");--> statement-breakpoint
ALTER TABLE "run_chunks" ADD CONSTRAINT "run_chunks_run_id_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "run_documents" ADD CONSTRAINT "run_documents_run_id_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "run_results" ADD CONSTRAINT "run_results_run_id_runs_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "runs" ADD CONSTRAINT "runs_workspace_id_workspaces_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "strategies" ADD CONSTRAINT "strategies_workspace_id_workspaces_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "strategies" ADD CONSTRAINT "strategies_matching_config_id_matching_configs_id_fkey" FOREIGN KEY ("matching_config_id") REFERENCES "matching_configs"("id") ON DELETE SET NULL;