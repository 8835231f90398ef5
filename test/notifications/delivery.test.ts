import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { Receiver, waitFor } from "./receiver.ts";

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  incidentId: string;
  events: { type: string }[];
  lastError: string | null;
}

/** A receiver's own verification, written from the documented scheme (not Vigil's helper). */
function verify(secret: string, headers: Record<string, unknown>, body: string): boolean {
  const ts = String(headers["x-vigil-timestamp"]);
  const sig = String(headers["x-vigil-signature"]);
  const expected = `v1=${createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex")}`;
  const fresh = Math.abs(Date.now() / 1000 - Number(ts)) < 300;
  return fresh && sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
}

describeEachDatabase("notifications", (db) => {
  const t = useApp(db, { jobs: true, env: { VIGIL_ALLOW_PRIVATE_WEBHOOKS: "true" } });
  const receiver = new Receiver();
  beforeAll(async () => {
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
  });

  // Each test's channels go away after it, pass or fail, so later tests only hear their own.
  const created: string[] = [];
  afterEach(async () => {
    for (const id of created.splice(0)) await t.request(`/api/v1/channels/${id}`, { method: "DELETE" });
    receiver.respond = () => 200;
  });

  async function channel(name: string, extra: Record<string, unknown> = {}, kinds: string[] = ["alert"]) {
    const res = await t.post("/api/v1/channels", {
      name,
      type: "webhook",
      url: receiver.url,
      maxAttempts: 3,
      retryDelaySeconds: 1,
      groupWindowSeconds: 0,
      ...extra,
    });
    expect(res.status).toBe(201);
    const ch = (await res.json()) as { id: string; secret: string };
    created.push(ch.id);
    const rule = await t.post("/api/v1/notification-rules", {
      channelId: ch.id,
      kinds,
      minSeverity: "warning",
    });
    expect(rule.status).toBe(201);
    return ch;
  }
  const fire = (dedupKey: string, status = "firing", severity = "critical") =>
    t.post("/api/v1/alerts/generic", {
      title: `Alert ${dedupKey}`,
      severity,
      source: "test",
      status,
      dedupKey,
    });
  const deliveries = async (query = "") =>
    ((await (await t.request(`/api/v1/deliveries?${query}`)).json()) as { deliveries: Delivery[] })
      .deliveries;
  const forKey = (key: string) => receiver.received.filter((r) => r.body.includes(`Alert ${key}`));

  it("an alert notifies the webhook channel with a verifiable signature; routing skips low severities", async () => {
    const ch = await channel("signed");
    expect(ch.secret).toMatch(/^vsec_/);
    await fire("sig-1");
    await fire("sig-low", "firing", "info"); // below the rule's minSeverity: not sent
    const got = await waitFor(() => forKey("sig-1")[0], 20_000, "the signed notification");
    expect(verify(ch.secret, got.headers, got.body)).toBe(true);
    expect(verify(ch.secret, got.headers, got.body.replace("sig-1", "sig-2"))).toBe(false);
    const body = JSON.parse(got.body) as {
      id: string;
      type: string;
      incident: { title: string };
      events: { type: string }[];
    };
    expect(body).toMatchObject({
      type: "vigil.incident",
      incident: { title: "Alert sig-1" },
      events: [{ type: "opened" }],
    });
    expect(got.headers["x-vigil-delivery"]).toBe(body.id);
    // The timeline records the notification.
    const incidentId = (await deliveries()).find((d) => d.id === body.id)!.incidentId;
    const detail = (await (await t.request(`/api/v1/incidents/${incidentId}`)).json()) as {
      events: { type: string }[];
    };
    await waitFor(
      async () => {
        const d = (await (await t.request(`/api/v1/incidents/${incidentId}`)).json()) as {
          events: { type: string }[];
        };
        return d.events.some((e) => e.type === "notified");
      },
      5000,
      "notified event",
    );
    expect(detail.events[0]!.type).toBe("opened");
    await new Promise((r) => setTimeout(r, 1500));
    expect(forKey("sig-low")).toHaveLength(0);
  });

  it("receiver down → retries with backoff, then dead letter visible in the API; retry after recovery delivers", async () => {
    await channel("flaky");
    let refused = 0;
    receiver.respond = (r) => {
      if (!r.body.includes("Alert down-1")) return 200;
      refused++;
      return 503;
    };
    await fire("down-1");
    const dead = await waitFor(
      async () =>
        (await deliveries("status=dead")).find((d) => d.events[0]?.type === "opened" && d.attempts === 3),
      30_000,
      "the dead letter",
    );
    expect(refused).toBe(3);
    expect(dead.lastError).toContain("HTTP 503");

    receiver.respond = () => 200;
    const retry = await t.request(`/api/v1/deliveries/${dead.id}/retry`, { method: "POST" });
    expect(retry.status).toBe(202);
    await waitFor(() => forKey("down-1")[0], 20_000, "redelivery");
    // The receiver has the message before the worker records its answer: wait for the record.
    const after = await waitFor(
      async () => {
        const d = (await (await t.request(`/api/v1/deliveries/${dead.id}`)).json()) as Delivery;
        return d.status === "sending" ? undefined : d;
      },
      20_000,
      "the redelivery recorded",
    );
    expect(after.status).toBe("sent");
    // Only dead deliveries can be retried.
    expect((await t.request(`/api/v1/deliveries/${dead.id}/retry`, { method: "POST" })).status).toBe(409);
  });

  it("nothing is lost while the receiver is down: every incident arrives once it is back, each exactly once", async () => {
    await channel("outage", { maxAttempts: 6 });
    await receiver.stop(); // connection refused, not just 5xx
    for (let i = 0; i < 5; i++) await fire(`outage-${i}`);
    await waitFor(
      async () => (await deliveries("status=retrying")).length >= 5,
      20_000,
      "first failed attempts",
    );
    await receiver.start();
    await waitFor(() => [0, 1, 2, 3, 4].every((i) => forKey(`outage-${i}`).length > 0), 40_000, "all five");
    await new Promise((r) => setTimeout(r, 1500));
    const ids = receiver.received
      .filter((r) => r.body.includes("Alert outage-"))
      .map((r) => r.headers["x-vigil-delivery"]);
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
  });

  it("grouping: a flapping alert sends at most one message per window, listing every change", async () => {
    await channel("grouped", { groupWindowSeconds: 3 });
    const began = Date.now();
    for (let i = 0; i < 10; i++) {
      await fire("flap", "firing");
      await fire("flap", "resolved");
    }
    const postingSeconds = (Date.now() - began) / 1000;
    type Message = { events: { type: string }[]; summary: string };
    const messages = () => forKey("flap").map((r) => JSON.parse(r.body) as Message);
    const eventCount = () => messages().reduce((n, m) => n + m.events.length, 0);
    // opened, resolved, then 9 × (reopened, resolved): 20 changes, none lost, none twice.
    await waitFor(() => eventCount() >= 20, 30_000, "all 20 changes to be reported");
    await new Promise((r) => setTimeout(r, 4000)); // a further window: nothing else may arrive
    expect(eventCount()).toBe(20);
    expect(messages().flatMap((m) => m.events.map((e) => e.type))).toEqual([
      "opened",
      "resolved",
      ...Array.from({ length: 9 }, () => ["reopened", "resolved"]).flat(),
    ]);
    // One message per window at most: the first at once, the rest ≥ 3 s apart (small clock slack).
    const sent = forKey("flap").map((r) => r.at);
    for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(2800);
    expect(sent.length).toBeLessThanOrEqual(2 + Math.ceil(postingSeconds / 3));
    expect(messages().at(-1)!.summary).toContain("changes");
  });

  it("POST /channels/{id}/test sends a signed sample now and reports the receiver's answer", async () => {
    const ch = await channel("probe");
    const ok = (await (await t.request(`/api/v1/channels/${ch.id}/test`, { method: "POST" })).json()) as {
      ok: boolean;
      status: number;
    };
    expect(ok).toMatchObject({ ok: true, status: 200 });
    const got = receiver.received.find((r) => r.headers["x-vigil-test"] === "true")!;
    expect(verify(ch.secret, got.headers, got.body)).toBe(true);
    receiver.respond = () => 503;
    const bad = (await (await t.request(`/api/v1/channels/${ch.id}/test`, { method: "POST" })).json()) as {
      ok: boolean;
      error: string;
    };
    expect(bad).toMatchObject({ ok: false, error: expect.stringContaining("HTTP 503") });
  });

  it("Slack channels get blocks", async () => {
    await channel("slack", { type: "slack" });
    await fire("slack-1");
    const got = await waitFor(() => forKey("slack-1")[0], 20_000, "the Slack message");
    const body = JSON.parse(got.body) as { text: string; blocks: { type: string }[] };
    expect(body.text).toBe("[CRITICAL] Opened: Alert slack-1");
    expect(body.blocks.map((b) => b.type)).toEqual(["header", "section", "context"]);
    expect(got.headers["x-vigil-signature"]).toBeUndefined();
  });
});

describeEachDatabase("notification channels without VIGIL_ALLOW_PRIVATE_WEBHOOKS", (db) => {
  const t = useApp(db);
  it("refuses loopback, private and link-local targets with 422", async () => {
    for (const url of [
      "http://127.0.0.1:9/hook",
      "http://10.0.0.5/hook",
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]/hook",
      "http://localhost/hook",
      "gopher://example.com/",
    ]) {
      const res = await t.post("/api/v1/channels", { name: `c-${url.length}`, type: "webhook", url });
      expect(res.status, url).toBe(422);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("url_not_allowed");
    }
    // A public address is accepted — created disabled, so Vigil never delivers there from a test.
    const dup = { name: "pub", type: "slack", url: "https://8.8.8.8/services/T/B/X", enabled: false };
    expect((await t.post("/api/v1/channels", dup)).status).toBe(201);
    expect((await t.post("/api/v1/channels", dup)).status).toBe(409);
    const list = (await (await t.request("/api/v1/channels")).json()) as {
      channels: { name: string; hasSecret: boolean }[];
    };
    expect(list.channels).toEqual([expect.objectContaining({ name: "pub", hasSecret: false })]);
    expect(JSON.stringify(list)).not.toContain('secret":');
  });
});
