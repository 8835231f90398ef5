CREATE TABLE "rag_embedders" (
	"embedder" text PRIMARY KEY NOT NULL,
	"last_used_at" timestamp with time zone DEFAULT now() NOT NULL
);
