CREATE TABLE "spans" (
	"project_id" uuid NOT NULL,
	"trace_id" text NOT NULL,
	"span_id" text NOT NULL,
	"parent_span_id" text,
	"start_time" timestamp (6) with time zone NOT NULL,
	"start_ns" bigint NOT NULL,
	"duration_ns" bigint NOT NULL,
	"name" text NOT NULL,
	"kind" smallint DEFAULT 0 NOT NULL,
	"service" text NOT NULL,
	"status_code" smallint DEFAULT 0 NOT NULL,
	"status_message" text,
	"trace_state" text,
	"flags" integer,
	"scope" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"resource" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"events" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"links" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"dropped" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "spans_pkey" PRIMARY KEY("project_id","trace_id","span_id","start_time")
);
--> statement-breakpoint
CREATE INDEX "spans_project_start_idx" ON "spans" USING btree ("project_id","start_time");--> statement-breakpoint
CREATE INDEX "spans_project_service_start_idx" ON "spans" USING btree ("project_id","service","start_time");