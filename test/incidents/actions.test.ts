import { expect, it } from "vitest";
import { alertRoutes } from "../../src/alerts/routes.ts";
import { createRouter } from "../../src/http/env.ts";
import { recordOccurrence } from "../../src/incidents/record.ts";
import { incidentRoutes } from "../../src/incidents/routes.ts";
import { transition } from "../../src/incidents/transitions.ts";
import { notificationRoutes } from "../../src/notifications/routes.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

interface Detail {
  incident: {
    id: string;
    status: string;
    severity: string;
    resolvedAt: string | null;
    evidence: { links?: unknown[] };
  };
  events: { type: string; actor: string | null; message: string | null; data: Record<string, unknown> }[];
}

it("status transitions: repeats are no-ops, stale actions conflict", () => {
  expect(transition("open", "acknowledge")).toEqual({
    next: "acknowledged",
    changed: true,
    event: "acknowledged",
  });
  expect(transition("acknowledged", "acknowledge")).toMatchObject({ changed: false });
  expect(transition("resolved", "acknowledge")).toHaveProperty("conflict");
  expect(transition("acknowledged", "resolve")).toMatchObject({ next: "resolved", changed: true });
  expect(transition("resolved", "resolve")).toMatchObject({ changed: false });
  expect(transition("resolved", "reopen")).toMatchObject({ next: "open", changed: true });
  expect(transition("open", "reopen")).toHaveProperty("conflict");
});

describeEachDatabase("incident actions", (db) => {
  const t = useApp(db);
  const detail = async (id: string) => (await (await t.request(`/api/v1/incidents/${id}`)).json()) as Detail;
  const open = async (fingerprint: string) =>
    (
      await recordOccurrence(db.database.db, {
        projectId: t.projectId,
        kind: "drift",
        fingerprint,
        title: "feature age drifted",
        severity: "warning",
      })
    ).id;

  it("acknowledge → resolve with a resolution note → reopen, each on the timeline", async () => {
    const id = await open("drift-1");
    const ack = await t.post(`/api/v1/incidents/${id}/acknowledge`, { actor: "alice", message: "looking" });
    expect(ack.status).toBe(200);
    expect(await ack.json()).toMatchObject({ changed: true, incident: { status: "acknowledged" } });
    const again = await t.post(`/api/v1/incidents/${id}/acknowledge`, {});
    expect(await again.json()).toMatchObject({ changed: false });

    const resolved = await t.post(`/api/v1/incidents/${id}/resolve`, {
      actor: "alice",
      note: "Upstream ETL double-counted ages; fixed the join and backfilled.",
    });
    expect(await resolved.json()).toMatchObject({ changed: true, incident: { status: "resolved" } });
    const conflict = await t.post(`/api/v1/incidents/${id}/acknowledge`, {});
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe("conflict");

    // No body at all is fine too; the actor defaults to the API key.
    const reopened = await t.request(`/api/v1/incidents/${id}/reopen`, { method: "POST" });
    expect(reopened.status).toBe(200);

    const d = await detail(id);
    expect(d.incident).toMatchObject({ status: "open", resolvedAt: null });
    expect(d.events.map((e) => e.type)).toEqual(["opened", "acknowledged", "resolved", "note", "reopened"]);
    expect(d.events[1]).toMatchObject({ actor: "alice", message: "looking" });
    expect(d.events[3]).toMatchObject({ type: "note", message: expect.stringContaining("backfilled") });
    expect(d.events[4]!.actor).toMatch(/^api-key:/);
  });

  it("notes, severity changes and evidence links", async () => {
    const id = await open("drift-2");
    const note = await t.post(`/api/v1/incidents/${id}/notes`, {
      text: "Retraining scheduled",
      actor: "bob",
    });
    expect(note.status).toBe(201);
    const sev = await t.request(`/api/v1/incidents/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ severity: "critical" }),
    });
    expect(await sev.json()).toMatchObject({ changed: true, incident: { severity: "critical" } });
    for (const link of [
      { kind: "drift_report", ref: "rep-42", title: "Drift report 42" },
      { kind: "trace", ref: "4bf92f3577b34da6a3ce929d0e0e4736" },
    ]) {
      expect((await t.post(`/api/v1/incidents/${id}/links`, link)).status).toBe(201);
    }
    // A later occurrence keeps the links (evidence is merged, not replaced).
    await recordOccurrence(db.database.db, {
      projectId: t.projectId,
      kind: "drift",
      fingerprint: "drift-2",
      title: "feature age drifted",
      severity: "critical",
      evidence: { reportId: "rep-43" },
    });
    const d = await detail(id);
    expect(d.incident.evidence.links).toEqual([
      { kind: "drift_report", ref: "rep-42", title: "Drift report 42" },
      { kind: "trace", ref: "4bf92f3577b34da6a3ce929d0e0e4736" },
    ]);
    expect(d.events.map((e) => e.type)).toEqual(["opened", "note", "severity_changed", "linked", "linked"]);
    expect(d.events[2]!.data).toEqual({ from: "warning", to: "critical" });
  });

  it("unknown incidents are 404, bad bodies 400", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await t.post(`/api/v1/incidents/${missing}/resolve`, {})).status).toBe(404);
    expect((await t.post(`/api/v1/incidents/${missing}/notes`, { text: "x" })).status).toBe(404);
    const id = await open("drift-3");
    expect((await t.post(`/api/v1/incidents/${id}/notes`, { text: "" })).status).toBe(400);
    expect((await t.post(`/api/v1/incidents/${id}/links`, { kind: "nope", ref: "x" })).status).toBe(400);
    const badSeverity = await t.request(`/api/v1/incidents/${id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ severity: "sev0" }),
    });
    expect(badSeverity.status).toBe(400);
  });

  it("the routes document themselves for /openapi.json", async () => {
    // The incident routers alone, as app.ts mounts them: incidents, alerts in, notifications out.
    const app = createRouter();
    app.route("/", incidentRoutes(t.deps));
    app.route("/", alertRoutes(t.deps));
    app.route("/", notificationRoutes(t.deps));
    const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "t", version: "1" } });
    for (const path of [
      "/api/v1/incidents/{id}/resolve",
      "/api/v1/incidents/{id}/notes",
      "/api/v1/alerts/alertmanager",
      "/api/v1/alerts/grafana",
      "/api/v1/alerts/generic",
      "/api/v1/channels",
      "/api/v1/notification-rules",
      "/api/v1/deliveries",
      "/api/v1/deliveries/{id}/retry",
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });
});
