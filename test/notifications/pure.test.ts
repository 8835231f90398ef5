import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Incident } from "../../src/incidents/model.ts";
import { renderSlack, renderWebhook, summary } from "../../src/notifications/render.ts";
import {
  isRetryable,
  matchingChannels,
  type RoutingRule,
  scheduleAt,
} from "../../src/notifications/routing.ts";
import { signBody, verifySignature } from "../../src/notifications/sign.ts";
import {
  BlockedUrlError,
  checkUrlShape,
  checkWebhookUrl,
  isPublicAddress,
} from "../../src/notifications/ssrf.ts";

describe("SSRF policy", () => {
  it.each([
    ["127.0.0.1", false],
    ["127.8.9.10", false],
    ["10.1.2.3", false],
    ["172.16.0.1", false],
    ["172.31.255.255", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["100.64.0.1", false],
    ["0.0.0.0", false],
    ["224.0.0.1", false],
    ["255.255.255.255", false],
    ["::1", false],
    ["::", false],
    ["fe80::1", false],
    ["fd00::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["8.8.8.8", true],
    ["172.32.0.1", true],
    ["2606:4700:4700::1111", true],
    ["::ffff:8.8.8.8", true],
    ["not-an-ip", false],
  ])("%s public=%s", (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });

  it("rejects bad schemes, credentials, private literals and loopback names unless allowed", async () => {
    for (const url of [
      "ftp://example.com/x",
      "file:///etc/passwd",
      "http://user:pw@example.com/",
      "http://127.0.0.1:9000/hook",
      "http://[::1]/hook",
      "http://169.254.169.254/latest/meta-data",
      "http://localhost:8080/",
      "not a url",
    ]) {
      expect(() => checkUrlShape(url, false), url).toThrow(BlockedUrlError);
    }
    expect(checkUrlShape("http://127.0.0.1:9000/hook", true).port).toBe("9000");
    expect(checkUrlShape("https://8.8.8.8/hook", false).hostname).toBe("8.8.8.8");
    // "localhost" resolves through /etc/hosts without network: the DNS step must refuse it too.
    await expect(checkWebhookUrl("http://localhost./hook", false)).rejects.toThrow(BlockedUrlError);
  });
});

describe("signatures", () => {
  const secret = "vsec_test_secret_0123456789";
  it('is HMAC-SHA256 over timestamp + "." + body, verifiable with plain node:crypto', () => {
    const body = '{"a":1}';
    const sig = signBody(secret, 1700000000, body);
    const independent = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    expect(sig).toBe(`v1=${independent}`);
    expect(
      verifySignature(secret, { signature: sig, timestamp: "1700000000", body }, { now: 1700000100 }),
    ).toBe(true);
  });
  it("rejects a changed body, another secret, an old timestamp and missing headers", () => {
    const body = '{"a":1}';
    const sig = signBody(secret, 1700000000, body);
    const now = { now: 1700000000 };
    expect(verifySignature(secret, { signature: sig, timestamp: "1700000000", body: '{"a":2}' }, now)).toBe(
      false,
    );
    expect(
      verifySignature("other-secret-xxxxxxxx", { signature: sig, timestamp: "1700000000", body }, now),
    ).toBe(false);
    expect(
      verifySignature(secret, { signature: sig, timestamp: "1700000000", body }, { now: 1700000301 }),
    ).toBe(false);
    expect(verifySignature(secret, { signature: null, timestamp: "1700000000", body }, now)).toBe(false);
    expect(verifySignature(secret, { signature: sig, timestamp: "abc", body }, now)).toBe(false);
  });
});

describe("routing and grouping", () => {
  const rules: RoutingRule[] = [
    { channelId: "pager", kinds: [], minSeverity: "critical", events: ["opened", "reopened"] },
    { channelId: "ml", kinds: ["drift", "schema"], minSeverity: "warning", events: ["opened", "resolved"] },
    { channelId: "all", kinds: [], minSeverity: "info", events: ["opened", "resolved", "reopened"] },
  ];
  it("matches by kind, minimum severity and event", () => {
    expect(matchingChannels(rules, { kind: "alert", severity: "critical" }, "opened")).toEqual([
      "pager",
      "all",
    ]);
    expect(matchingChannels(rules, { kind: "drift", severity: "warning" }, "opened")).toEqual(["ml", "all"]);
    expect(matchingChannels(rules, { kind: "drift", severity: "info" }, "opened")).toEqual(["all"]);
    expect(matchingChannels(rules, { kind: "alert", severity: "critical" }, "resolved")).toEqual(["all"]);
    expect(matchingChannels(rules, { kind: "alert", severity: "critical" }, "acknowledged")).toEqual([]);
  });
  it("one channel listed by two rules is notified once", () => {
    const dup = [...rules, { ...rules[2]!, kinds: ["alert"] }];
    expect(matchingChannels(dup, { kind: "alert", severity: "info" }, "opened")).toEqual(["all"]);
  });
  it("the first message goes now; the next waits for the window after the previous one", () => {
    const now = new Date("2026-01-01T00:10:00Z");
    expect(scheduleAt(now, undefined, 300)).toEqual(now);
    expect(scheduleAt(now, new Date("2026-01-01T00:08:00Z"), 300)).toEqual(new Date("2026-01-01T00:13:00Z"));
    expect(scheduleAt(now, new Date("2026-01-01T00:01:00Z"), 300)).toEqual(now);
    expect(scheduleAt(now, new Date("2026-01-01T00:09:59Z"), 0)).toEqual(now);
  });
  it("retries network errors, 408, 429 and 5xx only", () => {
    expect([undefined, 408, 429, 500, 503].every(isRetryable)).toBe(true);
    expect([301, 400, 401, 404, 410, 422].some(isRetryable)).toBe(false);
  });
});

describe("messages", () => {
  const incident: Incident = {
    id: "00000000-0000-4000-8000-000000000001",
    kind: "alert",
    fingerprint: "generic:x",
    title: "Disk <full> & failing",
    status: "open",
    severity: "critical",
    source: "node",
    firstSeen: "2026-01-01T00:00:00.000Z",
    lastSeen: "2026-01-01T00:05:00.000Z",
    count: 7,
    sample: { big: "sample" },
    latest: { big: "latest" },
    evidence: {},
    labels: {},
    resolvedAt: null,
  };
  const ev = (id: number, type: string) => ({
    id,
    type,
    at: "2026-01-01T00:00:00.000Z",
    actor: null,
    message: null,
  });
  it("summarises grouped events", () => {
    expect(summary([ev(1, "opened")])).toBe("Opened");
    expect(summary([ev(1, "opened"), ev(2, "resolved")])).toBe("Opened → Resolved (2 changes)");
    expect(summary(Array.from({ length: 9 }, (_, i) => ev(i, i % 2 ? "resolved" : "reopened")))).toBe(
      "Reopened → Resolved → … → Resolved → Reopened (9 changes)",
    );
  });
  it("Slack blocks carry status, severity, count, the runbook link and escaped text", () => {
    const m = renderSlack({
      deliveryId: "d1",
      incident,
      events: [ev(1, "opened"), ev(2, "resolved")],
      runbook: { title: "Disk <runbook>", url: "https://runbooks.example/disk" },
    }) as {
      text: string;
      blocks: Array<{ type: string; text?: { text: string }; fields?: { text: string }[] }>;
    };
    expect(m.text).toBe("[CRITICAL] Opened → Resolved (2 changes): Disk <full> & failing");
    expect(m.blocks[0]!.type).toBe("header");
    expect(m.blocks[1]!.fields!.map((f) => f.text)).toContain("*Occurrences*\n7");
    const runbook = m.blocks.find((b) => b.text?.text.startsWith("*Runbook:*"));
    expect(runbook!.text!.text).toBe("*Runbook:* <https://runbooks.example/disk|Disk &lt;runbook&gt;>");
  });
  it("the webhook body leaves out the bulky samples", () => {
    const body = renderWebhook({ deliveryId: "d1", incident, events: [ev(1, "opened")] }) as {
      incident: Record<string, unknown>;
    };
    expect(body).toMatchObject({ id: "d1", type: "vigil.incident", summary: "Opened", runbook: null });
    expect(body.incident.sample).toBeUndefined();
    expect(body.incident.title).toBe(incident.title);
  });
});
