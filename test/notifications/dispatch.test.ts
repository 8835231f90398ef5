import { expect, it } from "vitest";
import { recordOccurrence, resolveByFingerprint } from "../../src/incidents/record.ts";
import { dispatchPending } from "../../src/notifications/dispatch.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

interface Delivery {
  channelId: string;
  incidentId: string;
  events: { type: string }[];
}

/**
 * Incidents recorded by other capabilities (no kick) are routed by the sweep: each notifiable
 * timeline event exactly once, by kind and severity.
 */
describeEachDatabase("notification dispatch", (db) => {
  // Workers run so pg-boss is started; the channels point at a closed port and give up at once,
  // which does not matter here: the assertions are on the deliveries the sweep creates.
  const t = useApp(db, { jobs: true, env: { VIGIL_ALLOW_PRIVATE_WEBHOOKS: "true" } });

  it("routes events from any capability once, by kind and minimum severity", async () => {
    const mk = async (name: string, rule: object) => {
      const ch = (await (
        await t.post("/api/v1/channels", {
          name,
          type: "webhook",
          url: "http://127.0.0.1:9/x",
          maxAttempts: 1,
        })
      ).json()) as { id: string };
      expect((await t.post("/api/v1/notification-rules", { channelId: ch.id, ...rule })).status).toBe(201);
      return ch.id;
    };
    const drift = await mk("ml-team", { kinds: ["drift", "schema"], minSeverity: "warning" });
    const pager = await mk("pager", { kinds: [], minSeverity: "critical", events: ["opened"] });

    const d1 = await recordOccurrence(db.database.db, {
      projectId: t.projectId,
      kind: "drift",
      fingerprint: "model-a/age",
      title: "age drifted",
      severity: "warning",
    });
    const e1 = await recordOccurrence(db.database.db, {
      projectId: t.projectId,
      kind: "exception",
      fingerprint: "TypeError@predict",
      title: "TypeError in predict",
      severity: "critical",
    });
    await recordOccurrence(db.database.db, {
      projectId: t.projectId,
      kind: "exception",
      fingerprint: "minor",
      title: "minor",
      severity: "warning",
    });
    await resolveByFingerprint(db.database.db, t.projectId, "drift", "model-a/age");

    await dispatchPending(t.deps);
    await dispatchPending(t.deps); // a second sweep finds nothing new
    const { deliveries } = (await (await t.request("/api/v1/deliveries?limit=100")).json()) as {
      deliveries: Delivery[];
    };
    const route = deliveries.map((d) => ({
      to: d.channelId === drift ? "ml-team" : d.channelId === pager ? "pager" : "?",
      incident: d.incidentId === d1.id ? "drift" : d.incidentId === e1.id ? "exception" : "other",
      events: d.events.map((e) => e.type),
    }));
    // The drift incident's opened + resolved are in one or two deliveries depending on timing
    // (grouping); together they are exactly these two events.
    const driftEvents = route
      .filter((r) => r.to === "ml-team" && r.incident === "drift")
      .flatMap((r) => r.events);
    expect(driftEvents).toEqual(["opened", "resolved"]);
    expect(route.filter((r) => r.to === "pager")).toEqual([
      { to: "pager", incident: "exception", events: ["opened"] },
    ]);
    expect(route.filter((r) => r.incident === "other")).toEqual([]);
    expect(route.filter((r) => r.to === "ml-team" && r.incident !== "drift")).toEqual([]);
  });
});
