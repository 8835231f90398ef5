CREATE TABLE "github_app_credentials" (
	"id" text PRIMARY KEY DEFAULT 'app' NOT NULL,
	"app_id" bigint NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"owner" text,
	"html_url" text NOT NULL,
	"api_url" text NOT NULL,
	"client_id" text,
	"sealed_secrets" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "github_app_credentials_one" CHECK ("github_app_credentials"."id" = 'app')
);
--> statement-breakpoint
CREATE TABLE "github_check_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid,
	"installation_id" bigint NOT NULL,
	"repository" text NOT NULL,
	"pull_number" integer,
	"head_sha" text NOT NULL,
	"name" text NOT NULL,
	"check_run_id" bigint,
	"html_url" text,
	"status" text NOT NULL,
	"conclusion" text,
	"title" text,
	"summary" text,
	"annotations" integer DEFAULT 0 NOT NULL,
	"delivery_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "github_installations" (
	"id" bigint PRIMARY KEY NOT NULL,
	"project_id" uuid,
	"account_login" text,
	"account_type" text,
	"repository_selection" text,
	"suspended_at" timestamp with time zone,
	"linked_at" timestamp with time zone,
	"linked_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "github_repositories" (
	"installation_id" bigint NOT NULL,
	"repo_id" bigint NOT NULL,
	"full_name" text NOT NULL,
	"private" boolean DEFAULT false NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "github_repositories_installation_id_repo_id_pk" PRIMARY KEY("installation_id","repo_id")
);
--> statement-breakpoint
CREATE TABLE "github_webhook_deliveries" (
	"delivery_id" text PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"action" text,
	"installation_id" bigint,
	"payload" jsonb,
	"status" text DEFAULT 'queued' NOT NULL,
	"error" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "github_check_runs" ADD CONSTRAINT "github_check_runs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_installations" ADD CONSTRAINT "github_installations_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "github_repositories" ADD CONSTRAINT "github_repositories_installation_id_github_installations_id_fk" FOREIGN KEY ("installation_id") REFERENCES "public"."github_installations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "github_check_runs_project_idx" ON "github_check_runs" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE INDEX "github_check_runs_pull_idx" ON "github_check_runs" USING btree ("repository","pull_number");--> statement-breakpoint
CREATE INDEX "github_installations_project_idx" ON "github_installations" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "github_repositories_name_idx" ON "github_repositories" USING btree ("full_name");--> statement-breakpoint
CREATE INDEX "github_webhook_deliveries_received_idx" ON "github_webhook_deliveries" USING btree ("received_at");