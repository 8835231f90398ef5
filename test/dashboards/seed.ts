import { expect } from "vitest";
import { rng, syntheticRow } from "../../bench/predictions-synthetic.ts";
import { createApiKey } from "../../src/auth/store.ts";
import { requestRetraining } from "../../src/retraining/request.ts";
import { insertRun } from "../../src/retraining/store.ts";
import type { AppContext } from "../helpers/app.ts";
import { hexId, jsonRequest, span } from "../traces/otlp-builders.ts";

type Json = Record<string, any>;

export interface Seeded {
  /** The project the data went to, and a second one with spans of its own (the project filter). */
  project: string;
  other: string;
  services: string[];
  otherServices: string[];
  models: string[];
  kinds: string[];
}

const ok = async (res: Response, status = [200, 201]) => {
  expect(status, `${res.status} ${await res.clone().text()}`).toContain(res.status);
  return (await res.json()) as Json;
};

/** OTLP/JSON through /v1/traces: entry spans of `service` over the last `minutes`, some failing. */
async function sendSpans(t: AppContext, key: string, service: string, routes: string[], seed: number) {
  const r = rng(seed);
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: 120 }, (_, i) => {
    const route = routes[i % routes.length]!;
    const start = now - BigInt(Math.floor(r() * 3 * 3600)) * 1_000_000_000n;
    const failed = r() < 0.1;
    const root = span({
      name: `GET ${route}`,
      kind: 2,
      startNs: start,
      endNs: start + BigInt(Math.floor(5 + r() * 400)) * 1_000_000n,
      attributes: { "http.route": route, "http.request.method": "GET" },
      ...(failed
        ? {
            status: { code: 2, message: "boom" },
            events: [
              {
                name: "exception",
                attributes: { "exception.type": "ValueError", "exception.message": `bad input on ${route}` },
              },
            ],
          }
        : {}),
    });
    // An internal child span: not a request, so not counted by the entry-span filter.
    const child = span({
      traceId: root.traceId,
      parentSpanId: root.spanId,
      spanId: hexId(8),
      name: "SELECT orders",
      kind: 3,
      startNs: start + 1_000_000n,
      endNs: start + 2_000_000n,
    });
    return [root, child];
  }).flat();
  const res = await t.app.request("/v1/traces", {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(jsonRequest(spans, service)),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/**
 * Demo-shaped data through Vigil's own APIs and services: traces with errors and exceptions, a
 * model with a contract its rows break, a drift monitor run on shifted data, incidents that are
 * acknowledged and resolved, a breaking schema change, an overdue dataset contract, and
 * retraining runs (one that could not be dispatched, one completed by its workflow).
 */
export async function seedDemo(t: AppContext, project: string): Promise<Seeded> {
  const other = await createApiKey(t.deps.database.db, "other-team");
  await sendSpans(t, t.key, "checkout", ["/cart", "/pay/:id"], 1);
  await sendSpans(t, t.key, "payments", ["/charge"], 2);
  await sendSpans(t, other.key, "ledger", ["/entries"], 3);
  await t.spansWritten();

  // A contract on `churn` that the shifted rows break (age above 60, an unknown plan).
  const contract = await t.request("/api/v1/contracts/churn", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      fields: {
        age: { type: "number", nullable: false, min: 0, max: 60 },
        plan: { type: "category", values: ["free", "pro", "team"] },
      },
    }),
  });
  await ok(contract);

  const r = rng(11);
  const now = Date.now();
  const reference = Array.from({ length: 600 }, () => {
    const s = syntheticRow(r, { seed: 11 });
    return { features: s.features, output: s.output };
  });
  const current = Array.from({ length: 400 }, (_, i) => ({
    model: "churn",
    requestId: `cur-${i}`,
    timestamp: new Date(now - 50 * 60_000 + i * 5000).toISOString(),
    ...syntheticRow(r, { seed: 12, shift: true }),
  }));
  const ingested = await ok(await t.post("/api/v1/predictions", current));
  expect(ingested.flagged).toBeGreaterThan(0);

  const monitor = await ok(
    await t.post("/api/v1/monitors", {
      name: "churn-daily",
      model: "churn",
      reference: { kind: "rows", rows: reference },
      current: { kind: "window", seconds: 3600 },
      tests: { plan: { test: "chisquare" }, age: { test: "ks" }, income: { test: "wasserstein" } },
      retrainPolicy: { repo: "acme/ml", workflow: "retrain.yml" },
    }),
  );
  const report = await ok(await t.request(`/api/v1/monitors/${monitor.id}/run`, { method: "POST" }));
  expect(report.drifted).toBe(true);

  // A breaking schema change: `email` removed from orders.
  const field = (name: string, type: string) => ({ name, type, nullable: true });
  await ok(
    await t.post("/api/v1/datasets/orders/schema", {
      fields: [field("id", "bigint"), field("email", "text")],
    }),
  );
  const changed = await ok(
    await t.post("/api/v1/datasets/orders/schema", { fields: [field("id", "bigint")] }),
  );
  expect(changed.breaking).toBe(true);
  // A dataset whose contract wants a write every minute and that was never written.
  const dataset = await t.request("/api/v1/datasets/events/contract", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ fields: {}, batch: { freshnessSeconds: 60 } }),
  });
  await ok(dataset);

  const listed = await ok(await t.request("/api/v1/incidents?limit=100"));
  const incidents = listed.incidents as Json[];
  const kinds = [...new Set(incidents.map((i) => i.kind as string))].sort();
  expect(kinds).toEqual(expect.arrayContaining(["drift", "exception", "schema", "validation"]));
  const byKind = (k: string) => incidents.find((i) => i.kind === k)!;
  await ok(await t.post(`/api/v1/incidents/${byKind("validation").id}/acknowledge`, {}));
  await ok(await t.post(`/api/v1/incidents/${byKind("exception").id}/acknowledge`, {}));
  await ok(await t.post(`/api/v1/incidents/${byKind("exception").id}/resolve`, {}));

  // No job queue runs in this suite, so the drift-triggered request is recorded as failed to dispatch.
  await requestRetraining(t.deps, {
    projectId: t.projectId,
    monitorId: monitor.id,
    trigger: "drift",
    drifted: ["drift"],
    requestedBy: "vigil",
  }).catch(() => undefined);
  // A run as the workflow_run webhook and the result call leave it.
  const started = new Date(now - 40 * 60_000);
  await insertRun(t.deps.database.db, {
    projectId: t.projectId,
    monitorId: monitor.id,
    monitorName: "churn-daily",
    model: "churn",
    reportId: report.id,
    trigger: "manual",
    requestedBy: "api-key:test",
    repo: "acme/ml",
    workflow: "retrain.yml",
    ref: "main",
    status: "completed",
    conclusion: "success",
    createdAt: new Date(now - 41 * 60_000),
    dispatchedAt: started,
    runStartedAt: started,
    completedAt: new Date(now - 25 * 60_000),
    producedVersion: "v2",
    htmlUrl: "https://github.com/acme/ml/actions/runs/1",
  });

  return {
    project,
    other: "other-team",
    services: ["checkout", "payments"],
    otherServices: ["ledger"],
    models: ["churn"],
    kinds,
  };
}
