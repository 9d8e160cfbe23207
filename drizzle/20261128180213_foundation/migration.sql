CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"workspace_id" uuid NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"scopes" text[] NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp(3) with time zone
);
--> statement-breakpoint
CREATE TABLE "dataset_rows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"dataset_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"external_id" text NOT NULL,
	"filename" text,
	"values" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"workspace_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"source_type" text NOT NULL,
	"status" text DEFAULT 'ready' NOT NULL,
	"row_count" integer DEFAULT 0 NOT NULL,
	"columns" jsonb NOT NULL,
	"id_column" text,
	"filename_column" text,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "matching_configs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"reference_data_id" uuid NOT NULL,
	"source_data_id" uuid,
	"field_mappings" jsonb NOT NULL,
	"threshold" real DEFAULT 0.85 NOT NULL,
	"review_band" jsonb,
	"blocking" jsonb,
	"one_to_one" boolean DEFAULT false NOT NULL,
	"schedule" text,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_idx" ON "api_keys" ("key_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "dataset_rows_position_idx" ON "dataset_rows" ("dataset_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "dataset_rows_external_id_idx" ON "dataset_rows" ("dataset_id","external_id");--> statement-breakpoint
CREATE INDEX "datasets_workspace_kind_idx" ON "datasets" ("workspace_id","kind","created_at");--> statement-breakpoint
CREATE INDEX "matching_configs_workspace_idx" ON "matching_configs" ("workspace_id","created_at","id");--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_workspace_id_workspaces_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "dataset_rows" ADD CONSTRAINT "dataset_rows_dataset_id_datasets_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "datasets" ADD CONSTRAINT "datasets_workspace_id_workspaces_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "matching_configs" ADD CONSTRAINT "matching_configs_workspace_id_workspaces_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE;--> statement-breakpoint
ALTER TABLE "matching_configs" ADD CONSTRAINT "matching_configs_reference_data_id_datasets_id_fkey" FOREIGN KEY ("reference_data_id") REFERENCES "datasets"("id") ON DELETE RESTRICT;--> statement-breakpoint
ALTER TABLE "matching_configs" ADD CONSTRAINT "matching_configs_source_data_id_datasets_id_fkey" FOREIGN KEY ("source_data_id") REFERENCES "datasets"("id") ON DELETE RESTRICT;