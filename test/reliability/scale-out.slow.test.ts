import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../github/fake-github.ts";
import { deliveryRequest, pullRequestPayload } from "../github/webhooks.ts";
import { Receiver } from "../notifications/receiver.ts";
import { recordRun } from "./ledger.ts";
import { freePort, killAllVigils, scratchDatabase, sleep, startVigil, waitFor } from "./processes.ts";

/**
 * Two `vigil serve` and two `vigil worker` started at the same moment on a fresh database: all of
 * them come up, and with four processes taking jobs every job is done exactly once — scheduled
 * monitor runs, notifications (to a loopback receiver), GitHub webhook deliveries (the same delivery
 * sent to both servers, as a redelivery races the original, checked against a fake GitHub).
 */

const MONITORS = 6;
const ALERTS = 20;
const PULLS = 5;
const REPO = "acme/shop";
const INSTALLATION = 7301;
const VIGIL_YML = "schemas:\n  - dataset: orders\n    path: schemas/orders.json\n";
const ORDERS = `${JSON.stringify({ fields: [{ name: "id", type: "int64", nullable: false }] }, null, 2)}\n`;

describe("scale-out: 2 × serve + 2 × worker [postgres]", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  let fake: FakeGitHub | undefined;
  const receiver = new Receiver();
  afterAll(async () => {
    await killAllVigils();
    await receiver.stop();
    await fake?.close();
    await scratch?.drop();
  });

  it("all start; monitor runs, notifications and webhook deliveries each happen exactly once", async () => {
    scratch = await scratchDatabase("scale");
    const sql = scratch.sql;
    fake = await FakeGitHub.start();
    fake.installation(INSTALLATION, "acme", [REPO]);
    await receiver.start();
    const key = `vigil_rel_${randomBytes(16).toString("hex")}`;
    const ports = [await freePort(), await freePort()];
    const env = {
      ...fake.env(),
      DATABASE_URL: scratch.url,
      HOST: "127.0.0.1",
      VIGIL_API_KEY: key,
      LOG_LEVEL: "warn",
      VIGIL_OTLP_THREADS: "0",
      VIGIL_DB_POOL_SIZE: "4",
      // This test's channel points at its own loopback receiver.
      VIGIL_ALLOW_PRIVATE_WEBHOOKS: "true",
    };
    const processes = await Promise.all([
      startVigil("serve", { ...env, PORT: String(ports[0]) }),
      startVigil("serve", { ...env, PORT: String(ports[1]) }),
      startVigil("worker", env),
      startVigil("worker", env),
    ]);
    const bases = ports.map((p) => `http://127.0.0.1:${p}`);
    const auth = { authorization: `Bearer ${key}` };
    const call = (i: number, path: string, body?: unknown) =>
      fetch(`${bases[i % 2]}${path}`, {
        method: body === undefined ? "GET" : "POST",
        headers: { ...auth, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    // All live and ready.
    for (const p of processes) {
      expect(p.child.exitCode, p.output()).toBeNull();
      expect(p.output()).not.toMatch(/deadlock|duplicate key/);
    }
    for (const base of bases) {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
    }
    let fiveXX = 0;
    const ok = async (res: Response, expected: number[] = [200, 201, 202]) => {
      if (res.status >= 500) fiveXX++;
      expect(expected, await res.clone().text()).toContain(res.status);
      return res;
    };

    // Monitors, due now: the every-minute cron job of one of the four processes claims them.
    const rows = Array.from({ length: 40 }, (_, i) => ({
      model: "scale-model",
      modelVersion: "v1",
      requestId: `r-${i}`,
      features: { amount: i % 10, country: i % 2 ? "NL" : "DE" },
      output: i % 2,
    }));
    await ok(await call(0, "/api/v1/predictions", rows));
    const monitorIds: string[] = [];
    for (let i = 0; i < MONITORS; i++) {
      const res = await ok(
        await call(i, "/api/v1/monitors", {
          name: `scale-${i}`,
          model: "scale-model",
          reference: { kind: "version", version: "v1" },
          current: { kind: "window", seconds: 86_400 },
          scheduleSeconds: 3600,
        }),
        [201],
      );
      monitorIds.push(((await res.json()) as { id: string }).id);
    }
    await sql`update monitors set next_run_at = now() where id = any(${monitorIds}::uuid[])`;

    // Notifications: a channel on the loopback receiver, alerts sent to either server.
    const channel = await ok(
      await call(0, "/api/v1/channels", {
        name: "scale-receiver",
        type: "webhook",
        url: receiver.url,
        maxAttempts: 3,
        retryDelaySeconds: 1,
        groupWindowSeconds: 0,
      }),
      [201],
    );
    const channelId = ((await channel.json()) as { id: string }).id;
    await ok(
      await call(1, "/api/v1/notification-rules", { channelId, kinds: ["alert"], minSeverity: "warning" }),
      [201],
    );
    const alertKeys = Array.from({ length: ALERTS }, (_, i) => `scale-${i}`);
    await Promise.all(
      alertKeys.map(async (dedupKey, i) =>
        ok(
          await call(i, "/api/v1/alerts/generic", {
            title: `Alert ${dedupKey}.`,
            severity: "critical",
            source: "reliability",
            status: "firing",
            dedupKey,
          }),
        ),
      ),
    );

    // GitHub: each pull request's `opened` delivery sent to both servers at once, same delivery id.
    const heads: string[] = [];
    const deliveryIds: string[] = [];
    const webhookStatuses: number[] = [];
    for (let n = 1; n <= PULLS; n++) {
      const shas = { base: `scale-base-${n}`, head: `scale-head-${n}` };
      const files = { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS };
      fake.commit(REPO, shas.base, files);
      fake.commit(REPO, shas.head, files);
      fake.pull(REPO, { number: n, ...shas });
      const id = randomUUID();
      const payload = pullRequestPayload({
        action: "opened",
        installationId: INSTALLATION,
        repo: REPO,
        number: n,
        ...shas,
      });
      const { init } = await deliveryRequest({
        event: "pull_request",
        payload,
        id,
        secret: fake.webhookSecret,
      });
      const answers = await Promise.all(bases.map((base) => fetch(`${base}/github/webhooks`, init)));
      for (const a of answers) webhookStatuses.push((await ok(a, [200, 202])).status);
      heads.push(shas.head);
      deliveryIds.push(id);
    }

    // Everything done once...
    const received = (key: string) =>
      receiver.received.filter((r) => r.body.includes(`Alert ${key}.`)).length;
    await waitFor("every notification", async () => alertKeys.every((k) => received(k) >= 1), 120_000);
    await waitFor(
      "every check run completed",
      async () => heads.every((h) => fake!.runsFor(h).some((r) => r.status === "completed")),
      120_000,
    );
    await waitFor("every webhook delivery handled", async () => {
      const [row] = await sql`select count(*)::int as n from github_webhook_deliveries
        where delivery_id = any(${deliveryIds}) and status = 'done'`;
      return row!.n === PULLS;
    });
    const reportsPerMonitor = async () =>
      new Map(
        (
          await sql<{ id: string; n: number }[]>`
            select monitor_id::text as id, count(*)::int as n from drift_reports
            where monitor_id = any(${monitorIds}::uuid[]) and trigger = 'schedule' group by 1`
        ).map((r) => [r.id, r.n]),
      );
    // The cron job runs once a minute, and a new process first syncs its schedule: up to ~2 minutes.
    await waitFor(
      "every monitor's scheduled run",
      async () => (await reportsPerMonitor()).size === MONITORS,
      240_000,
    );
    // ...and still once after the other processes had their chance.
    await sleep(5000);

    const reports = await reportsPerMonitor();
    const deliveries = await sql<{ id: string; n: number; done: number }[]>`
      select delivery_id as id, count(*)::int as n, count(*) filter (where status = 'done')::int as done
      from github_webhook_deliveries where delivery_id = any(${deliveryIds}) group by 1`;
    const runs = heads.map((h) => fake!.runsFor(h));
    const runsPerName = runs.map((list) => {
      const names = new Map<string, number>();
      for (const r of list) names.set(r.name, (names.get(r.name) ?? 0) + 1);
      return [...names.values()];
    });
    const notified = alertKeys.map(received);
    const deliveryHeaders = receiver.received.map((r) => String(r.headers["x-vigil-delivery"]));

    recordRun({
      test: "scale-out: monitor runs",
      load: `${MONITORS} monitors due at once`,
      faults: "2 serve + 2 worker started at once",
      sent: MONITORS,
      acked: MONITORS,
      stored: [...reports.values()].reduce((a, b) => a + b, 0),
      lost: MONITORS - reports.size,
      duplicated: [...reports.values()].reduce((a, n) => a + n - 1, 0),
      fiveXX,
    });
    recordRun({
      test: "scale-out: notifications",
      load: `${ALERTS} alerts over 2 servers`,
      faults: "2 serve + 2 worker started at once",
      sent: ALERTS,
      acked: ALERTS,
      stored: notified.reduce((a, b) => a + b, 0),
      lost: notified.filter((n) => n === 0).length,
      duplicated: notified.reduce((a, n) => a + Math.max(0, n - 1), 0),
      fiveXX,
    });
    recordRun({
      test: "scale-out: GitHub webhooks",
      load: `${PULLS} deliveries, each to both servers`,
      faults: "2 serve + 2 worker started at once; redelivery races",
      sent: PULLS * 2,
      acked: webhookStatuses.filter((s) => s < 300).length,
      stored: runs.reduce((a, l) => a + l.length, 0),
      lost: runs.filter((l) => l.length === 0).length,
      duplicated: runsPerName.flat().reduce((a, n) => a + n - 1, 0),
      fiveXX,
    });

    expect(fiveXX).toBe(0);
    expect([...reports.values()]).toEqual(monitorIds.map(() => 1));
    expect(notified).toEqual(alertKeys.map(() => 1));
    expect(new Set(deliveryHeaders).size).toBe(deliveryHeaders.length);
    // One of each pair was the first (202); the other a duplicate (200) or, if it came first, 202.
    expect(webhookStatuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(PULLS);
    expect(deliveries.map((d) => [d.n, d.done])).toEqual(deliveryIds.map(() => [1, 1]));
    for (const perName of runsPerName) expect(perName.every((n) => n === 1) && perName.length > 0).toBe(true);
    expect(fake.violations).toEqual([]);
    // Still all up.
    for (const p of processes) expect(p.child.exitCode, p.output().slice(-2000)).toBeNull();
  });
});
