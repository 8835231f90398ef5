import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const fixtureText = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");

interface IngestBody {
  payloadId: string;
  duplicate: boolean;
  results: { fingerprint: string; action: string; incidentId: string | null }[];
  dedupKey?: string;
  incidentId?: string | null;
}
interface IncidentBody {
  incident: {
    id: string;
    status: string;
    count: number;
    firstSeen: string;
    lastSeen: string;
    severity: string;
    evidence: Record<string, unknown>;
  };
  events: { type: string; at: string; actor: string | null; message: string | null }[];
}

describeEachDatabase("alert webhooks", (db) => {
  const t = useApp(db);
  const postRaw = (path: string, body: string, headers: Record<string, string> = {}) =>
    t.request(path, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });
  const incident = async (id: string) =>
    (await (await t.request(`/api/v1/incidents/${id}`)).json()) as IncidentBody;

  it("Grafana's documented payload opens one incident per alert; a retry of the same body changes nothing", async () => {
    const body = fixtureText("grafana-webhook-firing.json");
    const first = await postRaw("/api/v1/alerts/grafana", body, { "user-agent": "Grafana" });
    expect(first.status).toBe(200);
    const r1 = (await first.json()) as IngestBody;
    expect(r1.duplicate).toBe(false);
    expect(r1.results.map((r) => r.action)).toEqual(["created", "created"]);

    const retry = (await (await postRaw("/api/v1/alerts/grafana", body)).json()) as IngestBody;
    expect(retry).toMatchObject({ duplicate: true, payloadId: r1.payloadId, results: r1.results });
    const memory = r1.results.find((r) => r.fingerprint === "grafana:1:c6eadffa33fcdf37")!;
    const detail = await incident(memory.incidentId!);
    expect(detail.incident).toMatchObject({ status: "open", count: 1 });
    expect((detail.incident.evidence.alert as Record<string, string>).silenceURL).toContain(
      "play.grafana.org",
    );

    // Stored byte for byte.
    const rows = await db.database.query<{ body: string; user_agent: string }>(
      sql`select body, user_agent from alert_payloads where id = ${r1.payloadId}`,
    );
    expect(rows[0]).toEqual({ body, user_agent: "Grafana" });
  });

  it("a resolved Grafana alert resolves its incident and leaves the still-firing one open", async () => {
    const res = await postRaw("/api/v1/alerts/grafana", fixtureText("grafana-webhook-one-resolved.json"));
    const r = (await res.json()) as IngestBody;
    const byFp = Object.fromEntries(r.results.map((x) => [x.fingerprint, x]));
    expect(byFp["grafana:1:c6eadffa33fcdf37"]!.action).toBe("resolved");
    expect(byFp["grafana:1:bc97ff14869b13e3"]!.action).toBe("updated");
    const resolved = await incident(byFp["grafana:1:c6eadffa33fcdf37"]!.incidentId!);
    expect(resolved.incident.status).toBe("resolved");
    expect(resolved.events.map((e) => e.type)).toEqual(["opened", "resolved"]);
    expect(resolved.events[1]).toMatchObject({ actor: "grafana" });
  });

  it("dedupe: 100 identical firing posts → 1 incident with count 100", async () => {
    const alert = {
      title: "GPU memory high",
      severity: "error",
      source: "trainer",
      status: "firing",
      dedupKey: "gpu-1",
    };
    const results: IngestBody[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => t.post("/api/v1/alerts/generic", alert)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
      results.push(...((await Promise.all(responses.map((r) => r.json()))) as IngestBody[]));
    }
    const ids = new Set(results.map((r) => r.incidentId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.results[0]!.action === "created")).toHaveLength(1);
    const detail = await incident([...ids][0]!);
    expect(detail.incident.count).toBe(100);
    expect(detail.events.filter((e) => e.type === "opened")).toHaveLength(1);
    const [stored] = await db.database.query<{ n: number }>(
      sql`select count(*)::int as n from alert_payloads where source = 'generic' and body like '%gpu-1%'`,
    );
    expect(stored!.n).toBe(100);
  });

  it("generic: an Idempotency-Key makes a retried event count once", async () => {
    const alert = { title: "Feature store lag", severity: "warning", source: "feast", status: "firing" };
    const a = (await (
      await t.post("/api/v1/alerts/generic", alert, { "idempotency-key": "evt-1" })
    ).json()) as IngestBody;
    const b = (await (
      await t.post("/api/v1/alerts/generic", alert, { "idempotency-key": "evt-1" })
    ).json()) as IngestBody;
    expect(b.duplicate).toBe(true);
    expect(b.incidentId).toBe(a.incidentId);
    expect((await incident(a.incidentId!)).incident.count).toBe(1);
    await t.post("/api/v1/alerts/generic", alert, { "idempotency-key": "evt-2" });
    expect((await incident(a.incidentId!)).incident.count).toBe(2);
    // No dedupKey given: the derived one is returned and stable.
    expect(a.dedupKey).toMatch(/^[0-9a-f]{32}$/);
  });

  it("generic: resolved resolves, firing again reopens; the timeline shows both", async () => {
    const alert = { title: "Batch job failed", severity: "critical", source: "airflow", dedupKey: "dag-7" };
    const opened = (await (
      await t.post("/api/v1/alerts/generic", { ...alert, status: "firing" })
    ).json()) as IngestBody;
    const resolved = (await (
      await t.post("/api/v1/alerts/generic", { ...alert, status: "resolved" })
    ).json()) as IngestBody;
    expect(resolved.results[0]!.action).toBe("resolved");
    const again = (await (
      await t.post("/api/v1/alerts/generic", { ...alert, status: "firing" })
    ).json()) as IngestBody;
    expect(again.results[0]!.action).toBe("reopened");
    const detail = await incident(opened.incidentId!);
    expect(detail.events.map((e) => e.type)).toEqual(["opened", "resolved", "reopened"]);
    expect(detail.incident).toMatchObject({ status: "open", count: 2, severity: "critical" });
    // Resolving something never seen is accepted and reported, not an error.
    const unknown = (await (
      await t.post("/api/v1/alerts/generic", { ...alert, dedupKey: "never-fired", status: "resolved" })
    ).json()) as IngestBody;
    expect(unknown.results[0]).toMatchObject({ action: "not_open", incidentId: null });
  });

  it("Alertmanager v4 payloads: firing then resolved by fingerprint", async () => {
    let endsAt = "0001-01-01T00:00:00Z";
    const payload = (status: "firing" | "resolved") => ({
      version: "4",
      groupKey: '{}:{alertname="ModelLatencyHigh"}',
      truncatedAlerts: 0,
      status,
      receiver: "vigil",
      groupLabels: { alertname: "ModelLatencyHigh" },
      commonLabels: { alertname: "ModelLatencyHigh", severity: "page" },
      commonAnnotations: {},
      externalURL: "http://alertmanager:9093",
      alerts: [
        {
          status,
          labels: { alertname: "ModelLatencyHigh", severity: "page", model: "ranker" },
          annotations: { summary: "p99 above 2s", runbook_url: "https://runbooks.example/latency" },
          startsAt: "2026-01-01T00:00:00Z",
          endsAt,
          generatorURL: "http://prometheus:9090/graph?g0.expr=x",
          fingerprint: "a1b2c3d4e5f60708",
        },
      ],
    });
    const fired = (await (
      await t.post("/api/v1/alerts/alertmanager", payload("firing"))
    ).json()) as IngestBody;
    expect(fired.results[0]).toMatchObject({
      fingerprint: "alertmanager:a1b2c3d4e5f60708",
      action: "created",
    });
    const detail = await incident(fired.results[0]!.incidentId!);
    expect(detail.incident).toMatchObject({ severity: "critical", status: "open" });
    await new Promise((r) => setTimeout(r, 5));
    endsAt = new Date().toISOString();
    const done = (await (
      await t.post("/api/v1/alerts/alertmanager", payload("resolved"))
    ).json()) as IngestBody;
    expect(done.results[0]!.action).toBe("resolved");
    const after = await t.request(`/api/v1/incidents/${fired.results[0]!.incidentId}`);
    const body = (await after.json()) as { incident: { status: string; resolvedAt: string } };
    expect(body.incident).toMatchObject({ status: "resolved", resolvedAt: endsAt });
  });

  describe("Alertmanager's repeat notifications (identical bodies) after the retry window", () => {
    const startsAt = "2026-03-01T08:00:00Z";
    const body = JSON.stringify({
      version: "4",
      groupKey: '{}:{alertname="FeatureStoreDown"}',
      truncatedAlerts: 0,
      status: "firing",
      receiver: "vigil",
      groupLabels: { alertname: "FeatureStoreDown" },
      commonLabels: { alertname: "FeatureStoreDown", severity: "critical" },
      commonAnnotations: { summary: "feast is down" },
      externalURL: "http://alertmanager:9093",
      alerts: [
        {
          status: "firing",
          labels: { alertname: "FeatureStoreDown", severity: "critical" },
          annotations: { summary: "feast is down" },
          startsAt,
          endsAt: "0001-01-01T00:00:00Z",
          generatorURL: "http://prometheus:9090/graph?g0.expr=up",
          fingerprint: "0f0f0f0f0f0f0f0f",
        },
      ],
    });
    const send = async () =>
      (await (await postRaw("/api/v1/alerts/alertmanager", body)).json()) as IngestBody;
    /** Moves every stored delivery of this body back in time, as if the window had passed. */
    const age = (minutes: number) =>
      db.database.query(
        sql`update alert_payloads set received_at = received_at - make_interval(mins => ${minutes})
            where source = 'alertmanager' and body = ${body}`,
      );
    const stored = async () =>
      (
        await db.database.query<{ n: number }>(
          sql`select count(*)::int as n from alert_payloads where source = 'alertmanager' and body = ${body}`,
        )
      )[0]!.n;
    let incidentId: string;

    it("within the window it is a retry; first seen is the alert's startsAt", async () => {
      const first = await send();
      expect(first).toMatchObject({ duplicate: false, results: [{ action: "created" }] });
      incidentId = first.results[0]!.incidentId!;
      const retry = await send();
      expect(retry).toMatchObject({ duplicate: true, payloadId: first.payloadId });
      const detail = await incident(incidentId);
      expect(detail.incident).toMatchObject({ count: 1, firstSeen: "2026-03-01T08:00:00.000Z" });
      expect(detail.events[0]).toMatchObject({ type: "opened", at: "2026-03-01T08:00:00.000Z" });
      expect(await stored()).toBe(1);
    });

    it("after it, a repeat: stored, count + 1, last_seen moves, firstSeen stays", async () => {
      const before = (await incident(incidentId)).incident;
      await age(6);
      const repeat = await send();
      expect(repeat.duplicate).toBe(false);
      expect(repeat.results[0]).toMatchObject({ action: "updated", incidentId });
      const after = (await incident(incidentId)).incident;
      expect(after.count).toBe(2);
      expect(Date.parse(after.lastSeen)).toBeGreaterThan(Date.parse(before.lastSeen));
      expect(after.firstSeen).toBe("2026-03-01T08:00:00.000Z");
      expect(await stored()).toBe(2);
      // A retry of the repeat is a retry again.
      expect(await send()).toMatchObject({ duplicate: true, payloadId: repeat.payloadId });
      expect(await stored()).toBe(2);
    });

    it("an incident resolved by hand while the alert still fires is reopened by the next repeat", async () => {
      const resolved = await t.post(`/api/v1/incidents/${incidentId}/resolve`, { actor: "alice" });
      expect(resolved.status).toBe(200);
      await age(6);
      const repeat = await send();
      expect(repeat.results[0]).toMatchObject({ action: "reopened", incidentId });
      const detail = await incident(incidentId);
      expect(detail.incident).toMatchObject({ status: "open", count: 3 });
      expect(detail.events.map((e) => e.type)).toEqual(["opened", "resolved", "reopened"]);
      expect(detail.events[2]!.message).toBe(
        "still firing: alertmanager sent it again after it was resolved",
      );
    });

    it("identical deliveries racing after the window apply once", async () => {
      await age(6);
      const answers = await Promise.all(Array.from({ length: 6 }, () => send()));
      expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
      const applied = answers.find((a) => !a.duplicate)!;
      expect(answers.every((a) => a.payloadId === applied.payloadId)).toBe(true);
      expect((await incident(incidentId)).incident.count).toBe(4);
      expect(await stored()).toBe(4);
    });
  });

  it("startsAt that cannot be right (far future, unset) leaves first seen at receipt", async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const before = Date.now();
    const cases = [
      { dedupKey: "starts-future", startsAt: future },
      { dedupKey: "starts-none" },
      { dedupKey: "starts-past", startsAt: "2026-02-01T10:00:00+02:00" },
    ];
    const seen: Record<string, string> = {};
    for (const c of cases) {
      const r = (await (
        await t.post("/api/v1/alerts/generic", {
          title: "Queue backlog",
          severity: "warning",
          source: "worker",
          status: "firing",
          ...c,
        })
      ).json()) as IngestBody;
      seen[c.dedupKey] = (await incident(r.incidentId!)).incident.firstSeen;
    }
    expect(Date.parse(seen["starts-future"]!)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(seen["starts-none"]!)).toBeGreaterThanOrEqual(before - 1000);
    expect(seen["starts-past"]).toBe("2026-02-01T08:00:00.000Z");
    const bad = await t.post("/api/v1/alerts/generic", {
      title: "x",
      severity: "info",
      source: "s",
      status: "firing",
      startsAt: "yesterday",
    });
    expect(bad.status).toBe(400);
  });

  it("GET /alerts/payloads lists what was received, newest first, with what it did", async () => {
    const res = await t.request("/api/v1/alerts/payloads?source=grafana&limit=5");
    expect(res.status).toBe(200);
    const { payloads } = (await res.json()) as {
      payloads: { source: string; body: string; alertCount: number; results: { action: string }[] }[];
    };
    // Two Grafana deliveries were stored (the retried one was not stored twice).
    expect(payloads).toHaveLength(2);
    expect(payloads[1]!.body).toBe(fixtureText("grafana-webhook-firing.json"));
    expect(payloads[1]!.results.map((r) => r.action)).toEqual(["created", "created"]);
    expect(payloads.every((p) => p.source === "grafana" && p.alertCount === 2)).toBe(true);
  });

  it("bad input gets a clear 400 and nothing is stored", async () => {
    const before = await db.database.query<{ n: number }>(sql`select count(*)::int as n from alert_payloads`);
    const cases: [string, string][] = [
      ["/api/v1/alerts/alertmanager", JSON.stringify({ status: "firing" })],
      [
        "/api/v1/alerts/grafana",
        JSON.stringify({ status: "firing", alerts: [{ status: "nope", labels: {} }] }),
      ],
      [
        "/api/v1/alerts/generic",
        JSON.stringify({ title: "x", severity: "sev0", source: "s", status: "firing" }),
      ],
      ["/api/v1/alerts/generic", "{not json"],
    ];
    for (const [path, body] of cases) {
      const res = await postRaw(path, body);
      expect(res.status, `${path} ${body}`).toBe(400);
      const err = (await res.json()) as { error: { code: string; message: string } };
      expect(err.error.code).toMatch(/^(invalid_body|bad_request)$/);
    }
    const after = await db.database.query<{ n: number }>(sql`select count(*)::int as n from alert_payloads`);
    expect(after[0]!.n).toBe(before[0]!.n);
    const unauth = await t.app.request("/api/v1/alerts/generic", { method: "POST", body: "{}" });
    expect(unauth.status).toBe(401);
  });
});
