import { beforeAll, expect, it } from "vitest";
import { FEATURE_DATASET, MODEL, STAGING_DATASET, WAREHOUSE } from "../../src/demo/data.ts";
import { type DemoResult, playDemo } from "../../src/demo/story.ts";
import { startTrickle } from "../../src/demo/trickle.ts";
import { useApp, useServedApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies
type Json = Record<string, any>;

/** The story against a served app (it speaks HTTP, OTLP included), checked through the API alone. */
describeEachDatabase("vigil demo: the story", (db) => {
  const t = useApp(db, { project: "demo" });
  const served = useServedApp(t);
  let result: DemoResult;
  const lines: string[] = [];

  const get = async (path: string): Promise<Json> => {
    const res = await t.request(path);
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as Json;
  };

  beforeAll(async () => {
    result = await playDemo({
      baseUrl: served.env.VIGIL_URL!,
      apiKey: t.key,
      log: (line) => lines.push(line),
    });
    await t.spansWritten();
  }, 180_000);

  it("reports each step and what it sent", () => {
    expect(lines.length).toBeGreaterThanOrEqual(9);
    expect(result.project.name).toBe("demo");
    expect(result.predictions).toMatchObject({ model: MODEL, sent: 800, inserted: 800 });
    expect(result.predictions.labeled).toBe(result.predictions.labels);
    expect(result.predictions.labels).toBeGreaterThan(600);
    expect(result.traces.requests).toBe(360);
    expect(result.traces.traceIds).toHaveLength(360);
    expect(result.traces.exceptionTraceIds.length).toBeGreaterThan(5);
  });

  it("traces: both services, every request, the errors; a failed checkout is a waterfall with the exception", async () => {
    const { services } = await get(`/api/v1/services?from=${result.from}&to=${result.to}`);
    const checkout = services.find((s: Json) => s.service === "checkout");
    expect(checkout).toMatchObject({
      requests: result.traces.requests,
      errors: result.traces.exceptionTraceIds.length,
    });
    expect(checkout.p95Ms).toBeGreaterThan(checkout.p50Ms);
    expect(services.find((s: Json) => s.service === MODEL).requests).toBeGreaterThan(0);

    const trace = await get(`/api/v1/traces/${result.traces.exceptionTraceIds[0]}`);
    const names = trace.spans.map((s: Json) => `${s.service}:${s.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "checkout:POST /api/checkout",
        "checkout:charge card",
        "fraud-detector:POST /predict",
        "fraud-detector:model.predict",
      ]),
    );
    const charge = trace.spans.find((s: Json) => s.name === "charge card");
    expect(charge.status.code).toBe("error");
    expect(charge.events[0]).toMatchObject({
      name: "exception",
      attributes: { "exception.type": "PaymentGatewayTimeoutError" },
    });
    expect(charge.events[0].attributes["exception.stacktrace"]).toMatch(/at chargeCard/);
  });

  it("one exception incident for the recurring timeout, counting every occurrence, with its trace", async () => {
    const id = result.incidents.exception!;
    expect(id).toBeTruthy();
    const detail = await get(`/api/v1/incidents/${id}`);
    expect(detail.incident).toMatchObject({ kind: "exception", status: "open", source: "checkout" });
    expect(detail.incident.count).toBe(result.traces.exceptionTraceIds.length);
    expect(detail.incident.title).toMatch(/^PaymentGatewayTimeoutError: payment provider acme-pay/);
    expect(result.traces.exceptionTraceIds).toContain(detail.context.traceId);
    const { incidents } = await get("/api/v1/incidents?kind=exception");
    expect(incidents).toHaveLength(1);
  });

  it("drift: the report flags exactly the drifted inputs, accuracy dropped, both incidents open", async () => {
    expect(result.monitor.drifted).toBe(true);
    const { report } = { report: await get(`/api/v1/reports/${result.monitor.reportIds[0]}`) };
    const body = report.report ?? report;
    expect(body).toMatchObject({ status: "ok", drifted: true, monitorId: result.monitor.id });
    const flagged = body.features.filter((f: Json) => f.drifted).map((f: Json) => f.name);
    // Amounts in local currency and a new merchant category; age, country and hour are stationary.
    expect(flagged.sort()).toEqual(["amount", "merchant_category"]);
    // The merchant embeddings moved with the new category: embedding drift (MMD) says so too.
    expect(body.embeddings).toEqual([
      expect.objectContaining({ name: "merchant_embedding", dimension: 8, method: "mmd", drifted: true }),
    ]);
    // The report page's charts: each feature's windows binned, the new category among the bars.
    for (const f of body.features) expect(f.distribution, f.name).toBeDefined();
    const amount = body.features.find((f: Json) => f.name === "amount").distribution;
    expect(amount).toMatchObject({ kind: "histogram" });
    const categories = body.features.find((f: Json) => f.name === "merchant_category").distribution;
    const crypto = categories.labels.indexOf("crypto");
    expect(crypto).toBeGreaterThanOrEqual(0);
    expect([categories.reference[crypto], categories.current[crypto] > 0]).toEqual([0, true]);
    expect(body.performance).toMatchObject({ task: "classification", metric: "f1", degraded: true });
    expect(body.performance.current.metrics.accuracy).toBeLessThan(
      body.performance.reference.metrics.accuracy - 0.15,
    );

    const drift = await get(`/api/v1/incidents/${result.incidents.drift}`);
    expect(drift.incident).toMatchObject({ kind: "drift", status: "open", source: `model:${MODEL}` });
    expect(drift.incident.title).toMatch(/amount, merchant_category/);
    // Joined to the upstream change that caused it, and to its report: once, even when replayed.
    expect(drift.incident.evidence.links.map((l: Json) => l.kind)).toEqual(["schema_change", "drift_report"]);
    expect(drift.incident.evidence.links[1].ref).toBe(result.monitor.reportIds[0]);
    const perf = await get(`/api/v1/incidents/${result.incidents.performance}`);
    expect(perf.incident).toMatchObject({ kind: "drift", status: "open" });
    expect(perf.incident.title).toMatch(/performance dropped: f1/);
  });

  it("schema: the breaking upstream change is a version with its diff and an incident reaching the model", async () => {
    expect(result.lineage.breakingDatasets.sort()).toEqual(["raw.payments", STAGING_DATASET]);
    const ns = encodeURIComponent(WAREHOUSE);
    const changes = await get(`/api/v1/datasets/${STAGING_DATASET}/changes?namespace=${ns}`);
    expect(changes.versions[0]).toMatchObject({ version: 2, breaking: true });
    expect(changes.versions[0].changes).toEqual(
      // amount_usd replaced by a same-typed amount: Vigil calls it a rename readers of amount_usd miss.
      expect.arrayContaining([
        expect.objectContaining({
          kind: "possible_rename",
          from: "amount_usd",
          to: "amount",
          breaking: true,
        }),
      ]),
    );
    const impact = await get(`/api/v1/datasets/${STAGING_DATASET}/impact?namespace=${ns}&fields=amount_usd`);
    expect(impact.impacted.map((n: Json) => `${n.kind}:${n.name}`)).toEqual(
      expect.arrayContaining([`dataset:${FEATURE_DATASET}`, `model:${MODEL}`]),
    );
    // The staging dataset's page: made from raw.payments, read by the feature job and the model.
    const around = await get(`/api/v1/datasets/${STAGING_DATASET}/lineage?namespace=${ns}&depth=3`);
    expect(around.upstream.map((n: Json) => `${n.depth} ${n.kind}:${n.name}`)).toEqual([
      "1 job:ingest_payments",
      "2 dataset:raw.payments",
    ]);
    expect(around.downstream.map((n: Json) => `${n.depth} ${n.kind}:${n.name}`)).toEqual([
      "1 job:build_fraud_features",
      `2 dataset:${FEATURE_DATASET}`,
      `3 model:${MODEL}`,
    ]);
    const features = around.downstream.find((n: Json) => n.name === FEATURE_DATASET);
    // The field the change removed is still read downstream: the field edge says by what.
    expect(around.fieldEdges).toContainEqual(
      expect.objectContaining({
        from: { node: around.dataset.id, field: "amount_usd" },
        to: { node: features.id, field: "amount" },
      }),
    );
    expect(result.incidents.schema).toHaveLength(2);
    const staging = (
      await Promise.all(result.incidents.schema.map((id) => get(`/api/v1/incidents/${id}`)))
    ).find((d) => d.incident.source === `${WAREHOUSE}/${STAGING_DATASET}`)!;
    // The on-call engineer acknowledged it, with a note in the timeline.
    expect(staging.incident).toMatchObject({ kind: "schema", status: "acknowledged" });
    expect(staging.events.map((e: Json) => e.type)).toEqual(expect.arrayContaining(["acknowledged", "note"]));
    expect(staging.incident.sample.impacted.map((n: Json) => n.name)).toContain(MODEL);
  });

  it("alerts: the crash loop fired and resolved, the autoscaler alert is still firing", async () => {
    const { incidents } = await get("/api/v1/incidents?kind=alert");
    const byFingerprint = new Map(incidents.map((i: Json) => [i.fingerprint, i]));
    const crash = byFingerprint.get(`alertmanager:${result.alerts.resolved[0]}`) as Json;
    const hpa = byFingerprint.get(`alertmanager:${result.alerts.firing[0]}`) as Json;
    expect(crash).toMatchObject({ status: "resolved", source: "alertmanager" });
    expect(crash.title).toMatch(/^KubePodCrashLooping/);
    expect(crash.resolvedAt).not.toBeNull();
    expect(hpa).toMatchObject({ status: "open" });
    expect(result.incidents.alerts.sort()).toEqual([crash.id, hpa.id].sort());
  });

  it("runbooks: every one indexed and found by what an on-call engineer would type", async () => {
    const { documents } = await get("/api/v1/documents?kind=runbook&pathPrefix=demo/");
    expect(documents.map((d: Json) => d.path).sort()).toEqual([...result.documents.paths].sort());
    expect(documents.length).toBe(10);
    const search = async (query: string) => {
      const res = await t.post("/api/v1/search", { query, k: 3 });
      expect(res.status).toBe(200);
      return ((await res.json()) as Json).results.map((r: Json) => r.path ?? r.document?.path);
    };
    expect((await search("pod keeps restarting in CrashLoopBackOff"))[0]).toBe(
      "demo/kubernetes/KubePodCrashLooping.md",
    );
    expect(await search("payment provider timeout at checkout")).toContain(
      "demo/vigil/PaymentGatewayTimeout.md",
    );
  });

  it("each incident suggests the runbook written for it", async () => {
    const suggested = async (id: string | null) =>
      ((await get(`/api/v1/incidents/${id}`)).context.runbooks as Json[]).map((r) => r.path);
    expect((await suggested(result.incidents.exception))[0]).toBe("demo/vigil/PaymentGatewayTimeout.md");
    expect((await suggested(result.incidents.drift))[0]).toBe("demo/vigil/ModelFeatureDrift.md");
    expect(await suggested(result.incidents.schema[0]!)).toContain("demo/vigil/BreakingSchemaChange.md");
    const alerts = await Promise.all(result.incidents.alerts.map((id) => get(`/api/v1/incidents/${id}`)));
    for (const a of alerts)
      expect(a.context.runbooks[0].path).toBe(`demo/kubernetes/${a.incident.labels.alertname}.md`);
  });

  it("played again on the same Vigil: the monitor is reused, the new data is added", async () => {
    const again = await playDemo({
      baseUrl: served.env.VIGIL_URL!,
      apiKey: t.key,
      predictions: 200,
      requests: 40,
    });
    expect(again.monitor.id).toBe(result.monitor.id);
    expect(again.predictions.inserted).toBe(200);
    expect(again.tag).not.toBe(result.tag);
    const { monitors } = await get("/api/v1/monitors");
    expect(monitors).toHaveLength(1);
    const drift = await get(`/api/v1/incidents/${again.incidents.drift}`);
    expect(drift.incident.evidence.links.map((l: Json) => l.kind)).toEqual([
      "schema_change",
      "drift_report",
      "drift_report",
    ]);
  }, 120_000);

  it("the live trickle adds traced requests and labelled predictions until stopped", async () => {
    const startedAt = new Date(Date.now() - 1_000).toISOString();
    const trickle = startTrickle({
      baseUrl: served.env.VIGIL_URL!,
      apiKey: t.key,
      monitorId: result.monitor.id,
      tag: `${result.tag}-test`,
      everyMs: 100,
    });
    while (trickle.ticks < 3) await new Promise((r) => setTimeout(r, 100));
    await trickle.stop();
    const ticks = trickle.ticks;
    await t.spansWritten();
    // Five predictions a tick, each stored: its label found it.
    expect(trickle.labeled).toBe(5 * ticks);
    const { traces } = await get(`/api/v1/traces?service=checkout&from=${startedAt}&limit=500`);
    expect(traces.length).toBe(3 * ticks);
    await new Promise((r) => setTimeout(r, 300));
    expect(trickle.ticks).toBe(ticks); // stopped means stopped
  }, 120_000);
});
