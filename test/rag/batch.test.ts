import { expect, it } from "vitest";
import { createApiKey } from "../../src/auth/store.ts";
import { MAX_BATCH_DOCUMENTS } from "../../src/rag/model.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { SOME_RUNBOOKS } from "./runbooks.ts";

type BatchBody = { documents: { id: string; status: string; chunks: number; embedded: boolean }[] };
type ErrorBody = {
  error: { code: string; message: string; details?: { issues: { path: string; message: string }[] } };
};

const doc = (path: string, content: string) => ({ kind: "runbook", path, content });
const runbooks = SOME_RUNBOOKS.slice(0, 4).map((r) => doc(`batch/${r.path}`, r.content));

describeEachDatabase("rag document batches", (db) => {
  const t = useApp(db);
  const list = async (key?: string) => {
    const res = await t.request("/api/v1/documents?pathPrefix=batch/&limit=500", {
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });
    return ((await res.json()) as { documents: { id: string; path: string; content?: string }[] }).documents;
  };
  const search = async (query: string, key?: string) => {
    const res = await t.request("/api/v1/search", {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, k: 3, filters: { pathPrefix: "batch/" } }),
    });
    return ((await res.json()) as { results: { path: string; snippet: string }[] }).results;
  };
  const ids = new Map<string, string>();

  it("adds a batch in one request, answering per document in input order", async () => {
    const res = await t.post("/api/v1/documents/batch", { documents: runbooks });
    expect(res.status).toBe(200);
    const { documents } = (await res.json()) as BatchBody;
    expect(documents.map((d) => d.status)).toEqual(["added", "added", "added", "added"]);
    expect(documents.every((d) => d.embedded && d.chunks > 1)).toBe(true);
    const stored = await list();
    for (const [i, r] of runbooks.entries()) {
      const found = stored.find((s) => s.path === r.path);
      expect(found?.id).toBe(documents[i]!.id);
      ids.set(r.path, documents[i]!.id);
    }
    expect(stored).toHaveLength(4);
  });

  it("unchanged, updated and added in one batch; search finds the new sections", async () => {
    const edited = `${runbooks[1]!.content}\n\n## Escalation\n\nPage the quokka rotation when the volume keeps filling.\n`;
    const res = await t.post("/api/v1/documents/batch", {
      documents: [
        doc(
          "batch/new/ZebraOutage.md",
          "# Zebra outage\n\n## Mitigation\n\nRestart the zebra gateway pods.\n",
        ),
        runbooks[0],
        { ...runbooks[1], content: edited },
        runbooks[2],
      ],
    });
    expect(res.status).toBe(200);
    const { documents } = (await res.json()) as BatchBody;
    expect(documents.map((d) => d.status)).toEqual(["added", "unchanged", "updated", "unchanged"]);
    expect(documents.slice(1).map((d) => d.id)).toEqual(runbooks.slice(0, 3).map((r) => ids.get(r.path)));
    expect((await search("zebra gateway"))[0]?.path).toBe("batch/new/ZebraOutage.md");
    expect((await search("quokka rotation"))[0]?.path).toBe(runbooks[1]!.path);
    const one = await t.request(`/api/v1/documents/${documents[2]!.id}`);
    expect(((await one.json()) as { document: { content: string } }).document.content).toBe(edited);
  });

  it("refuses a batch with invalid items as one 400 naming them, storing none of it", async () => {
    const res = await t.post("/api/v1/documents/batch", {
      documents: [
        doc("batch/ok/A.md", "# A\n\ntext"),
        { kind: "poem", path: "batch/x.md", content: "x" },
        doc("batch/ok/B.md", "# B"),
        { kind: "runbook", path: " ", content: 3 },
      ],
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    const paths = body.error.details!.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(["documents.1.kind", "documents.3.path", "documents.3.content"]),
    );
    expect(paths.every((p) => /^documents\.[13]\./.test(p))).toBe(true);
    expect((await list()).some((d) => d.path.startsWith("batch/ok/"))).toBe(false);
  });

  it("refuses duplicate paths within a batch, naming them", async () => {
    const res = await t.post("/api/v1/documents/batch", {
      documents: [
        doc("batch/dup/A.md", "# A v1"),
        doc("batch/dup/B.md", "# B"),
        doc("batch/dup/A.md", "# A v2"),
      ],
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details!.issues).toEqual([
      expect.objectContaining({
        path: "documents.2.path",
        message: expect.stringContaining('"batch/dup/A.md" (also item 0)'),
      }),
    ]);
    expect((await list()).some((d) => d.path.startsWith("batch/dup/"))).toBe(false);
  });

  it(`refuses an empty batch and one of more than ${MAX_BATCH_DOCUMENTS} documents`, async () => {
    expect((await t.post("/api/v1/documents/batch", { documents: [] })).status).toBe(400);
    const many = Array.from({ length: MAX_BATCH_DOCUMENTS + 1 }, (_, i) =>
      doc(`batch/many/${i}.md`, `# ${i}`),
    );
    const res = await t.post("/api/v1/documents/batch", { documents: many });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.details!.issues[0]!.path).toBe("documents");
    expect((await list()).some((d) => d.path.startsWith("batch/many/"))).toBe(false);
  });

  it("another project's batch neither overwrites nor sees this project's documents", async () => {
    const other = await createApiKey(db.database.db, "rag-batch-other");
    const res = await t.request("/api/v1/documents/batch", {
      method: "POST",
      headers: { authorization: `Bearer ${other.key}`, "content-type": "application/json" },
      body: JSON.stringify({ documents: [doc(runbooks[0]!.path, "# Walrus\n\nThe walrus procedure.\n")] }),
    });
    expect(res.status).toBe(200);
    const { documents } = (await res.json()) as BatchBody;
    expect(documents[0]!.status).toBe("added");
    expect(documents[0]!.id).not.toBe(ids.get(runbooks[0]!.path));
    expect((await list(other.key)).map((d) => d.path)).toEqual([runbooks[0]!.path]);
    expect((await search("walrus procedure", other.key))[0]?.snippet).toContain("walrus");
    expect((await search("walrus procedure")).some((r) => /walrus/i.test(r.snippet))).toBe(false);
    const mine = await t.request(`/api/v1/documents/${ids.get(runbooks[0]!.path)}`);
    expect(((await mine.json()) as { document: { content: string } }).document.content).toBe(
      runbooks[0]!.content,
    );
    const theirs = await t.request(`/api/v1/documents/${ids.get(runbooks[0]!.path)}`, {
      headers: { authorization: `Bearer ${other.key}` },
    });
    expect(theirs.status).toBe(404);
  });

  it("lists the batch route in the OpenAPI document", async () => {
    const spec = (await (await t.request("/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(spec.paths["/api/v1/documents/batch"]).toBeDefined();
  });
});

describeEachDatabase("rag document batches above the body limit", (db) => {
  const t = useApp(db, { env: { VIGIL_BODY_LIMIT: "64kb" }, project: "rag-batch-limit" });

  it("refuses a batch larger than VIGIL_BODY_LIMIT with a JSON 413, storing none of it", async () => {
    const documents = Array.from({ length: 20 }, (_, i) =>
      doc(`limit/${i}.md`, `# ${i}\n\n${"word ".repeat(1000)}`),
    );
    const res = await t.post("/api/v1/documents/batch", { documents });
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.code).toBe("payload_too_large");
    const list = await t.request("/api/v1/documents?pathPrefix=limit/");
    expect(((await list.json()) as { documents: unknown[] }).documents).toEqual([]);
    // The same documents in batches under the limit go through.
    for (const part of [documents.slice(0, 10), documents.slice(10)])
      expect((await t.post("/api/v1/documents/batch", { documents: part })).status).toBe(200);
  });
});
