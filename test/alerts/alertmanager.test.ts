import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { waitFor } from "../notifications/receiver.ts";

/** Debian's package installs the binary as prometheus-alertmanager (scripts/ensure-test-tools.sh). */
function findAlertmanager(): string | undefined {
  for (const name of ["prometheus-alertmanager", "alertmanager"]) {
    try {
      return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || undefined;
    } catch {}
  }
  return undefined;
}

const binary = findAlertmanager();
if (!binary && process.env.CI)
  throw new Error("CI needs prometheus-alertmanager: run scripts/ensure-test-tools.sh");

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

interface IncidentRow {
  id: string;
  status: string;
  count: number;
  firstSeen: string;
  title: string;
  severity: string;
  fingerprint: string;
  labels: Record<string, string>;
}

(binary ? describe : describe.skip)(`real Alertmanager (${binary ?? "not installed"})`, () => {
  describeEachDatabase("Alertmanager → Vigil", (db) => {
    // Repeats come every ~2 s (repeat_interval below); a 1 s window tells them from retries.
    const t = useApp(db, { env: { VIGIL_ALERT_RETRY_WINDOW_SECONDS: "1" } });
    let server: ServerType;
    let am: ChildProcess;
    let amUrl: string;
    let dir: string;
    let amLog = "";

    beforeAll(async () => {
      server = await new Promise<ServerType>((resolve) => {
        const s = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
      });
      const vigilPort = (server.address() as AddressInfo).port;
      dir = mkdtempSync(join(tmpdir(), "vigil-am-"));
      // An unchanged webhook_configs entry: Vigil's URL plus bearer credentials via http_config.
      // Timings are shrunk so the test runs in seconds: group_wait/group_interval small, and
      // repeat_interval 2s so a still-firing alert is notified again (with an identical body).
      writeFileSync(
        join(dir, "alertmanager.yml"),
        `global:
  resolve_timeout: 5m
route:
  receiver: vigil
  group_by: [alertname]
  group_wait: 200ms
  group_interval: 1s
  repeat_interval: 2s
receivers:
  - name: vigil
    webhook_configs:
      - url: http://127.0.0.1:${vigilPort}/api/v1/alerts/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${t.key}
`,
      );
      const amPort = await freePort();
      amUrl = `http://127.0.0.1:${amPort}`;
      am = spawn(
        binary!,
        [
          `--config.file=${join(dir, "alertmanager.yml")}`,
          `--storage.path=${join(dir, "data")}`,
          `--web.listen-address=127.0.0.1:${amPort}`,
          "--cluster.listen-address=", // no gossip: a single instance
          "--log.level=info",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      am.stdout!.on("data", (d) => (amLog += d));
      am.stderr!.on("data", (d) => (amLog += d));
      await waitFor(
        async () => {
          try {
            return (await fetch(`${amUrl}/-/ready`)).ok;
          } catch {
            return false;
          }
        },
        15_000,
        "Alertmanager to be ready",
      );
    });

    afterAll(async () => {
      am?.kill("SIGTERM");
      await new Promise((r) => (am?.exitCode !== null ? r(undefined) : am.once("exit", r)));
      await new Promise((r) => server?.close(r));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const postAlerts = async (alerts: object[]) => {
      const res = await fetch(`${amUrl}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alerts),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    };
    const alertIncidents = async () =>
      (
        (await (await t.request("/api/v1/incidents?kind=alert&source=alertmanager")).json()) as {
          incidents: IncidentRow[];
        }
      ).incidents;

    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const labels = (model: string) => ({ alertname: "ModelLatencyHigh", severity: "critical", model });
    const alert = (model: string, extra: object = {}) => ({
      labels: labels(model),
      annotations: {
        summary: `p99 latency of ${model} above 2s`,
        runbook_url: "https://runbooks.example/latency",
      },
      generatorURL: "http://prometheus.example/graph?g0.expr=latency",
      startsAt,
      ...extra,
    });

    it("alerts posted to Alertmanager's API arrive as incidents", async () => {
      await postAlerts([alert("ranker"), alert("retriever")]);
      const incidents = await waitFor(
        async () => {
          const rows = await alertIncidents();
          return rows.length === 2 ? rows : undefined;
        },
        20_000,
        `two incidents (Alertmanager log:\n${amLog.slice(-2000)})`,
      );
      for (const i of incidents) {
        expect(i).toMatchObject({ status: "open", severity: "critical" });
        expect(i.title).toMatch(/^ModelLatencyHigh: p99 latency of (ranker|retriever) above 2s$/);
        expect(i.fingerprint).toMatch(/^alertmanager:[0-9a-f]{16}$/);
        // When Prometheus says it began, not when Vigil heard of it.
        expect(i.firstSeen).toBe(startsAt);
      }
    });

    it("resolving one in Alertmanager (endsAt in the past) resolves its incident only", async () => {
      await postAlerts([alert("ranker", { endsAt: new Date(Date.now() - 1000).toISOString() })]);
      const rows = await waitFor(
        async () => {
          const all = await alertIncidents();
          return all.find((i) => i.labels.model === "ranker")?.status === "resolved" ? all : undefined;
        },
        20_000,
        `ranker resolved (Alertmanager log:\n${amLog.slice(-2000)})`,
      );
      expect(rows.find((i) => i.labels.model === "retriever")!.status).toBe("open");
      const ranker = rows.find((i) => i.labels.model === "ranker")!;
      const detail = (await (await t.request(`/api/v1/incidents/${ranker.id}`)).json()) as {
        events: { type: string; actor: string }[];
      };
      expect(detail.events.map((e) => e.type)).toEqual(["opened", "resolved"]);
      expect(detail.events[1]!.actor).toBe("alertmanager");
    });

    it("byte-identical repeats of the still-firing alert count, and reopen an incident resolved by hand", async () => {
      const payloads = () =>
        db.database.execute<{ body: string; result: { fingerprint: string; action: string }[] }>(
          "select body, result from alert_payloads where source = 'alertmanager' order by received_at, id",
        );
      const repeated = (rows: { body: string }[]) => rows.length > new Set(rows.map((r) => r.body)).size;
      // Alertmanager's repeat of an unchanged group is the identical body, and it is stored.
      await waitFor(
        async () => repeated(await payloads()),
        20_000,
        `an identical repeat stored (Alertmanager log:\n${amLog.slice(-2000)})`,
      );
      const retriever = (await alertIncidents()).find((i) => i.labels.model === "retriever")!;
      expect(retriever.count).toBeGreaterThan(1);
      const resolved = await t.post(`/api/v1/incidents/${retriever.id}/resolve`, { actor: "alice" });
      expect(resolved.status).toBe(200);
      const detail = await waitFor(
        async () => {
          const d = (await (await t.request(`/api/v1/incidents/${retriever.id}`)).json()) as {
            incident: IncidentRow;
            events: { type: string; message: string | null }[];
          };
          return d.incident.status === "open" ? d : undefined;
        },
        20_000,
        `retriever reopened by a repeat (Alertmanager log:\n${amLog.slice(-2000)})`,
      );
      expect(detail.events.map((e) => e.type)).toEqual(["opened", "resolved", "reopened"]);
      expect(detail.events[2]!.message).toBe(
        "still firing: alertmanager sent it again after it was resolved",
      );
      expect(detail.incident.count).toBeGreaterThan(retriever.count);
      // The delivery that reopened it is byte-identical to one stored before it.
      const rows = await payloads();
      const at = rows.findIndex((r) => r.result.some((x) => x.action === "reopened"));
      expect(rows.slice(0, at).map((r) => r.body)).toContain(rows[at]!.body);
    });

    it("every webhook Alertmanager sent is stored as received", async () => {
      const rows = await db.database.execute<{ body: string; user_agent: string }>(
        "select body, user_agent from alert_payloads where source = 'alertmanager' order by received_at",
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      for (const r of rows) {
        expect(r.user_agent).toMatch(/^Alertmanager\//);
        expect(JSON.parse(r.body)).toMatchObject({ version: "4", receiver: "vigil" });
      }
    });
  });
});
