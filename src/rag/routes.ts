import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppDeps } from "../deps.ts";
import { type AppEnv, createRouter } from "../http/env.ts";
import { notFound } from "../http/errors.ts";
import { CommonErrorResponses, json } from "../http/openapi.ts";
import { IdParam } from "../http/params.ts";
import { groundedPrompt, NOT_FOUND } from "./answer.ts";
import { ask, retrieveSources, usedCitations } from "./ask.ts";
import { embedderFor } from "./embedders/select.ts";
import { type IndexOutcome, indexDocuments } from "./index-document.ts";
import { RAG_EMBED_JOB } from "./jobs.ts";
import { llmFor } from "./llm.ts";
import {
  Citation,
  DocumentBatchInput,
  DocumentInput,
  DocumentKind,
  documentKinds,
  MAX_BATCH_DOCUMENTS,
  SearchInput,
  SearchResult,
} from "./model.ts";
import { hybridSearch } from "./search.ts";
import { deleteDocument, getDocument, listDocuments } from "./store.ts";

const DocumentSummary = z
  .object({
    id: z.string(),
    kind: DocumentKind,
    path: z.string(),
    title: z.string(),
    contentHash: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    chunks: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("DocumentSummary");
const Document = DocumentSummary.extend({ content: z.string() }).openapi("Document");

const IndexResult = z
  .object({
    id: z.string(),
    status: z.enum(["added", "updated", "unchanged"]),
    chunks: z.number().int(),
    embedded: z.boolean(),
  })
  .openapi("IndexResult");

const AskInput = z
  .object({
    question: z.string().trim().min(1).max(10_000),
    kinds: z.array(DocumentKind).min(1).max(documentKinds.length).optional(),
    k: z.number().int().min(1).max(20).default(5).describe("Sources to retrieve"),
    stream: z
      .boolean()
      .default(false)
      .describe("Server-sent events (also chosen by Accept: text/event-stream)"),
  })
  .openapi("AskInput");
const AskResult = z
  .object({ answer: z.string(), citations: z.array(Citation), mode: z.enum(["extractive", "generated"]) })
  .openapi("AskResult");

export function ragRoutes(deps: AppDeps) {
  const app = createRouter();
  const { database, config } = deps;
  const embedder = embedderFor(config);
  const llm = llmFor(config);

  /** The single and the batch POST: index in one transaction; vectors missing → the embed job. */
  const index = async (c: Context<AppEnv>, inputs: DocumentInput[]): Promise<IndexOutcome[]> => {
    const out = await indexDocuments(database, embedder, c.get("project").id, inputs, (error) =>
      c.get("log").warn({ err: error, embedder: embedder.id }, "embedder failed; stored without vectors"),
    );
    // Vectors missing (embedder down): the documents are committed; the embed job adds them later.
    if (out.some((o) => !o.embedded)) {
      // The 5-minute schedule of the same job is the backstop if the queue cannot take it now.
      await deps.jobs
        .send(RAG_EMBED_JOB, {}, { singletonKey: RAG_EMBED_JOB })
        .catch((error) => c.get("log").warn({ err: error }, "could not enqueue re-embed"));
    }
    return out;
  };

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/documents",
      tags: ["rag"],
      summary: "Add or update a document (upsert by kind + path; unchanged content is not re-indexed)",
      request: { body: { required: true, content: { "application/json": { schema: DocumentInput } } } },
      responses: {
        200: json(IndexResult, "Updated or unchanged"),
        201: json(IndexResult.extend({ status: z.literal("added") }), "Added"),
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const [out] = await index(c, [c.req.valid("json")]);
      if (out!.status === "added") return c.json({ ...out!, status: "added" as const }, 201);
      return c.json(out!, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/documents/batch",
      tags: ["rag"],
      summary: `Add or update up to ${MAX_BATCH_DOCUMENTS} documents in one transaction (all stored or none)`,
      description:
        "Each document as in POST /api/v1/documents; (kind, path) must be unique within the batch " +
        "(a duplicate is a 400 naming it). Results in input order.",
      request: {
        body: { required: true, content: { "application/json": { schema: DocumentBatchInput } } },
      },
      responses: {
        200: json(z.object({ documents: z.array(IndexResult) }), "One result per document, in input order"),
        ...CommonErrorResponses,
      },
    }),
    async (c) => c.json({ documents: await index(c, c.req.valid("json").documents) }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/documents",
      tags: ["rag"],
      summary: "Documents, by kind and path",
      request: {
        query: z.object({
          kind: DocumentKind.optional(),
          pathPrefix: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: {
        200: json(z.object({ documents: z.array(DocumentSummary) }), "Documents"),
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const rows = await listDocuments(database, c.get("project").id, c.req.valid("query"));
      return c.json({ documents: rows.map(({ content: _, ...d }) => d) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/documents/{id}",
      tags: ["rag"],
      summary: "One document with its content",
      request: { params: IdParam },
      responses: { 200: json(z.object({ document: Document }), "The document"), ...CommonErrorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const doc = await getDocument(database, c.get("project").id, { id });
      if (!doc) throw notFound(`No document ${id}`);
      return c.json({ document: doc }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/v1/documents/{id}",
      tags: ["rag"],
      summary: "Delete a document and its chunks",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...CommonErrorResponses },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await deleteDocument(database, c.get("project").id, { id }))) throw notFound(`No document ${id}`);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/search",
      tags: ["rag"],
      summary: "Hybrid search (vector + full text, reciprocal rank fusion) over documents",
      request: { body: { required: true, content: { "application/json": { schema: SearchInput } } } },
      responses: {
        200: json(z.object({ results: z.array(SearchResult), embedder: z.string() }), "Best first"),
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const results = await hybridSearch(database, embedder, c.get("project").id, input, {
        onVectorError: (error) => c.get("log").warn({ err: error }, "embedder failed; text leg only"),
      });
      return c.json({ results, embedder: embedder.id }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/ask",
      tags: ["rag"],
      summary: "Answer a question from the documents, citing them (extractive, or generated with an LLM)",
      description:
        "With stream=true or Accept: text/event-stream: server-sent events `citations` (JSON), `delta` " +
        "(answer text, repeated) and `done` (the final JSON result).",
      request: { body: { required: true, content: { "application/json": { schema: AskInput } } } },
      responses: {
        200: {
          description: "The answer and its sources",
          content: {
            "application/json": { schema: AskResult },
            "text/event-stream": { schema: z.string() },
          },
        },
        ...CommonErrorResponses,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const projectId = c.get("project").id;
      const wantsStream = input.stream || (c.req.header("accept") ?? "").includes("text/event-stream");
      if (!wantsStream) return c.json(await ask(database, embedder, llm, projectId, input), 200);

      return streamSSE(c, async (stream) => {
        const done = (answer: string, citations: Citation[], mode: "extractive" | "generated") =>
          stream.writeSSE({ event: "done", data: JSON.stringify({ answer, citations, mode }) });
        if (!llm) {
          // No LLM: the extractive answer arrives whole, in the same event shape.
          const r = await ask(database, embedder, undefined, projectId, input);
          await stream.writeSSE({ event: "citations", data: JSON.stringify(r.citations) });
          await stream.writeSSE({ event: "delta", data: JSON.stringify(r.answer) });
          return done(r.answer, r.citations, r.mode);
        }
        const { sources, citations } = await retrieveSources(database, embedder, projectId, input);
        await stream.writeSSE({ event: "citations", data: JSON.stringify(citations) });
        if (!sources.length) {
          await stream.writeSSE({ event: "delta", data: JSON.stringify(NOT_FOUND) });
          return done(NOT_FOUND, [], "generated");
        }
        const abort = new AbortController();
        stream.onAbort(() => abort.abort());
        let answer = "";
        try {
          for await (const delta of llm.stream(groundedPrompt(input.question, sources), abort.signal)) {
            answer += delta;
            await stream.writeSSE({ event: "delta", data: JSON.stringify(delta) });
          }
        } catch (error) {
          c.get("log").warn({ err: error }, "LLM stream failed");
          await stream.writeSSE({
            event: "error",
            data: JSON.stringify({
              code: "llm_unavailable",
              message: "The language model failed mid-answer",
            }),
          });
          return;
        }
        await done(answer.trim(), usedCitations(answer, citations), "generated");
      });
    },
  );

  return app;
}
