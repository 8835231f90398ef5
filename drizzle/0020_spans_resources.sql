CREATE TABLE "span_resources" (
	"project_id" uuid NOT NULL,
	"day" date NOT NULL,
	"id" uuid NOT NULL,
	"resource" jsonb NOT NULL,
	"scope" jsonb NOT NULL,
	CONSTRAINT "span_resources_pkey" PRIMARY KEY("project_id","day","id")
);
--> statement-breakpoint
ALTER TABLE "spans" ALTER COLUMN "scope" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "spans" ALTER COLUMN "scope" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "spans" ALTER COLUMN "resource" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "spans" ALTER COLUMN "resource" DROP NOT NULL;--> statement-breakpoint
-- Edited by hand: batches already queued are in the first layout (format 1), new ones in the second.
ALTER TABLE "span_batches" ADD COLUMN "format" smallint DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "span_batches" ALTER COLUMN "format" SET DEFAULT 2;--> statement-breakpoint
ALTER TABLE "spans" ADD COLUMN "resource_id" uuid;