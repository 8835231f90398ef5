CREATE TABLE "contracts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"model" text NOT NULL,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"batch" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"violation_threshold" double precision DEFAULT 0.05 NOT NULL,
	"detect_schema_changes" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"origin" text DEFAULT 'api' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "prediction_labels" (
	"project_id" uuid NOT NULL,
	"model" text DEFAULT '' NOT NULL,
	"request_id" text NOT NULL,
	"label" jsonb NOT NULL,
	"ts" timestamp with time zone DEFAULT now() NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "predictions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"model" text NOT NULL,
	"model_version" text,
	"ts" timestamp with time zone NOT NULL,
	"request_id" text,
	"features" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"output" jsonb,
	"label" jsonb,
	"labeled_at" timestamp with time zone,
	"validation" jsonb,
	"flagged" boolean DEFAULT false NOT NULL,
	"source" text DEFAULT 'api' NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "drift_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"monitor_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"drifted" boolean DEFAULT false NOT NULL,
	"share" double precision,
	"reference" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"current" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"features" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"prediction" jsonb,
	"performance" jsonb,
	"embeddings" jsonb,
	"sampling" jsonb,
	"error" text,
	"duration_ms" integer
);
--> statement-breakpoint
CREATE TABLE "monitor_reference_rows" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"monitor_id" uuid NOT NULL,
	"features" jsonb NOT NULL,
	"output" jsonb,
	"label" jsonb
);
--> statement-breakpoint
CREATE TABLE "monitors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"name" text NOT NULL,
	"model" text NOT NULL,
	"features" jsonb,
	"reference" jsonb NOT NULL,
	"current" jsonb NOT NULL,
	"tests" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"schedule_seconds" integer,
	"next_run_at" timestamp with time zone,
	"last_run_at" timestamp with time zone,
	"incident_policy" jsonb DEFAULT '{"drift":true}'::jsonb NOT NULL,
	"retrain_policy" jsonb,
	"enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prediction_labels" ADD CONSTRAINT "prediction_labels_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "predictions" ADD CONSTRAINT "predictions_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_reports" ADD CONSTRAINT "drift_reports_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drift_reports" ADD CONSTRAINT "drift_reports_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_reference_rows" ADD CONSTRAINT "monitor_reference_rows_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitors" ADD CONSTRAINT "monitors_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "contracts_model_uq" ON "contracts" USING btree ("project_id","model");--> statement-breakpoint
CREATE UNIQUE INDEX "prediction_labels_uq" ON "prediction_labels" USING btree ("project_id","model","request_id");--> statement-breakpoint
CREATE INDEX "prediction_labels_request_idx" ON "prediction_labels" USING btree ("project_id","request_id");--> statement-breakpoint
CREATE UNIQUE INDEX "predictions_request_uq" ON "predictions" USING btree ("project_id","model","request_id");--> statement-breakpoint
CREATE INDEX "predictions_model_ts_idx" ON "predictions" USING btree ("project_id","model","ts");--> statement-breakpoint
CREATE INDEX "drift_reports_monitor_idx" ON "drift_reports" USING btree ("monitor_id","created_at");--> statement-breakpoint
CREATE INDEX "monitor_reference_rows_monitor_idx" ON "monitor_reference_rows" USING btree ("monitor_id");--> statement-breakpoint
CREATE UNIQUE INDEX "monitors_name_uq" ON "monitors" USING btree ("project_id","name");--> statement-breakpoint
CREATE INDEX "monitors_due_idx" ON "monitors" USING btree ("next_run_at");