CREATE TABLE "retraining_run_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"project_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"message" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "retraining_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"monitor_id" uuid,
	"monitor_name" text NOT NULL,
	"model" text NOT NULL,
	"model_version" text,
	"report_id" uuid,
	"incident_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"trigger" text NOT NULL,
	"reason" text,
	"requested_by" text NOT NULL,
	"forced" boolean DEFAULT false NOT NULL,
	"repo" text NOT NULL,
	"workflow" text NOT NULL,
	"ref" text NOT NULL,
	"inputs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"skip_reason" text,
	"message" text,
	"conclusion" text,
	"installation_id" bigint,
	"dispatch_attempts" integer DEFAULT 0 NOT NULL,
	"run_id" bigint,
	"run_attempt" integer,
	"run_url" text,
	"html_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"dispatched_at" timestamp with time zone,
	"run_started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"last_heard_at" timestamp with time zone,
	"produced_version" text,
	"metrics" jsonb,
	"artifact_url" text,
	"result_at" timestamp with time zone,
	"result_auth" text,
	"rebased_from" jsonb
);
--> statement-breakpoint
ALTER TABLE "retraining_run_events" ADD CONSTRAINT "retraining_run_events_run_id_retraining_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."retraining_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retraining_run_events" ADD CONSTRAINT "retraining_run_events_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retraining_runs" ADD CONSTRAINT "retraining_runs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retraining_runs" ADD CONSTRAINT "retraining_runs_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "retraining_run_events_run_idx" ON "retraining_run_events" USING btree ("run_id","id");--> statement-breakpoint
CREATE INDEX "retraining_runs_project_idx" ON "retraining_runs" USING btree ("project_id","created_at","id");--> statement-breakpoint
CREATE INDEX "retraining_runs_model_idx" ON "retraining_runs" USING btree ("project_id","model","created_at");--> statement-breakpoint
CREATE INDEX "retraining_runs_monitor_idx" ON "retraining_runs" USING btree ("monitor_id");--> statement-breakpoint
CREATE INDEX "retraining_runs_run_idx" ON "retraining_runs" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "retraining_runs_active_idx" ON "retraining_runs" USING btree ("status","last_heard_at") WHERE "retraining_runs"."status" in ('pending', 'requested', 'queued', 'in_progress');