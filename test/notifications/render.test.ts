import { describe, expect, it } from "vitest";
import type { Incident } from "../../src/incidents/model.ts";
import { renderSlack, renderWebhook, summary } from "../../src/notifications/render.ts";

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
