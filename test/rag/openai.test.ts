import pino from "pino";
import { afterAll, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { embedMissing } from "../../src/rag/jobs.ts";
import { noteEmbedderUse } from "../../src/rag/store.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { startFakeOpenAI } from "./fake-openai.ts";
import { SOME_RUNBOOKS } from "./runbooks.ts";

const fake = await startFakeOpenAI("sk-test-key", 96);
afterAll(() => fake.close());

const env = {
  VIGIL_EMBEDDINGS_URL: fake.url,
  VIGIL_EMBEDDINGS_MODEL: "test-embed-small",
  VIGIL_EMBEDDINGS_API_KEY: "sk-test-key",
  VIGIL_LLM_URL: fake.url,
  VIGIL_LLM_MODEL: "test-chat",
  VIGIL_LLM_API_KEY: "sk-test-key",
};

describeEachDatabase("rag with OpenAI-compatible endpoints", (db) => {
  // Documents first indexed with the built-in embedder (default config) ...
  const builtin = useApp(db, { project: "rag-openai" });
  // ... then the same database served with an OpenAI-compatible embedder and LLM configured.
  const t = useApp(db, { env, project: "rag-openai-2" });

  it("re-embeds every chunk when the embedder changes, then searches with the new vectors only", async () => {
    for (const rb of SOME_RUNBOOKS.slice(0, 4))
      expect((await builtin.post("/api/v1/documents", { kind: "runbook", ...rb })).status).toBe(201);
    fake.requests.length = 0;
    const config = loadConfig({ LOG_LEVEL: "silent", ...env });
    const n = await embedMissing({ database: db.database, config, log: pino({ level: "silent" }) }, 8);
    expect(n).toBeGreaterThan(8); // several batches
    const embedCalls = fake.requests.filter((r) => r.path === "/v1/embeddings");
    expect(embedCalls.length).toBeGreaterThan(1);
    for (const c of embedCalls) {
      expect(c.auth).toBe("Bearer sk-test-key");
      expect(c.body).toMatchObject({ model: "test-embed-small", encoding_format: "float" });
      expect((c.body as { input: string[] }).input.length).toBeLessThanOrEqual(8);
    }
    const rows = await db.database.execute<{ embedders: string[] }>(
      "select array_agg(distinct embedder) as embedders from chunk_embeddings",
    );
    // The built-in embedder's vectors are kept (grace period), next to the new ones.
    expect(rows[0]!.embedders).toEqual(["builtin-hash-v1", "openai:test-embed-small"]);
    // Idempotent: nothing left to do.
    expect(await embedMissing({ database: db.database, config, log: pino({ level: "silent" }) })).toBe(0);
  });

  it("a switch back re-embeds nothing; vectors of an embedder unused for the grace period go", async () => {
    const log = pino({ level: "silent" });
    const OTHER = "openai:test-embed-small";
    const count = async (embedder: string) =>
      Number(
        (
          await db.database.execute<{ n: number }>(
            `select count(*)::int as n from chunk_embeddings where embedder = '${embedder}'`,
          )
        )[0]!.n,
      );
    const openaiVectors = await count(OTHER);
    const builtinVectors = await count("builtin-hash-v1");
    expect(openaiVectors).toBeGreaterThan(0);
    fake.requests.length = 0;
    const back = loadConfig({ LOG_LEVEL: "silent" }); // the built-in embedder again
    expect(await embedMissing({ database: db.database, config: back, log })).toBe(0);
    expect(await count(OTHER)).toBe(openaiVectors); // still within its grace period

    // 31 days without any process using it...
    const age = (days: number) =>
      db.database.execute(
        `update rag_embedders set last_used_at = now() - interval '${days} days' where embedder = '${OTHER}'`,
      );
    await age(31);
    // ... kept forever with VIGIL_EMBEDDINGS_KEEP_DAYS=0, and with 60 days of grace;
    for (const keep of ["0", "60"]) {
      const config = loadConfig({ LOG_LEVEL: "silent", VIGIL_EMBEDDINGS_KEEP_DAYS: keep });
      await embedMissing({ database: db.database, config, log });
      expect(await count(OTHER)).toBe(openaiVectors);
    }
    // ... kept when a process notes that it uses it (as every search and ingest does, hourly);
    await noteEmbedderUse(db.database, OTHER);
    await embedMissing({ database: db.database, config: back, log });
    expect(await count(OTHER)).toBe(openaiVectors);
    // ... and deleted with the default 30 days once nobody has, never the configured embedder's.
    await age(31);
    await embedMissing({ database: db.database, config: back, log });
    expect(await count(OTHER)).toBe(0);
    expect(await count("builtin-hash-v1")).toBe(builtinVectors);
    const left = await db.database.execute<{ embedder: string }>("select embedder from rag_embedders");
    expect(left.map((r) => r.embedder)).toEqual(["builtin-hash-v1"]);
    expect(fake.requests.filter((r) => r.path === "/v1/embeddings")).toHaveLength(0);
  });

  it("indexes through the endpoint, retrying a 503, and searches with both legs", async () => {
    fake.failEmbeddings(1, 503);
    const rb = SOME_RUNBOOKS[0]!;
    const res = await t.post("/api/v1/documents", { kind: "runbook", ...rb });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ embedded: true });
    const search = await t.post("/api/v1/search", { query: "pod is crash looping CrashLoopBackOff" });
    const body = (await search.json()) as {
      embedder: string;
      results: { path: string; legs: { vector: unknown } }[];
    };
    expect(body.embedder).toBe("openai:test-embed-small");
    expect(body.results[0]!.path).toBe(rb.path);
    expect(body.results[0]!.legs.vector).not.toBeNull();
  });

  it("keeps a document when the embedder is down; the embed job adds its vectors later", {
    timeout: 30_000,
  }, async () => {
    // The client tries 1 + 4 retries: all five fail.
    fake.failEmbeddings(5, 500);
    const rb = SOME_RUNBOOKS[5]!;
    let res: Response;
    try {
      res = await t.post("/api/v1/documents", { kind: "runbook", ...rb });
    } finally {
      fake.failEmbeddings(0);
    }
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ embedded: false });
    // Searchable by text meanwhile.
    const found = await t.post("/api/v1/search", { query: "clock not synchronising NTP" });
    const hits = (
      (await found.json()) as { results: { path: string; legs: { vector: unknown; text: unknown } }[] }
    ).results;
    const hit = hits.find((r) => r.path === rb.path)!;
    expect(hit.legs.text).not.toBeNull();
    expect(hit.legs.vector).toBeNull();
    const config = loadConfig({ LOG_LEVEL: "silent", ...env });
    expect(
      await embedMissing({ database: db.database, config, log: pino({ level: "silent" }) }),
    ).toBeGreaterThan(0);
  });

  it("generates a cited answer with the chat endpoint, sending the sources in the prompt", async () => {
    fake.requests.length = 0;
    const res = await t.post("/api/v1/ask", { question: "What do I do when a pod is crash looping?" });
    const body = (await res.json()) as {
      answer: string;
      mode: string;
      citations: { n: number; path: string }[];
    };
    expect(body.mode).toBe("generated");
    expect(body.answer).toBe("Restart the pod after checking its logs [1].");
    expect(body.citations).toEqual([expect.objectContaining({ n: 1, path: SOME_RUNBOOKS[0]!.path })]);
    const chat = fake.requests.find((r) => r.path === "/v1/chat/completions")!;
    const messages = (chat.body as { messages: { role: string; content: string }[] }).messages;
    expect(messages[0]!.role).toBe("system");
    expect(messages[0]!.content).toMatch(/Not found in the runbooks/);
    expect(messages[1]!.content).toMatch(/\[1\] Kube Pod Crash Looping/);
  });

  it("streams the generated answer as server-sent events", async () => {
    const res = await t.post("/api/v1/ask", { question: "pod crash looping", stream: true });
    const text = await res.text();
    const deltas = [...text.matchAll(/event: delta\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]!) as string);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join("")).toBe("Restart the pod after checking its logs [1].");
    const done = JSON.parse(/event: done\ndata: (.*)\n/.exec(text)![1]!) as { citations: unknown[] };
    expect(done.citations).toHaveLength(1);
    const chat = fake.requests.filter((r) => r.path === "/v1/chat/completions").at(-1)!;
    expect(chat.body).toMatchObject({ stream: true, model: "test-chat" });
  });

  it("does not call the LLM when nothing relevant is found", async () => {
    fake.requests.length = 0;
    const res = await t.post("/api/v1/ask", { question: "qqqzzz" });
    expect(await res.json()).toMatchObject({ answer: "Not found in the runbooks.", citations: [] });
    expect(fake.requests.filter((r) => r.path === "/v1/chat/completions")).toHaveLength(0);
  });
});
