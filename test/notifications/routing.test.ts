import { describe, expect, it } from "vitest";
import {
  isRetryable,
  matchingChannels,
  type RoutingRule,
  scheduleAt,
} from "../../src/notifications/routing.ts";

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
