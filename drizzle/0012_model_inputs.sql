CREATE TABLE "model_input_declarations" (
	"project_id" uuid NOT NULL,
	"model_node" uuid NOT NULL,
	"declared_by" text NOT NULL,
	"inputs" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_input_declarations_project_id_model_node_declared_by_pk" PRIMARY KEY("project_id","model_node","declared_by")
);
--> statement-breakpoint
ALTER TABLE "monitors" ADD COLUMN "inputs" jsonb;--> statement-breakpoint
ALTER TABLE "model_input_declarations" ADD CONSTRAINT "model_input_declarations_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "model_input_declarations" ADD CONSTRAINT "model_input_declarations_model_node_lineage_nodes_id_fk" FOREIGN KEY ("model_node") REFERENCES "public"."lineage_nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "model_input_declarations_by_idx" ON "model_input_declarations" USING btree ("project_id","declared_by");