import { describe, expect, it } from "vitest";
import { currentSection } from "../../src/ui/layout.tsx";
import { diffVersions, lineageLevels, versionRows } from "../../src/ui/views/datasets.ts";
import { ago, formatMs, formatNumber, formatPercent, utc } from "../../src/ui/views/format.ts";
import {
  actionsFor,
  evidenceOf,
  incidentListQuery,
  relatedOf,
  timelineOf,
} from "../../src/ui/views/incidents.ts";
import { driftSeries, featureScore, performanceRows, reportFeatures } from "../../src/ui/views/monitors.ts";
import { overviewModel } from "../../src/ui/views/overview.ts";
import { pageUrl } from "../../src/ui/views/query.ts";
import { redCharts, traceListQuery, type WaterfallSpan, waterfall } from "../../src/ui/views/traces.ts";
import type { Incident, Report } from "../../src/ui/views/types.ts";

const incident = (over: Partial<Incident> = {}): Incident => ({
  id: "i1",
  kind: "exception",
  title: "boom",
  status: "open",
  severity: "error",
  source: "svc",
  firstSeen: "2026-01-01T00:00:00Z",
  lastSeen: "2026-01-01T00:00:00Z",
  count: 1,
  sample: {},
  latest: {},
  evidence: {},
  labels: {},
  resolvedAt: null,
  ...over,
});

const report = (createdAt: string, features: Report["features"], over: Partial<Report> = {}): Report => ({
  id: createdAt,
  monitorId: "m",
  createdAt,
  trigger: "schedule",
  status: "ok",
  drifted: features.some((f) => f.drifted),
  share: 0,
  reference: {},
  current: {},
  features,
  prediction: null,
  performance: null,
  embeddings: null,
  error: null,
  durationMs: 1,
  ...over,
});

describe("format", () => {
  it("durations, percents, numbers and times read the same for the same input", () => {
    expect(formatMs(0.25)).toBe("0.25 ms");
    expect(formatMs(42.4)).toBe("42 ms");
    expect(formatMs(1500)).toBe("1.50 s");
    expect(formatMs(90_000)).toBe("1.5 min");
    expect(formatMs(null)).toBe("—");
    expect(formatPercent(0.1234)).toBe("12.3%");
    expect(formatNumber(3.03e-85)).toBe("3.03e-85");
    expect(formatNumber(0.73456)).toBe("0.735");
    expect(formatNumber(12)).toBe("12");
    const now = Date.parse("2026-01-01T02:00:00Z");
    expect(ago("2026-01-01T01:59:30Z", now)).toBe("30 s ago");
    expect(ago("2026-01-01T01:00:00Z", now)).toBe("1 h ago");
    expect(utc("2026-01-01T01:02:03.456Z")).toBe("2026-01-01 01:02:03 UTC");
  });
});

describe("overview", () => {
  it("counts active incidents by kind and severity, zeros included; drifted monitors name their features", () => {
    const m = overviewModel({
      active: [
        { kind: "exception", severity: "error", status: "open", count: 2 },
        { kind: "exception", severity: "error", status: "acknowledged", count: 1 },
        { kind: "exception", severity: "warning", status: "open", count: 4 },
        { kind: "alert", severity: "critical", status: "open", count: 1 },
      ],
      services: [
        { service: "a", requests: 10, errors: 0, errorRate: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3 },
        { service: "b", requests: 5, errors: 1, errorRate: 0.2, p50Ms: 1, p95Ms: 2, p99Ms: 3 },
      ],
      monitors: [
        { id: "m1", name: "one", model: "x", features: [], enabled: true, lastRunAt: null, nextRunAt: null },
        { id: "m2", name: "two", model: "x", features: [], enabled: true, lastRunAt: null, nextRunAt: null },
      ],
      latestReports: new Map([
        [
          "m1",
          report("2026-01-01T00:00:00Z", [
            { name: "age", drifted: true },
            { name: "plan", drifted: false },
          ]),
        ],
      ]),
      datasets: [],
      runs: [],
    });
    expect(m.activeTotal).toBe(8);
    expect(m.matrix.find((r) => r.kind === "exception")).toEqual({
      kind: "exception",
      counts: [0, 3, 4, 0],
      total: 7,
    });
    expect(m.matrix.find((r) => r.kind === "schema")!.total).toBe(0);
    expect(m.severityTotals).toEqual([1, 3, 4, 0]);
    expect(m.services.map((s) => s.service)).toEqual(["b", "a"]); // worst error rate first
    expect(m.monitors.map((x) => [x.verdict, x.driftedFeatures])).toEqual([
      ["drifted", ["age"]],
      ["none", []],
    ]);
    expect(m.empty).toBe(false);
  });
});

describe("query strings", () => {
  it("pass only known filter values to the API, so a hand-edited URL cannot fail the page", () => {
    expect(
      incidentListQuery({
        kind: "drift",
        status: "nope",
        severity: "critical",
        since: "yesterday",
        cursor: "abc",
      }),
    ).toEqual({
      filters: { kind: "drift", severity: "critical" },
      cursor: "abc",
    });
    expect(incidentListQuery({ cursor: "<script>" }).cursor).toBeUndefined();
    expect(pageUrl("/incidents", { kind: "drift" }, { cursor: "c1", empty: "" })).toBe(
      "/incidents?kind=drift&cursor=c1",
    );
    expect(pageUrl("/incidents", {})).toBe("/incidents");
  });

  it("the trace window ends at `to` when the URL pins it, else now", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    const q = traceListQuery({ hours: "3", status: "error", minDurationMs: "-5" }, now);
    expect(q.filters).toEqual({ hours: "3", status: "error" });
    expect(q.from).toBe("2026-01-01T09:00:00.000Z");
    expect(q.to).toBe("2026-01-01T12:00:00.000Z");
    const pinned = traceListQuery({ to: "2026-01-01T06:00:00.000Z", hours: "7" }, now);
    expect(pinned.hours).toBe(1);
    expect(pinned.from).toBe("2026-01-01T05:00:00.000Z");
  });
});

describe("incident detail", () => {
  it("evidence by kind: the exception's trace and stack, the schema's changes and impact, the alert's links", () => {
    const ex = evidenceOf(incident({ sample: { stacktrace: "first" } }), {
      traceId: "t".repeat(32),
      latestStacktrace: "latest",
      spans: [{ spanId: "s1", name: "GET", service: "a", durationMs: 1, depth: 0 }],
    });
    expect(ex.traceId).toBe("t".repeat(32));
    expect(ex.stacktrace).toBe("latest");
    expect(ex.spans).toHaveLength(1);

    const schema = evidenceOf(
      incident({
        kind: "schema",
        sample: {
          dataset: { namespace: "wh", name: "orders" },
          version: 2,
          previousVersion: 1,
          breakingChanges: [{ kind: "field_removed", path: "country", from: "string", breaking: true }],
          impacted: [{ kind: "model", namespace: "m", name: "churn", fields: ["country"] }],
        },
      }),
      {},
    );
    expect(schema.dataset).toEqual({ namespace: "wh", name: "orders", version: 2, previousVersion: 1 });
    expect(schema.schemaChanges).toEqual([
      { kind: "field_removed", path: "country", from: "string", to: undefined, reason: undefined },
    ]);
    expect(schema.impacted).toEqual([{ kind: "model", namespace: "m", name: "churn", fields: ["country"] }]);

    const alert = evidenceOf(
      incident({
        kind: "alert",
        sample: { labels: { a: "b" } },
        evidence: {
          alert: {
            generatorURL: "http://127.0.0.1:9090/graph",
            silenceURL: "javascript:alert(1)",
            links: [{ href: "https://x.test/d" }],
          },
        },
      }),
      {},
    );
    expect(alert.alert).toEqual({ labels: { a: "b" } });
    // Only http(s) links: a payload cannot put a javascript: URL on the page.
    expect(alert.links.map((l) => l.href)).toEqual(["http://127.0.0.1:9090/graph", "https://x.test/d"]);

    const drift = evidenceOf(incident({ kind: "drift", evidence: { reportId: "r1", monitorId: "m1" } }), {
      retraining: [{ id: "run1", status: "completed", htmlUrl: "https://github.com/a/b/actions/runs/1" }],
    });
    expect([drift.reportId, drift.monitorId, drift.retraining[0]?.htmlUrl]).toEqual([
      "r1",
      "m1",
      "https://github.com/a/b/actions/runs/1",
    ]);
  });

  it("similar incidents never include the incident itself; the timeline is oldest first", () => {
    const related = relatedOf("i1", {
      similar: [
        { path: "incidents/i1", title: "self", kind: "incident", documentId: "d" },
        { path: "incidents/i2", title: "other", kind: "incident", documentId: "d2" },
      ],
      runbooks: [{ path: "runbooks/x.md", title: "X", kind: "runbook", documentId: "d3" }],
    });
    expect(related.similar.map((s) => s.incidentId)).toEqual(["i2"]);
    expect(related.runbooks.map((r) => r.title)).toEqual(["X"]);
    const tl = timelineOf([
      { id: 2, at: "2026-01-01T00:01:00Z", type: "acknowledged", actor: "me", message: null, data: {} },
      { id: 1, at: "2026-01-01T00:00:00Z", type: "opened", actor: null, message: "boom", data: {} },
      { id: 3, at: "2026-01-01T00:01:00Z", type: "severity_changed", actor: null, message: null, data: {} },
    ]);
    expect(tl.map((e) => e.label)).toEqual(["Opened", "Acknowledged", "Severity changed"]);
    expect(actionsFor("open")).toEqual(["acknowledge", "resolve"]);
    expect(actionsFor("acknowledged")).toEqual(["resolve"]);
    expect(actionsFor("resolved")).toEqual(["reopen"]);
  });
});

describe("traces", () => {
  it("RED series per service and bucket: rate per minute, error %, p95; a bucket without requests is a gap", () => {
    const a = { service: "a", errors: 0, errorRate: 0, p50Ms: 5, p99Ms: 30 };
    const buckets = [
      {
        from: "2026-01-01T00:00:00.000Z",
        to: "2026-01-01T00:30:00.000Z",
        services: [{ ...a, requests: 60, errors: 6, errorRate: 0.1, p95Ms: 20 }],
      },
      {
        from: "2026-01-01T00:30:00.000Z",
        to: "2026-01-01T01:00:00.000Z",
        services: [
          { ...a, requests: 30, p95Ms: 10 },
          { service: "b", requests: 3, errors: 3, errorRate: 1, p50Ms: 5, p95Ms: 99, p99Ms: 99 },
        ],
      },
    ];
    const red = redCharts(buckets);
    // A point at its bucket's end.
    expect(red.x).toEqual([Date.parse(buckets[0]!.to) / 1000, Date.parse(buckets[1]!.to) / 1000]);
    expect(red.services).toEqual(["a", "b"]);
    expect(red.rate).toEqual([
      { label: "a", values: [2, 1] },
      { label: "b", values: [null, 0.1] },
    ]);
    expect(red.errorRate[0]!.values).toEqual([10, 0]);
    expect(red.p95[1]!.values).toEqual([null, 99]);
    expect(redCharts(buckets, "b").rate).toEqual([{ label: "b", values: [null, 0.1] }]);
    expect(
      redCharts(
        buckets.map((b) => ({ ...b, services: [] })),
        "a",
      ).services,
    ).toEqual([]);
  });

  it("a waterfall places spans by their nanosecond start and marks errors and exception events", () => {
    const base = 1_767_225_600_000_000_123n; // nanoseconds a double cannot hold exactly
    const s = (
      id: string,
      offsetNs: bigint,
      ms: number,
      over: Partial<WaterfallSpan> = {},
    ): WaterfallSpan => ({
      spanId: id,
      parentSpanId: null,
      name: id,
      kind: "server",
      service: "a",
      startTime: "2026-01-01T00:00:00Z",
      startTimeUnixNano: String(base + offsetNs),
      durationMs: ms,
      depth: 0,
      status: { code: "unset", message: null },
      attributes: {},
      resource: {},
      events: [],
      ...over,
    });
    const wf = waterfall([
      s("root", 0n, 100),
      s("child", 25_000_000n, 50, {
        depth: 1,
        events: [
          {
            name: "exception",
            timeNs: String(base + 30_000_000n),
            attributes: { "exception.stacktrace": "at x" },
          },
        ],
      }),
      s("late", 90_000_000n, 30, { status: { code: "error", message: "x" } }),
    ]);
    expect(wf.durationMs).toBe(120);
    expect(
      wf.rows.map((r) => [
        r.offsetMs,
        Number(r.offsetPct.toFixed(2)),
        Number(r.widthPct.toFixed(2)),
        r.error,
      ]),
    ).toEqual([
      [0, 0, 83.33, false],
      [25, 20.83, 41.67, true],
      [90, 75, 25, true],
    ]);
    expect(wf.rows[1]!.events[0]).toMatchObject({ name: "exception", offsetMs: 30, stacktrace: "at x" });
    expect(waterfall([]).rows).toEqual([]);
  });
});

describe("monitors", () => {
  const ks = (p: number) => ({
    name: "age",
    test: "ks",
    statistic: 0.3,
    pValue: p,
    threshold: 0.05,
    drifted: p < 0.05,
  });
  it("drift scores share one scale: ≥ 1 exactly when the test says drifted", () => {
    expect(featureScore(ks(0.0025))).toBeCloseTo(2, 6);
    expect(featureScore(ks(0.5))!).toBeLessThan(1);
    expect(
      featureScore({ name: "x", test: "psi", statistic: 0.2, threshold: 0.1, drifted: true }),
    ).toBeCloseTo(2, 6);
    expect(
      featureScore({ name: "x", drifted: true, error: { code: "empty_column", message: "" } }),
    ).toBeNull();
  });

  it("a monitor's chart has one line per feature, oldest report first, and the threshold at 1", () => {
    const chart = driftSeries([
      report("2026-01-01T02:00:00Z", [ks(0.0025)]),
      report("2026-01-01T01:00:00Z", [
        ks(0.5),
        { name: "plan", test: "chisquare", statistic: 1, pValue: 1, threshold: 0.05, drifted: false },
      ]),
    ]);
    expect(chart.x).toEqual([
      Date.parse("2026-01-01T01:00:00Z") / 1000,
      Date.parse("2026-01-01T02:00:00Z") / 1000,
    ]);
    expect(chart.series.map((s) => s.label)).toEqual(["age", "plan", "threshold"]);
    expect(chart.series[0]!.values[1]).toBeCloseTo(2, 3);
    expect(chart.series[1]!.values).toEqual([0, null]);
    expect(chart.series[2]!.values).toEqual([1, 1]);
  });

  it("a report lists drifted features first, then the prediction; performance names the judged metric", () => {
    const rows = reportFeatures(
      report("2026-01-01T00:00:00Z", [ks(0.5), { ...ks(1e-9), name: "income" }], {
        prediction: { ...ks(0.9), name: "output" },
      }),
    );
    expect(rows.map((r) => r.name)).toEqual(["income", "age", "output (prediction)"]);
    const perf = performanceRows({
      metric: "accuracy",
      reference: { metrics: { accuracy: 0.9, f1: 0.8 } },
      current: { metrics: { accuracy: 0.7, f1: null } },
      change: -0.222,
      degraded: true,
    });
    expect(perf.rows).toEqual([
      { metric: "accuracy", reference: 0.9, current: 0.7, primary: true },
      { metric: "f1", reference: 0.8, current: null, primary: false },
    ]);
    expect(perf.degraded).toBe(true);
    expect(performanceRows(null).rows).toEqual([]);
  });
});

describe("datasets", () => {
  it("diffs the latest version against the previous unless the URL names two valid versions", () => {
    expect(diffVersions({}, 3)).toEqual({ from: 2, to: 3 });
    expect(diffVersions({ from: "1", to: "3" }, 3)).toEqual({ from: 1, to: 3 });
    expect(diffVersions({ from: "3", to: "3" }, 3)).toBeUndefined();
    expect(diffVersions({ from: "1", to: "9" }, 3)).toBeUndefined();
    expect(diffVersions({}, 1)).toBeUndefined();
  });

  it("lineage is grouped by distance; versions count breaking and compatible changes", () => {
    const n = (name: string, depth: number, kind: "dataset" | "model" = "dataset") => ({
      kind,
      namespace: "ns",
      name,
      fields: [],
      depth,
      path: [],
    });
    expect(
      lineageLevels([n("c", 2), n("b", 1, "model"), n("a", 1)]).map((l) => [
        l.depth,
        l.nodes.map((x) => x.name),
      ]),
    ).toEqual([
      [1, ["a", "b"]],
      [2, ["c"]],
    ]);
    const rows = versionRows([
      {
        version: 2,
        breaking: true,
        hash: "h",
        source: "api",
        createdAt: "t",
        changes: [
          { kind: "field_removed", path: "a", breaking: true },
          { kind: "field_added", path: "b", breaking: false },
        ],
      },
      { version: 3, breaking: false, hash: "h", source: "api", createdAt: "t", changes: [] },
    ]);
    expect(rows.map((r) => [r.version, r.breakingCount, r.otherCount])).toEqual([
      [3, 0, 0],
      [2, 1, 1],
    ]);
  });
});

it("the nav marks the section a path belongs to", () => {
  expect(currentSection("/")).toBe("/");
  expect(currentSection("/incidents/abc")).toBe("/incidents");
  expect(currentSection("/reports/r1")).toBe("/monitors");
  expect(currentSection("/traces")).toBe("/traces");
  expect(currentSection("/nowhere")).toBe("");
});
