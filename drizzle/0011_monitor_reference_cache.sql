CREATE TABLE "monitor_reference_cache" (
	"monitor_id" uuid PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"aggregates" jsonb NOT NULL,
	"sample" jsonb NOT NULL,
	"labeled" jsonb
);
--> statement-breakpoint
ALTER TABLE "monitor_reference_cache" ADD CONSTRAINT "monitor_reference_cache_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;