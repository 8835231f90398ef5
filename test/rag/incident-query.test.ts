import { describe, expect, it } from "vitest";
import { incidentQuery } from "../../src/rag/incidents.ts";

describe("incident queries", () => {
  it("search by the title, source and the values of sample and labels, not their keys", () => {
    const q = incidentQuery({
      id: "i-1",
      kind: "alert",
      fingerprint: "f",
      title: "KubePodCrashLooping",
      status: "open",
      severity: "critical",
      source: "prometheus",
      firstSeen: "2026-01-01T00:00:00Z",
      lastSeen: "2026-01-01T00:00:00Z",
      count: 1,
      sample: { annotations: { description: "pod api-7d9 restarting" }, restarts: 12, tags: ["payments"] },
      latest: {},
      evidence: {},
      labels: { alertname: "KubePodCrashLooping", namespace: "payments" },
      resolvedAt: null,
    });
    expect(q.split("\n")).toEqual([
      "KubePodCrashLooping",
      "prometheus",
      "pod api-7d9 restarting",
      "12",
      "payments",
    ]);
    expect(q).not.toMatch(/annotations|description|alertname|restarts|tags/);
  });
});
