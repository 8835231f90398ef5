import { z } from "@hono/zod-openapi";

export const documentKinds = ["runbook", "incident", "log", "doc"] as const;
export const DocumentKind = z.enum(documentKinds);
export type DocumentKind = z.infer<typeof DocumentKind>;

export const DocumentInput = z
  .object({
    kind: DocumentKind,
    path: z.string().trim().min(1).max(1024),
    title: z.string().trim().min(1).max(1024).optional(),
    content: z.string().max(5_000_000),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("DocumentInput");
export type DocumentInput = z.infer<typeof DocumentInput>;

/** Documents a batch request may hold (the body limit, VIGIL_BODY_LIMIT, bounds it too). */
export const MAX_BATCH_DOCUMENTS = 200;

export const DocumentBatchInput = z
  .object({
    documents: z
      .array(DocumentInput)
      .min(1)
      .max(MAX_BATCH_DOCUMENTS)
      .superRefine((docs, ctx) => {
        // Two versions of one document in a batch is a client mistake, not an order to pick one.
        const first = new Map<string, number>();
        docs.forEach((d, i) => {
          const key = `${d.kind}\u0000${d.path}`;
          const seen = first.get(key);
          if (seen === undefined) first.set(key, i);
          else
            ctx.addIssue({
              code: "custom",
              path: [i, "path"],
              message: `duplicate ${d.kind} path ${JSON.stringify(d.path)} (also item ${seen})`,
            });
        });
      }),
  })
  .openapi("DocumentBatchInput");

export const SearchFilters = z
  .object({
    /** Only documents whose path starts with this. */
    pathPrefix: z.string().optional(),
    /** Only documents whose metadata contains these key/values (jsonb containment). */
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi("SearchFilters");
export type SearchFilters = z.infer<typeof SearchFilters>;

export const SearchInput = z
  .object({
    query: z.string().trim().min(1).max(10_000),
    k: z.number().int().min(1).max(100).default(10),
    kinds: z.array(DocumentKind).min(1).max(documentKinds.length).optional(),
    filters: SearchFilters.optional(),
    perDocument: z
      .boolean()
      .default(false)
      .describe("Allow several chunks of one document (default: one result per document)"),
  })
  .openapi("SearchInput");
export type SearchInput = z.input<typeof SearchInput>;

const LegScore = z.object({ rank: z.number().int(), score: z.number() }).nullable();

export const SearchResult = z
  .object({
    documentId: z.string(),
    chunkId: z.number().int(),
    kind: DocumentKind,
    path: z.string(),
    title: z.string(),
    heading: z.string(),
    headingPath: z.array(z.string()),
    snippet: z
      .string()
      .describe("Best passage as HTML: the text escaped, matched words wrapped in <mark>…</mark>"),
    score: z.number(),
    legs: z.object({ vector: LegScore, text: LegScore }),
  })
  .openapi("SearchResult");
export type SearchResult = z.infer<typeof SearchResult>;

export const Citation = z
  .object({
    n: z.number().int(),
    path: z.string(),
    title: z.string(),
    heading: z.string(),
    kind: DocumentKind,
  })
  .openapi("Citation");
export type Citation = z.infer<typeof Citation>;
