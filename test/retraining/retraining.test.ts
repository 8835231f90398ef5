import { readFileSync } from "node:fs";
import { generateKeyPair } from "jose";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse } from "yaml";
import { rng, syntheticRow } from "../../bench/predictions-synthetic.ts";
import { createApiKey } from "../../src/auth/store.ts";
import { ingestPredictions } from "../../src/predictions/ingest.ts";
import { dispatchRun } from "../../src/retraining/dispatch.ts";
import { insertRun } from "../../src/retraining/store.ts";
import { pollStale } from "../../src/retraining/track.ts";
import { FakeGitHub, type FakeWorkflowRun } from "../github/fake-github.ts";
import { deliveryRequest, workflowRunPayload } from "../github/webhooks.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { Receiver } from "../notifications/receiver.ts";
import { FakeOidcIssuer } from "./fake-oidc.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies
type Json = Record<string, any>;

const INST = 6101;
const REPO = "acme/ml";
const AUDIENCE = "http://127.0.0.1:8080";
const HOUR = 3_600_000;
/** acme/ml's retrain.yml is the workflow Vigil ships (actions/retrain), plus an input of the team's own. */
const SHIPPED = parse(
  readFileSync(new URL("../../actions/retrain/workflow.yml", import.meta.url), "utf8"),
) as Json;
const INPUTS: Record<string, boolean> = {
  ...Object.fromEntries(
    Object.entries(SHIPPED.on.workflow_dispatch.inputs as Json).map(([name, spec]) => [
      name,
      Boolean(spec.required),
    ]),
  ),
  epochs: false,
};
/** The run-name, rendered as GitHub renders `${{ inputs.x }}`. */
const runName = (inputs: Record<string, string>) =>
  String(SHIPPED["run-name"]).replace(/\$\{\{\s*inputs\.(\w+)\s*\}\}/g, (_, k: string) => inputs[k] ?? "");

describeEachDatabase("retraining on GitHub Actions", (db) => {
  let fake: FakeGitHub;
  let oidc: FakeOidcIssuer;
  let receiver: Receiver;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    fake = await FakeGitHub.start();
    oidc = await FakeOidcIssuer.start();
    receiver = await new Receiver().start();
    Object.assign(
      env,
      fake.env({
        VIGIL_RETRAIN_OIDC_ISSUER: oidc.url,
        VIGIL_PUBLIC_URL: AUDIENCE,
        VIGIL_ALLOW_PRIVATE_WEBHOOKS: "true",
      }),
    );
    fake.installation(INST, "acme", [REPO, "acme/gone"]);
    fake.workflow(REPO, "retrain.yml", { inputs: INPUTS, runName });
    fake.workflow(REPO, "ci.yml", { dispatchable: false });
    fake.workflow(REPO, "strict.yml", { inputs: { model: true } });
  });
  afterAll(async () => {
    await fake?.close();
    await oidc?.close();
    await receiver?.stop();
  });
  const t = useApp(db, { env, jobs: true });

  // ---- helpers ----

  const now = Date.now();
  const weekStart = new Date(now - 8 * 24 * HOUR);
  const weekEnd = new Date(now - 24 * HOUR);

  /** A reference week and a shifted current hour of predictions for `model`: its monitor drifts. */
  async function seedDrift(model: string, seed: number) {
    const rows = (n: number, from: Date, to: Date, s: number, shift: boolean) => {
      const r = rng(s);
      return Array.from({ length: n }, (_, i) => ({
        model,
        modelVersion: "v1",
        requestId: `${model}-${s}-${i}`,
        timestamp: new Date(from.getTime() + ((to.getTime() - from.getTime()) * i) / n).toISOString(),
        ...syntheticRow(r, { seed: s, shift }),
      }));
    };
    await ingestPredictions(db.database.db, t.projectId, [
      rows(300, weekStart, weekEnd, seed, false),
      rows(200, new Date(now - 50 * 60_000), new Date(now - 60_000), seed + 1, true),
    ]);
  }

  async function createMonitor(name: string, model: string, retrainPolicy: Json | undefined) {
    const res = await t.post("/api/v1/monitors", {
      name,
      model,
      features: ["age", "plan", "income"],
      reference: { kind: "range", from: weekStart.toISOString(), to: weekEnd.toISOString() },
      current: { kind: "window", seconds: 3600 },
      options: { datasetDriftShare: 0.5 },
      ...(retrainPolicy ? { retrainPolicy } : {}),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as Json;
  }

  const policy = (over: Json = {}) => ({
    repo: REPO,
    workflow: "retrain.yml",
    cooldownSeconds: 3600,
    ...over,
  });

  async function runMonitor(id: string) {
    const res = await t.request(`/api/v1/monitors/${id}/run`, { method: "POST" });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Json;
  }

  async function retrain(monitorId: string, body?: Json) {
    const res = await t.request(`/api/v1/monitors/${monitorId}/retrain`, {
      method: "POST",
      ...(body ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  async function getRun(id: string): Promise<{ run: Json; events: Json[] }> {
    const res = await t.request(`/api/v1/retraining/${id}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { run: Json; events: Json[] };
  }

  /** Waits until the run satisfies `ok`. */
  function until(id: string, ok: (run: Json) => boolean, what = "the run's state") {
    return fake.waitFor(
      async () => {
        const { run } = await getRun(id);
        return ok(run) ? run : undefined;
      },
      30_000,
      what,
    );
  }

  async function runs(query: string): Promise<Json[]> {
    const res = await t.request(`/api/v1/retraining?${query}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as Json).runs;
  }

  async function deliver(action: "requested" | "in_progress" | "completed", run: FakeWorkflowRun) {
    const { init } = await deliveryRequest({
      event: "workflow_run",
      payload: workflowRunPayload(action, INST, run.repo, fake.runBodyOf(run)),
      secret: fake.webhookSecret,
    });
    const res = await t.app.request("/github/webhooks", init);
    expect(res.status, await res.clone().text()).toBe(202);
  }

  /** Delivers and waits until the retraining run has heard it (its history has one more webhook event). */
  async function deliverAndWait(
    id: string,
    action: "requested" | "in_progress" | "completed",
    run: FakeWorkflowRun,
  ) {
    const before = (await getRun(id)).events.filter((e) => e.type === "webhook").length;
    await deliver(action, run);
    await fake.waitFor(
      async () => (await getRun(id)).events.filter((e) => e.type === "webhook").length > before,
      30_000,
      `webhook ${action} applied`,
    );
  }

  const dispatchCalls = () =>
    fake.calls.filter((c) => c.method === "POST" && /\/actions\/workflows\/[^/]+\/dispatches$/.test(c.path));

  async function incidentOf(id: string) {
    const res = await t.request(`/api/v1/incidents/${id}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { incident: Json; events: Json[]; context: Json };
  }

  async function postResult(id: string, body: Json, token: string) {
    return t.app.request(`/api/v1/retraining/${id}/result`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    });
  }

  const runToken = (claims: { repository: string; run_id: string | number }, extra: Json = {}) =>
    oidc.token(claims, { audience: AUDIENCE, ...extra });

  // ---- the loop ----

  let churn: Json;
  let first: Json;

  it("a drifted report dispatches the workflow once, with Vigil's inputs and the policy's", async () => {
    // Notifications with the default events hear of the run on the drift incident.
    const channel = (await (
      await t.post("/api/v1/channels", {
        name: "ml",
        type: "webhook",
        url: receiver.url,
        groupWindowSeconds: 0,
      })
    ).json()) as Json;
    const rule = await t.post("/api/v1/notification-rules", { channelId: channel.id, kinds: ["drift"] });
    expect(rule.status).toBe(201);

    await seedDrift("churn", 10);
    churn = await createMonitor(
      "churn-retrain",
      "churn",
      policy({ inputs: { epochs: "3" }, rebaseReference: true }),
    );
    const report = await runMonitor(churn.id);
    expect(report.drifted).toBe(true);

    const [run] = await fake.waitFor(() =>
      fake.dispatchedRuns(REPO).length ? fake.dispatchedRuns(REPO) : undefined,
    );
    const listed = await fake.waitFor(async () => {
      const found = await runs("model=churn");
      return found.length && found[0]!.status !== "pending" ? found : undefined;
    });
    expect(listed).toHaveLength(1);
    first = listed[0]!;
    expect(first).toMatchObject({
      status: "requested",
      trigger: "drift",
      model: "churn",
      modelVersion: "v1",
      reportId: report.id,
      repo: REPO,
      workflow: "retrain.yml",
      ref: "main",
      runId: run!.id,
      htmlUrl: `${fake.url}/${REPO}/actions/runs/${run!.id}`,
      requestedBy: "vigil",
    });
    const calls = dispatchCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toEqual({
      ref: "main",
      inputs: {
        model: "churn",
        model_version: "v1",
        monitor: "churn-retrain",
        report_id: report.id,
        dispatch_id: first.id,
        epochs: "3",
      },
      return_run_details: true,
    });
    expect(calls[0]!.auth).toBe("installation");
    // The run-name carries the dispatch id.
    expect(run!.displayTitle).toContain(first.id);
    // The drift incident first; the performance one too when the labels say the model got worse.
    expect(first.incidentIds.length).toBeGreaterThanOrEqual(1);

    const { events, context } = await incidentOf(first.incidentIds[0]);
    const started = events.find((e) => e.type === "retraining_started");
    expect(started).toMatchObject({ actor: "vigil", data: { retrainingRunId: first.id, runId: run!.id } });
    expect(context.retraining).toEqual([expect.objectContaining({ id: first.id, status: "requested" })]);
    const { events: history } = await getRun(first.id);
    expect(history.map((e) => e.type)).toEqual(["requested", "dispatched"]);

    const delivered = await fake.waitFor(() =>
      receiver.received.find((r) =>
        JSON.parse(r.body).events.some((e: Json) => e.type === "retraining_started"),
      ),
    );
    expect(JSON.parse(delivered.body).incident.kind).toBe("drift");
    expect(fake.violations).toEqual([]);
  });

  it("a second drifted report while the run is in flight dispatches nothing and records why", async () => {
    await runMonitor(churn.id);
    const skipped = await fake.waitFor(async () => (await runs("model=churn&status=skipped"))[0]);
    expect(skipped).toMatchObject({ skipReason: "in_flight", trigger: "drift", status: "skipped" });
    expect(skipped.message).toContain(first.id);
    expect(dispatchCalls()).toHaveLength(1);
    // A person is told the same, with the record.
    const manual = await retrain(churn.id, { reason: "try again", force: true });
    expect(manual.status).toBe(409);
    expect(manual.body.error.code).toBe("retraining_in_flight");
    expect(manual.body.error.details.run).toMatchObject({
      status: "skipped",
      skipReason: "in_flight",
      forced: false,
    });
    expect(dispatchCalls()).toHaveLength(1);
  });

  it("webhooks in order move the run through queued and in_progress to completed", async () => {
    const run = fake.workflowRuns.get(first.runId)!;
    await deliverAndWait(first.id, "requested", run);
    expect((await getRun(first.id)).run.status).toBe("queued");
    fake.setRun(run.id, { status: "in_progress" });
    await deliverAndWait(first.id, "in_progress", run);
    const running = (await getRun(first.id)).run;
    expect(running).toMatchObject({ status: "in_progress", runAttempt: 1 });
    expect(running.runStartedAt).toEqual(new Date(run.runStartedAt).toISOString());
  });

  it("the run's OIDC token posts the result: version recorded, incident resolved, reference rebased", async () => {
    const token = await runToken({ repository: REPO, run_id: first.runId });
    const res = await postResult(
      first.id,
      {
        modelVersion: "v2",
        metrics: { f1: 0.91, auc: 0.95 },
        artifactUrl: "https://models.example.com/churn/v2",
      },
      token,
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const { run } = (await res.json()) as Json;
    expect(run.result).toMatchObject({
      modelVersion: "v2",
      metrics: { f1: 0.91, auc: 0.95 },
      artifactUrl: "https://models.example.com/churn/v2",
      auth: "oidc",
    });
    expect(run.rebasedFrom).toMatchObject({ kind: "range" });

    const { incident, events } = await incidentOf(first.incidentIds[0]);
    expect(incident.status).toBe("resolved");
    expect(events.find((e) => e.type === "retraining_succeeded")).toMatchObject({
      data: { retrainingRunId: first.id, modelVersion: "v2", htmlUrl: first.htmlUrl },
    });
    const resolved = events.find((e) => e.type === "resolved")!;
    expect(resolved.message).toContain("v2");
    expect(resolved.data).toMatchObject({ retrainingRunId: first.id, htmlUrl: first.htmlUrl });

    const monitor = (await (await t.request(`/api/v1/monitors/${churn.id}`)).json()) as Json;
    expect(monitor.reference).toEqual({ kind: "version", version: "v2" });
    // The OIDC keys were fetched once (discovery + JWKS), not per request.
    await postResult(
      first.id,
      { modelVersion: "v2" },
      await runToken({ repository: REPO, run_id: first.runId }),
    );
    expect(oidc.requests.filter((r) => r.includes("jwks"))).toHaveLength(1);
  });

  it("refuses tokens of another repository or run, expired, badly signed, for another audience or issuer", async () => {
    const claims = { repository: REPO, run_id: first.runId };
    const cases: [string, Promise<string>, number, string][] = [
      [
        "wrong repository",
        runToken({ ...claims, repository: "acme/other" }),
        403,
        "token_repository_mismatch",
      ],
      ["wrong run", runToken({ ...claims, run_id: first.runId + 1 }), 403, "token_run_mismatch"],
      ["expired", runToken(claims, { expiresIn: -120 }), 401, "token_expired"],
      [
        "bad signature",
        generateKeyPair("RS256").then(({ privateKey }) => runToken(claims, { signWith: privateKey })),
        401,
        "token_invalid",
      ],
      ["other audience", runToken(claims, { audience: "https://elsewhere.invalid" }), 401, "token_claims"],
      ["other issuer", runToken(claims, { issuer: "https://token.example.invalid" }), 401, "token_issuer"],
    ];
    for (const [what, token, status, code] of cases) {
      const res = await postResult(first.id, { modelVersion: "evil" }, await token);
      expect(res.status, what).toBe(status);
      expect(((await res.json()) as Json).error.code, what).toBe(code);
    }
    const none = await t.app.request(`/api/v1/retraining/${first.id}/result`, {
      method: "POST",
      body: JSON.stringify({ modelVersion: "evil" }),
      headers: { "content-type": "application/json" },
    });
    expect(none.status).toBe(401);
    expect((await getRun(first.id)).run.result.modelVersion).toBe("v2");
  });

  it("the completed webhook ends the run; reversed and duplicated webhooks never move it back", async () => {
    const run = fake.setRun(first.runId, { status: "completed", conclusion: "success" });
    await deliverAndWait(first.id, "completed", run);
    await deliverAndWait(first.id, "in_progress", { ...run, status: "in_progress", conclusion: null });
    await deliverAndWait(first.id, "completed", run);
    const { run: after, events } = await getRun(first.id);
    expect(after).toMatchObject({ status: "completed", conclusion: "success" });
    expect(after.completedAt).not.toBeNull();
    expect(events.filter((e) => e.type === "webhook").map((e) => e.message)).toEqual([
      "queued, attempt 1",
      "in_progress, attempt 1",
      "completed (success), attempt 1",
      "ignored in_progress, attempt 1: earlier or same state",
      "ignored completed, attempt 1: earlier or same state",
    ]);
    // It had reported its version already: no second "succeeded".
    const { events: timeline } = await incidentOf(first.incidentIds[0]);
    expect(timeline.filter((e) => e.type === "retraining_succeeded")).toHaveLength(1);
  });

  it("inside the cooldown a drifted report is skipped, a person is refused unless forcing", async () => {
    // The rebased monitor compares with v2, which has no traffic: a second monitor of churn drifts.
    const other = await createMonitor("churn-retrain-2", "churn", policy());
    await runMonitor(other.id);
    const skipped = await fake.waitFor(async () =>
      (await runs("model=churn&status=skipped")).find((r) => r.skipReason === "cooldown"),
    );
    expect(skipped.message).toMatch(/cooldown of 3600 s lasts until/);
    const refused = await retrain(other.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("retraining_cooldown");
    expect(refused.body.error.details.until).toEqual(expect.any(String));
    expect(dispatchCalls()).toHaveLength(1);

    const forced = await retrain(other.id, { force: true, reason: "new labels arrived" });
    expect(forced.status).toBe(202);
    expect(forced.body.run).toMatchObject({
      status: "pending",
      forced: true,
      trigger: "manual",
      reason: "new labels arrived",
    });
    const done = await until(forced.body.run.id, (r) => r.status === "requested");
    expect(done.requestedBy).toMatch(/^api-key:/);
    expect(dispatchCalls()).toHaveLength(2);
    // Complete it, so later tests of churn start clean.
    const ghRun = fake.setRun(done.runId, { status: "completed", conclusion: "failure" });
    await deliverAndWait(done.id, "completed", ghRun);
    const failed = (await getRun(done.id)).run;
    expect(failed).toMatchObject({ status: "completed", conclusion: "failure" });
  });

  it("a failed run tells its incident (retraining_failed) and keeps it open", async () => {
    await seedDrift("fraud", 20);
    const m = await createMonitor("fraud-retrain", "fraud", policy());
    await runMonitor(m.id);
    const run = await fake.waitFor(async () =>
      (await runs("model=fraud")).find((r) => r.status === "requested"),
    );
    const ghRun = fake.setRun(run.runId, { status: "completed", conclusion: "timed_out" });
    await deliverAndWait(run.id, "completed", ghRun);
    const { incident, events } = await incidentOf(run.incidentIds[0]);
    expect(incident.status).toBe("open");
    expect(events.find((e) => e.type === "retraining_failed")).toMatchObject({
      message: expect.stringContaining("timed_out"),
      data: { retrainingRunId: run.id, conclusion: "timed_out" },
    });
    // A re-run on GitHub (attempt 2) is followed too.
    const rerun = fake.setRun(run.runId, { status: "queued", conclusion: null, runAttempt: 2 });
    await deliverAndWait(run.id, "requested", rerun);
    expect((await getRun(run.id)).run).toMatchObject({ status: "queued", runAttempt: 2, conclusion: null });
  });

  // ---- GitHub's refusals and failures ----

  it("404 and 422 from GitHub fail the dispatch with GitHub's message", async () => {
    const cases: [string, Json, RegExp][] = [
      ["missing", policy({ workflow: "nope.yml" }), /GitHub answered 404: Not Found/],
      [
        "nodispatch",
        policy({ workflow: "ci.yml" }),
        /422: Workflow does not have 'workflow_dispatch' trigger/,
      ],
      ["inputs", policy({ workflow: "strict.yml" }), /422: Unexpected inputs provided/],
    ];
    for (const [model, p, message] of cases) {
      const m = await createMonitor(`m-${model}`, model, p);
      const { status, body } = await retrain(m.id);
      expect(status, model).toBe(202);
      const run = await until(body.run.id, (r) => r.status !== "pending");
      expect(run.status, model).toBe("failed");
      expect(run.message, model).toMatch(message);
    }
    expect(fake.violations).toEqual([]);
  });

  it("a 500 is retried; a repository without the App is skipped; a disabled policy is skipped", async () => {
    fake.failNext("POST", /\/dispatches$/, 500, 1);
    const m = await createMonitor("m-retry", "retry", policy());
    const { body } = await retrain(m.id);
    const run = await until(body.run.id, (r) => r.status !== "pending");
    expect(run.status).toBe("requested");
    const attempts = dispatchCalls().filter((c) => c.body && (c.body as Json).inputs?.dispatch_id === run.id);
    expect(attempts.map((c) => c.status)).toEqual([500, 200]);

    const nowhere = await createMonitor("m-nowhere", "nowhere", policy({ repo: "acme/uninstalled" }));
    const skipped = await retrain(nowhere.id);
    expect(skipped.status).toBe(202);
    const noInstall = await until(skipped.body.run.id, (r) => r.status !== "pending");
    expect(noInstall).toMatchObject({ status: "skipped", skipReason: "no_installation" });
    expect(noInstall.message).toContain("acme/uninstalled");

    const off = await createMonitor("m-off", "off", policy({ enabled: false }));
    const refused = await retrain(off.id);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "retraining_policy_off" });
    expect(refused.body.error.details.run).toMatchObject({ status: "skipped", skipReason: "policy_off" });
  });

  it("5xx past Octokit's retries fails the dispatch on the job's last attempt", async () => {
    const m = await createMonitor("m-down", "down", policy());
    const pending = await insertRun(db.database.db, {
      projectId: t.projectId,
      monitorId: m.id,
      monitorName: m.name,
      model: "down",
      trigger: "manual",
      requestedBy: "test",
      repo: REPO,
      workflow: "retrain.yml",
      ref: "main",
      inputs: { model: "down", dispatch_id: crypto.randomUUID() },
      status: "pending",
    });
    // One request and Octokit's three retries.
    fake.failNext("POST", /\/dispatches$/, 502, 4);
    const run = await dispatchRun(t.deps, pending.id, { final: true });
    expect(run).toMatchObject({ status: "failed" });
    expect(run!.message).toMatch(/Dispatch failed after retries: injected failure/);
    expect(dispatchCalls().filter((c) => c.injected && c.status === 502)).toHaveLength(4);
  }, 60_000);

  it("an Enterprise Server refusing return_run_details gets the dispatch again; the run is matched by its run-name", async () => {
    fake.dispatchMode = "refuse-details";
    try {
      const m = await createMonitor("m-ghes", "ghes", policy());
      const { body } = await retrain(m.id);
      const run = await until(body.run.id, (r) => r.status !== "pending");
      expect(run).toMatchObject({ status: "requested", runId: null });
      const calls = dispatchCalls().filter((c) => (c.body as Json).inputs?.dispatch_id === run.id);
      expect(calls.map((c) => [c.status, "return_run_details" in (c.body as Json)])).toEqual([
        [422, true],
        [204, false],
      ]);
      const { events } = await getRun(run.id);
      expect(events.find((e) => e.type === "dispatched")?.data).toMatchObject({ refusedDetails: true });
      // The webhook names no run Vigil knows: its title carries the dispatch id.
      const ghRun = fake.dispatchedRuns(REPO).find((r) => r.inputs.dispatch_id === run.id)!;
      await deliverAndWait(run.id, "requested", ghRun);
      expect((await getRun(run.id)).run).toMatchObject({
        status: "queued",
        runId: ghRun.id,
        htmlUrl: `${fake.url}/${REPO}/actions/runs/${ghRun.id}`,
      });
    } finally {
      fake.dispatchMode = "details";
    }
  });

  it("a run not heard of for VIGIL_RETRAIN_STALE_MINUTES is polled: by run id, or found by its run-name", async () => {
    // By id: GitHub finished it, the webhook was lost.
    const m = await createMonitor("m-stale", "stale", policy());
    const { body } = await retrain(m.id);
    const run = await until(body.run.id, (r) => r.status === "requested");
    fake.setRun(run.runId, { status: "completed", conclusion: "success" });
    // Not stale yet: nothing asked.
    const early = await pollStale(t.deps, new Date(Date.now() + 5 * 60_000));
    expect(early.polled).toBe(0);
    const later = new Date(Date.now() + 31 * 60_000);
    const polled = await pollStale(t.deps, later);
    expect(polled.moved).toBeGreaterThanOrEqual(1);
    const after = await getRun(run.id);
    expect(after.run).toMatchObject({ status: "completed", conclusion: "success" });
    expect(after.events.at(-1)).toMatchObject({ type: "polled", status: "completed" });

    // By run-name: dispatched without details, and no webhook ever came.
    fake.dispatchMode = "no-details";
    try {
      const m2 = await createMonitor("m-stale-2", "stale2", policy());
      const { body: b2 } = await retrain(m2.id);
      const r2 = await until(b2.run.id, (r) => r.status === "requested");
      expect(r2.runId).toBeNull();
      const ghRun = fake.dispatchedRuns(REPO).find((r) => r.inputs.dispatch_id === r2.id)!;
      fake.setRun(ghRun.id, { status: "in_progress" });
      await pollStale(t.deps, new Date(Date.now() + 31 * 60_000));
      expect((await getRun(r2.id)).run).toMatchObject({ status: "in_progress", runId: ghRun.id });
    } finally {
      fake.dispatchMode = "details";
    }
    expect(fake.violations).toEqual([]);
  });

  // ---- results by API key, the API ----

  it("a project API key may post the result; another project's key finds no such run", async () => {
    const m = await createMonitor("m-key", "keyed", policy());
    const { body } = await retrain(m.id);
    const run = await until(body.run.id, (r) => r.status === "requested");
    const other = await createApiKey(db.database.db, "someone-else");
    const foreign = await postResult(run.id, { modelVersion: "k2" }, other.key);
    expect(foreign.status).toBe(404);
    const bad = await postResult(run.id, { modelVersion: "k2" }, "vgl_not-a-key-at-all-0000000000000000000");
    expect(bad.status).toBe(401);
    const res = await postResult(run.id, { modelVersion: "k2", metrics: { rmse: 1.5 } }, t.key);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as Json).run.result).toMatchObject({ modelVersion: "k2", auth: "api_key" });
    // The monitor's policy does not rebase: its reference stays.
    const monitor = (await (await t.request(`/api/v1/monitors/${m.id}`)).json()) as Json;
    expect(monitor.reference.kind).toBe("range");
  });

  it("a skipped decision takes no result; bad input is a 400, never a 500", async () => {
    const [skipped] = await runs("status=skipped&limit=1");
    const res = await postResult(skipped!.id, { modelVersion: "x" }, t.key);
    expect(res.status).toBe(409);
    expect(((await res.json()) as Json).error.code).toBe("retraining_skipped");
    for (const body of [
      {},
      { modelVersion: "" },
      { modelVersion: "x".repeat(201) },
      { modelVersion: "v", extra: 1 },
      { modelVersion: "v", artifactUrl: "file:///etc/passwd" },
      { modelVersion: "v", metrics: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`m${i}`, i])) },
    ]) {
      const r = await postResult(skipped!.id, body, t.key);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
    }
    expect((await postResult("not-a-uuid", { modelVersion: "v" }, t.key)).status).toBe(400);
    expect((await postResult(crypto.randomUUID(), { modelVersion: "v" }, t.key)).status).toBe(404);
    expect((await retrain(crypto.randomUUID())).status).toBe(404);
    expect((await retrain(churn.id, { force: "yes" })).status).toBe(400);
    expect((await retrain(churn.id, { reason: "x".repeat(1001) })).status).toBe(400);
    const noPolicy = await createMonitor("m-none", "none", undefined);
    const refused = await retrain(noPolicy.id);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("no_retrain_policy");
    for (const q of [
      "status=done",
      "limit=0",
      "limit=201",
      "monitor=abc",
      "cursor=zzz",
      `cursor=${Buffer.from(`+099999-01-01T00:00:00.000Z|${crypto.randomUUID()}`).toString("base64url")}`,
      `model=${"m".repeat(201)}`,
    ])
      expect((await t.request(`/api/v1/retraining?${q}`)).status, q).toBe(400);
  });

  it("lists runs and decisions newest first, filtered, in keyset pages; one run with its history", async () => {
    const all = await runs("limit=200");
    expect(all.length).toBeGreaterThanOrEqual(10);
    const times = all.map((r) => r.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    const paged: Json[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.request(`/api/v1/retraining?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      const page = (await res.json()) as Json;
      paged.push(...page.runs);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged.map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect((await runs(`monitor=${churn.id}`)).every((r) => r.monitorId === churn.id)).toBe(true);
    expect((await runs("status=failed")).every((r) => r.status === "failed")).toBe(true);
    const { run, events } = await getRun(first.id);
    expect(run.id).toBe(first.id);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["requested", "dispatched", "webhook", "result", "rebased"]),
    );
    expect((await t.request(`/api/v1/retraining/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it("webhooks of runs a workflow_dispatch did not start are not kept", async () => {
    const run = { ...fake.dispatchedRuns(REPO)[0]!, event: "push" };
    const { init } = await deliveryRequest({
      event: "workflow_run",
      payload: workflowRunPayload("completed", INST, REPO, fake.runBodyOf(run)),
      secret: fake.webhookSecret,
    });
    const res = await t.app.request("/github/webhooks", init);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).ignored).toBe("workflow_run.completed");
  });
});
