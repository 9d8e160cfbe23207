CREATE TABLE "worker_processes" (
	"id" text PRIMARY KEY,
	"graphile_worker_ids" text[] NOT NULL,
	"started_at" timestamp(3) with time zone DEFAULT now() NOT NULL,
	"seen_at" timestamp(3) with time zone DEFAULT now() NOT NULL
);
