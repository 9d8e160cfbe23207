CREATE TABLE "reference_row_changes" (
	"seq" bigserial PRIMARY KEY,
	"dataset_id" uuid NOT NULL,
	"version" bigint NOT NULL,
	"op" text NOT NULL,
	"row_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"values" jsonb,
	"previous_values" jsonb,
	"previous_position" integer,
	"created_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reference_row_changes_op_check" CHECK ("op" in ('upsert', 'delete'))
);
--> statement-breakpoint
ALTER TABLE "datasets" ADD COLUMN "version" bigint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "reference_version" bigint;--> statement-breakpoint
CREATE INDEX "reference_row_changes_version_idx" ON "reference_row_changes" ("dataset_id","version");--> statement-breakpoint
CREATE INDEX "reference_row_changes_row_idx" ON "reference_row_changes" ("row_id");--> statement-breakpoint
ALTER TABLE "reference_row_changes" ADD CONSTRAINT "reference_row_changes_dataset_id_datasets_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE CASCADE;