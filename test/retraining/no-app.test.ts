import { expect, it } from "vitest";
import { dispatchRun } from "../../src/retraining/dispatch.ts";
import { requestRetraining } from "../../src/retraining/request.ts";
import { insertRun } from "../../src/retraining/store.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies
type Json = Record<string, any>;

describeEachDatabase("retraining without a GitHub App", (db) => {
  const t = useApp(db);

  it("a person is told what to set (503); a run that cannot be queued or dispatched frees its slot", async () => {
    const created = await t.post("/api/v1/monitors", {
      name: "m",
      model: "churn",
      reference: { kind: "version", version: "v1" },
      retrainPolicy: { repo: "acme/ml", workflow: "retrain.yml" },
    });
    expect(created.status).toBe(201);
    const monitor = (await created.json()) as Json;
    expect(
      (await t.request(`/api/v1/monitors/${crypto.randomUUID()}/retrain`, { method: "POST" })).status,
    ).toBe(404);
    const res = await t.request(`/api/v1/monitors/${monitor.id}/retrain`, { method: "POST" });
    expect(res.status).toBe(503);
    expect(((await res.json()) as Json).error.code).toBe("github_not_configured");
    const listed = (await (await t.request("/api/v1/retraining")).json()) as Json;
    expect(listed.runs).toEqual([]);

    // This suite's job queue is not started, so queuing a dispatch fails.
    const requested = await requestRetraining(t.deps, {
      projectId: t.projectId,
      monitorId: monitor.id,
      trigger: "drift",
      drifted: ["drift"],
      requestedBy: "vigil",
    }).catch((error: Error) => error);
    // Queuing the dispatch fails too (no job queue started): the run does not hold the slot.
    expect(requested).toBeInstanceOf(Error);
    const [stuck] = ((await (await t.request("/api/v1/retraining")).json()) as Json).runs;
    expect(stuck).toMatchObject({ status: "failed", message: "The dispatch could not be queued" });

    // A pending run's dispatch (a drifted report's, queued before the App went away) fails at once.
    const pending = await insertRun(db.database.db, {
      projectId: t.projectId,
      monitorId: monitor.id,
      monitorName: "m",
      model: "churn",
      trigger: "drift",
      requestedBy: "vigil",
      repo: "acme/ml",
      workflow: "retrain.yml",
      ref: "main",
      status: "pending",
    });
    const run = await dispatchRun(t.deps, pending.id, { final: false });
    expect(run).toMatchObject({ status: "failed" });
    expect(run!.message).toMatch(/^Vigil is not a GitHub App yet: set GITHUB_APP_ID/);
  });
});
