import { describe, expect, it } from "vitest";
import { AlertmanagerPayload } from "../../src/alerts/alertmanager.ts";
import {
  alertmanagerPayload,
  breakingChangeEvent,
  crashLoopAlert,
  hex16,
  hpaMaxedAlert,
  pipelineEvents,
  predictionPlan,
  runId,
} from "../../src/demo/data.ts";
import { PredictionIn } from "../../src/predictions/model.ts";

const now = new Date("2026-12-06T04:00:00.000Z");

describe("the demo's data", () => {
  const plan = predictionPlan({ now, hours: 2, count: 400, seed: 42, tag: "t" });

  it("is the same for one seed, and valid prediction rows spread over the hours before now", () => {
    expect(predictionPlan({ now, hours: 2, count: 400, seed: 42, tag: "t" })).toEqual(plan);
    expect(plan.from.toISOString()).toBe("2026-12-06T02:00:00.000Z");
    expect(plan.driftStart.toISOString()).toBe("2026-12-06T03:00:00.000Z");
    for (const p of plan.predictions) expect(PredictionIn.safeParse(p).success).toBe(true);
    const times = plan.predictions.map((p) => Date.parse(p.timestamp));
    expect(Math.min(...times)).toBe(plan.from.getTime());
    expect(Math.max(...times)).toBeLessThan(now.getTime());
    expect(new Set(plan.predictions.map((p) => p.requestId)).size).toBe(400);
  });

  it("drifts in the second half: larger amounts and a category never seen before", () => {
    const half = (after: boolean) =>
      plan.predictions.filter((p) => Date.parse(p.timestamp) >= plan.driftStart.getTime() === after);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const before = half(false);
    const after = half(true);
    expect(median(after.map((p) => p.features.amount))).toBeGreaterThan(
      2 * median(before.map((p) => p.features.amount)),
    );
    expect(before.some((p) => p.features.merchant_category === "crypto")).toBe(false);
    expect(after.filter((p) => p.features.merchant_category === "crypto").length).toBeGreaterThan(20);
  });

  it("labels most predictions, and the model is right less often after the drift", () => {
    expect(plan.labels.length / plan.predictions.length).toBeGreaterThan(0.8);
    expect(plan.labels.length).toBeLessThan(plan.predictions.length);
    const output = new Map(plan.predictions.map((p) => [p.requestId, p]));
    const accuracy = (after: boolean) => {
      const rows = plan.labels.filter(
        (l) => Date.parse(output.get(l.requestId)!.timestamp) >= plan.driftStart.getTime() === after,
      );
      return (
        rows.filter((l) => (output.get(l.requestId)!.output > 0.5 ? 1 : 0) === l.label).length / rows.length
      );
    };
    expect(accuracy(false)).toBeGreaterThan(0.8);
    expect(accuracy(true)).toBeLessThan(accuracy(false) - 0.15);
  });

  it("Alertmanager notifications are what the webhook schema accepts, firing then resolved", () => {
    const crash = crashLoopAlert(now, "t");
    const firing = AlertmanagerPayload.parse(alertmanagerPayload("firing", [crash, hpaMaxedAlert(now, "t")]));
    expect(firing.alerts.map((a) => a.status)).toEqual(["firing", "firing"]);
    const resolved = AlertmanagerPayload.parse(alertmanagerPayload("resolved", [crash]));
    expect(resolved.alerts[0]).toMatchObject({ status: "resolved", endsAt: crash.endsAt!.toISOString() });
    expect(crash.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(hex16("a")).not.toBe(hex16("b"));
  });

  it("OpenLineage run events carry UUID run ids, and the breaking change drops amount_usd", () => {
    const events = [...pipelineEvents(now, "t"), breakingChangeEvent(now, "t")];
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const e of events) expect(e.run.runId).toMatch(uuid);
    expect(new Set(events.map((e) => e.run.runId)).size).toBe(3);
    expect(runId("t", 1)).not.toBe(runId("u", 1));
    const fields = (e: (typeof events)[number], i: number) =>
      (e.outputs[i]!.facets as { schema?: { fields: { name: string }[] } }).schema!.fields.map((f) => f.name);
    expect(fields(events[0]!, 0)).toContain("amount_usd");
    expect(fields(events[2]!, 0)).not.toContain("amount_usd");
  });
});
