import { expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { getIncident } from "../../src/incidents/read.ts";
import { addEvent, recordOccurrence } from "../../src/incidents/record.ts";
import { BuiltinEmbedder } from "../../src/rag/embedders/builtin.ts";
import {
  type IncidentContext,
  indexChangedIncidents,
  ragIncidentContext,
  ragTopRunbook,
} from "../../src/rag/incidents.ts";
import { ResultCache } from "../../src/rag/result-cache.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { SOME_RUNBOOKS } from "./runbooks.ts";

describeEachDatabase("rag over incidents", (db) => {
  const t = useApp(db, { project: "rag-incidents" });
  const embedder = new BuiltinEmbedder();
  const ids: Record<string, string> = {};

  it("indexes incidents changed since the last run, and only those", async () => {
    for (const rb of SOME_RUNBOOKS) await t.post("/api/v1/documents", { kind: "runbook", ...rb });
    const alert = (fp: string, title: string, description: string, pod: string) =>
      recordOccurrence(db.database.db, {
        projectId: t.projectId,
        kind: "alert",
        fingerprint: fp,
        title,
        severity: "critical",
        source: "alertmanager",
        sample: { annotations: { description, pod }, labels: { alertname: title } },
      });
    ids.crash1 = (
      await alert("a1", "KubePodCrashLooping", "Pod payments/api is in waiting state CrashLoopBackOff", "api")
    ).id;
    ids.crash2 = (
      await alert(
        "a2",
        "KubePodCrashLooping",
        "Pod billing/worker is in waiting state CrashLoopBackOff",
        "worker",
      )
    ).id;
    ids.disk = (
      await alert("a3", "NodeFilesystemSpaceFillingUp", "Filesystem on /var is 95% full", "node-1")
    ).id;

    expect(await indexChangedIncidents(db.database, embedder)).toBe(3);
    expect(await indexChangedIncidents(db.database, embedder)).toBe(0); // unchanged → free
    const docs = await t.request("/api/v1/documents?kind=incident");
    const { documents } = (await docs.json()) as { documents: { path: string; title: string }[] };
    expect(documents.map((d) => d.path).sort()).toEqual(
      [ids.crash1, ids.crash2, ids.disk].map((id) => `incidents/${id}`).sort(),
    );

    // A resolution note changes the incident's document.
    await addEvent(db.database.db, ids.crash1!, t.projectId, {
      type: "note",
      actor: "oncall",
      message: "Root cause: missing ConfigMap after deploy; rolled back.",
    });
    expect(await indexChangedIncidents(db.database, embedder)).toBe(1);
    const found = await t.post("/api/v1/search", {
      query: "missing ConfigMap rolled back",
      kinds: ["incident"],
    });
    const { results } = (await found.json()) as { results: { path: string }[] };
    expect(results[0]!.path).toBe(`incidents/${ids.crash1}`);
  });

  it("indexes one incident at once by id (the job's on-demand form); an unknown id indexes nothing", async () => {
    await addEvent(db.database.db, ids.disk!, t.projectId, {
      type: "note",
      actor: "oncall",
      message: "Rotated the nginx access logs that filled /var.",
    });
    expect(await indexChangedIncidents(db.database, embedder, { incidentId: ids.disk })).toBe(1);
    const found = await t.post("/api/v1/search", { query: "rotated nginx access logs", kinds: ["incident"] });
    const { results } = (await found.json()) as { results: { path: string }[] };
    expect(results[0]!.path).toBe(`incidents/${ids.disk}`);
    expect(
      await indexChangedIncidents(db.database, embedder, {
        incidentId: "00000000-0000-4000-8000-000000000000",
      }),
    ).toBe(0);
  });

  it("lists an incident's similar past incidents (not itself) and suggested runbooks", async () => {
    // Through the incident detail route, where app.ts wires the enricher in.
    const res = await t.request(`/api/v1/incidents/${ids.crash2}`);
    const { context: ctx } = (await res.json()) as {
      context: IncidentContext;
    };
    expect(ctx.similar.length).toBeGreaterThan(0);
    expect(ctx.similar.length).toBeLessThanOrEqual(3);
    expect(ctx.similar[0]!.path).toBe(`incidents/${ids.crash1}`);
    expect(ctx.similar.some((s) => s.path === `incidents/${ids.crash2}`)).toBe(false);
    expect(ctx.runbooks).toHaveLength(3);
    expect(ctx.runbooks[0]!.path).toBe("kubernetes/KubePodCrashLooping.md");
  });

  it("caches an incident's context until its text or the project's incident and runbook documents change", async () => {
    const cache = new ResultCache<IncidentContext>(10, 60_000);
    const incident = {
      ...(await getIncident(db.database.db, t.projectId, ids.crash2!))!,
      projectId: t.projectId,
    };
    const first = await ragIncidentContext(db.database, incident, embedder, cache);
    expect(first).toEqual(await ragIncidentContext(db.database, incident, embedder));
    // Unchanged: the cached answer, for the one query that reads the documents' version.
    const used: string[] = [];
    const counted = new Proxy(db.database, {
      get(target, prop, receiver) {
        if (prop === "query" || prop === "execute" || prop === "db") used.push(String(prop));
        return Reflect.get(target, prop, receiver);
      },
    });
    expect(await ragIncidentContext(counted, incident, embedder, cache)).toBe(first);
    expect(used).toEqual(["query"]);

    // A new runbook, then its deletion: each a new answer, the one a fresh search gives.
    const added = await t.post("/api/v1/documents", {
      kind: "runbook",
      path: "kubernetes/worker-crashloop.md",
      content:
        "# Billing worker CrashLoopBackOff\n\nThe billing worker pod crash loops when its queue is gone.",
    });
    expect(added.status).toBe(201);
    const withRunbook = await ragIncidentContext(db.database, incident, embedder, cache);
    expect(withRunbook).not.toBe(first);
    expect(withRunbook).toEqual(await ragIncidentContext(db.database, incident, embedder));
    expect(withRunbook.runbooks.map((r) => r.path)).toContain("kubernetes/worker-crashloop.md");
    const { id } = (await added.json()) as { id: string };
    expect((await t.request(`/api/v1/documents/${id}`, { method: "DELETE" })).status).toBe(204);
    const after = await ragIncidentContext(db.database, incident, embedder, cache);
    expect(after.runbooks.map((r) => r.path)).not.toContain("kubernetes/worker-crashloop.md");
    expect(after).toEqual(first);

    // Another incident text is another key.
    const renamed = {
      ...incident,
      title: "NodeFilesystemSpaceFillingUp",
      sample: { annotations: { description: "Filesystem on /var is 95% full" } },
      labels: {},
    };
    const other = await ragIncidentContext(db.database, renamed, embedder, cache);
    expect(other).toEqual(await ragIncidentContext(db.database, renamed, embedder));
    expect(other.runbooks[0]!.path).not.toBe(first.runbooks[0]!.path);
    expect(cache.size).toBe(3);
  });

  it("names the top runbook for a notification, and none for unrelated text", async () => {
    const config = loadConfig({ LOG_LEVEL: "silent" });
    const top = await ragTopRunbook(
      db.database,
      config,
      t.projectId,
      "Clock at 10.0.3.17:9100 is not synchronising",
    );
    expect(top?.path).toBe("node/NodeClockNotSynchronising.md");
    expect(await ragTopRunbook(db.database, config, t.projectId, "qqqq zzzz")).toBeUndefined();
    // For a notification the runbook must also be about the alert's title, not only share body words.
    const body = "critical: clock at 10.0.3.17:9100 is not synchronising";
    expect(await ragTopRunbook(db.database, config, t.projectId, body, "Zorp frobnicated")).toBeUndefined();
    expect(
      (await ragTopRunbook(db.database, config, t.projectId, body, "NodeClockNotSynchronising"))?.path,
    ).toBe("node/NodeClockNotSynchronising.md");
  });
});
