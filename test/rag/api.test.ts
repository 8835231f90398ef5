import { expect, it } from "vitest";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { SOME_RUNBOOKS } from "./runbooks.ts";

type SearchBody = {
  results: {
    documentId: string;
    path: string;
    title: string;
    heading: string;
    snippet: string;
    score: number;
    kind: string;
    legs: { vector: { rank: number; score: number } | null; text: { rank: number; score: number } | null };
  }[];
};

describeEachDatabase("rag documents, search and ask", (db) => {
  const t = useApp(db);
  const ids = new Map<string, string>();

  it("adds runbooks (201), then the same content is unchanged and edited content is updated", async () => {
    for (const rb of SOME_RUNBOOKS) {
      const res = await t.post("/api/v1/documents", { kind: "runbook", path: rb.path, content: rb.content });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { id: string; status: string; chunks: number; embedded: boolean };
      expect(body).toMatchObject({ status: "added", embedded: true });
      expect(body.chunks).toBeGreaterThan(1);
      ids.set(rb.path, body.id);
    }
    const [first] = SOME_RUNBOOKS;
    const again = await t.post("/api/v1/documents", {
      kind: "runbook",
      path: first!.path,
      content: first!.content,
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "unchanged", id: ids.get(first!.path) });
    const edited = await t.post("/api/v1/documents", {
      kind: "runbook",
      path: first!.path,
      content: `${first!.content}\n\n## Escalation\n\nPage the platform team when restarts exceed ten per hour.\n`,
    });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ status: "updated", id: ids.get(first!.path) });
  });

  it("reads the title from front matter and lists, gets and deletes documents", async () => {
    const list = await t.request("/api/v1/documents?kind=runbook&pathPrefix=kubernetes/");
    const { documents } = (await list.json()) as {
      documents: { path: string; title: string; chunks: number }[];
    };
    expect(documents.map((d) => d.path)).toEqual([
      "kubernetes/KubePersistentVolumeErrors.md",
      "kubernetes/KubePersistentVolumeFillingUp.md",
      "kubernetes/KubePodCrashLooping.md",
    ]);
    expect(documents.find((d) => d.path.includes("CrashLooping"))!.title).toBe("Kube Pod Crash Looping");
    const one = await t.request(`/api/v1/documents/${ids.get("kubernetes/KubePodCrashLooping.md")}`);
    expect(((await one.json()) as { document: { content: string } }).document.content).toContain(
      "Escalation",
    );

    const tmp = await t.post("/api/v1/documents", {
      kind: "doc",
      path: "tmp/x.md",
      content: "# X\n\nthrowaway",
    });
    const { id } = (await tmp.json()) as { id: string };
    expect((await t.request(`/api/v1/documents/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await t.request(`/api/v1/documents/${id}`)).status).toBe(404);
    expect((await t.request(`/api/v1/documents/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("rejects bad documents and searches with a clear 400", async () => {
    const bad = await t.post("/api/v1/documents", { kind: "poem", path: "", content: 3 });
    expect(bad.status).toBe(400);
    const err = (await bad.json()) as { error: { code: string; details: { issues: { path: string }[] } } };
    expect(err.error.code).toBe("invalid_body");
    expect(err.error.details.issues.map((i) => i.path).sort()).toEqual(["content", "kind", "path"]);
    expect((await t.post("/api/v1/search", { query: "" })).status).toBe(400);
    expect((await t.post("/api/v1/search", { query: "x", k: 1000 })).status).toBe(400);
    expect((await t.post("/api/v1/ask", {})).status).toBe(400);
  });

  it("finds the right runbook for a page's text, one result per document, with snippet and legs", async () => {
    const res = await t.post("/api/v1/search", {
      query:
        "PersistentVolume is filling up. The PersistentVolume claimed by data-kafka-0 in Namespace payments is only 3% free.",
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as SearchBody;
    expect(results[0]!.path).toBe("kubernetes/KubePersistentVolumeFillingUp.md");
    expect(new Set(results.map((r) => r.documentId)).size).toBe(results.length);
    for (let i = 1; i < results.length; i++)
      expect(results[i]!.score).toBeLessThanOrEqual(results[i - 1]!.score);
    expect(results[0]!.legs.vector).not.toBeNull();
    expect(results[0]!.legs.text).not.toBeNull();
    expect(results[0]!.snippet).toMatch(/<mark>/);
    expect(results[0]!.kind).toBe("runbook");
  });

  it("snippets are HTML-safe: the document's markup is escaped, only Vigil's <mark> tags remain", async () => {
    const doc = await t.post("/api/v1/documents", {
      kind: "doc",
      path: "tmp/markup.md",
      content:
        '# Zanzibar gateway\n\nWhen the zanzibar gateway flaps, <script>alert("pwned")</script> ' +
        "run <img src=x onerror=alert(1)> & restart the zanzibar relay.\n",
    });
    const { id } = (await doc.json()) as { id: string };
    const res = await t.post("/api/v1/search", { query: "zanzibar gateway flaps", kinds: ["doc"] });
    const { results } = (await res.json()) as SearchBody;
    const snippet = results.find((r) => r.documentId === id)!.snippet;
    expect(snippet).toMatch(/<mark>zanzibar<\/mark>/i);
    // ts_headline drops what Postgres' parser reads as tags (<script>); whatever remains is text.
    expect(snippet).not.toContain("<script");
    expect(snippet).toContain("alert(&quot;pwned&quot;)");
    expect(snippet).toContain("&lt;img src=x onerror=alert(1)&gt; &amp; restart");
    expect(snippet.replace(/<\/?mark>/g, "")).not.toMatch(/[<>]/);
    await t.request(`/api/v1/documents/${id}`, { method: "DELETE" });
  });

  it("perDocument returns several sections of a runbook; kinds and filters narrow", async () => {
    const per = await t.post("/api/v1/search", {
      query: "pod crash looping restart",
      k: 10,
      perDocument: true,
    });
    const { results } = (await per.json()) as SearchBody;
    const crash = results.filter((r) => r.path.includes("CrashLooping"));
    expect(crash.length).toBeGreaterThan(1);
    expect(new Set(crash.map((r) => r.heading)).size).toBe(crash.length);

    const none = await t.post("/api/v1/search", { query: "pod crash looping", kinds: ["incident"] });
    expect(((await none.json()) as SearchBody).results).toEqual([]);
    const filtered = await t.post("/api/v1/search", {
      query: "configuration reload failed",
      filters: { pathPrefix: "prometheus/" },
    });
    const fr = ((await filtered.json()) as SearchBody).results;
    expect(fr.length).toBeGreaterThan(0);
    expect(fr.every((r) => r.path.startsWith("prometheus/"))).toBe(true);
  });

  it("a project never sees another project's documents", async () => {
    const { createApiKey } = await import("../../src/auth/store.ts");
    const other = await createApiKey(db.database.db, "rag-other");
    const res = await t.request("/api/v1/search", {
      method: "POST",
      headers: { authorization: `Bearer ${other.key}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "PersistentVolume filling up" }),
    });
    expect(((await res.json()) as SearchBody).results).toEqual([]);
  });

  it("answers extractively without an LLM, every sentence cited", async () => {
    const res = await t.post("/api/v1/ask", { question: "How do I check why a pod is crash looping?" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      answer: string;
      mode: string;
      citations: { n: number; path: string; heading: string }[];
    };
    expect(body.mode).toBe("extractive");
    expect(body.citations.length).toBeGreaterThan(0);
    expect(body.citations[0]!.path).toBe("kubernetes/KubePodCrashLooping.md");
    const marks = [...body.answer.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    expect(marks.length).toBeGreaterThan(0);
    for (const n of marks) expect(body.citations.some((c) => c.n === n)).toBe(true);
  });

  it("says not found when nothing relevant is retrieved", async () => {
    const res = await t.post("/api/v1/ask", { question: "zyxwv qwertz" });
    expect(await res.json()).toEqual({
      answer: "Not found in the runbooks.",
      citations: [],
      mode: "extractive",
    });
  });

  it("streams the extractive answer as server-sent events", async () => {
    const res = await t.post(
      "/api/v1/ask",
      { question: "clock not synchronising NTP" },
      { accept: "text/event-stream" },
    );
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await res.text();
    expect(text).toMatch(/event: citations/);
    expect(text).toMatch(/event: done/);
    const done = JSON.parse(/event: done\ndata: (.*)\n/.exec(text)![1]!) as { citations: { path: string }[] };
    expect(done.citations[0]!.path).toBe("node/NodeClockNotSynchronising.md");
  });

  it("lists the routes in the OpenAPI document", async () => {
    const doc = (await (await t.request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    for (const p of ["/api/v1/documents", "/api/v1/documents/{id}", "/api/v1/search", "/api/v1/ask"])
      expect(doc.paths[p]).toBeDefined();
  });
});
