CREATE TABLE "dataset_contracts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"namespace" text NOT NULL,
	"dataset" text NOT NULL,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"batch" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"last_written_at" timestamp with time zone,
	"last_row_count" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contracts" ADD COLUMN "sources" jsonb;--> statement-breakpoint
ALTER TABLE "dataset_contracts" ADD CONSTRAINT "dataset_contracts_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dataset_contracts_uq" ON "dataset_contracts" USING btree ("project_id","namespace","dataset");