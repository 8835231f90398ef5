import { describe, expect, it } from "vitest";
import { currentSection } from "../../src/ui/layout.tsx";
import { DistributionFigure } from "../../src/ui/pages/distribution-chart.tsx";
import {
  datasetListQuery,
  diffVersions,
  fieldLineageRows,
  type LineageGraph,
  lineageColumns,
  lineageDepth,
  lineageLevels,
  versionRows,
} from "../../src/ui/views/datasets.ts";
import { barGeometry, distributionView, hasDistributions } from "../../src/ui/views/distributions.ts";
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

describe("a report's distributions", () => {
  const histogram = {
    kind: "histogram" as const,
    edges: [0, 2.5, 5, 7.5, 10],
    reference: [10, 30, 50, 10],
    current: [0, 5, 5, 40],
    missing: { reference: 2, current: 0 },
  };
  const categories = {
    kind: "categories" as const,
    labels: ["crypto", "grocery"],
    reference: [0, 60],
    current: [30, 10],
    other: { reference: 40, current: 10, categories: 3 },
    missing: { reference: 0, current: 0 },
  };

  it("bins carry each window's count and share of its values; the summary names the widest gap", () => {
    const v = distributionView("amount", histogram);
    expect(v.bins.map((b) => b.label)).toEqual(["0 – 2.5", "2.5 – 5", "5 – 7.5", "7.5 – 10"]);
    expect(v.bins[3]).toEqual({
      label: "7.5 – 10",
      reference: 10,
      current: 40,
      referenceShare: 0.1,
      currentShare: 0.8,
    });
    expect(v.totals).toEqual({ reference: 100, current: 50 });
    expect(v.range).toEqual({ from: "0", to: "10" });
    expect(v.summary).toBe(
      "amount: 100 reference and 50 current values in 4 bins; the largest difference is 7.5 – 10: " +
        "10.0% of the reference, 80.0% of the current; missing: 2 reference, 0 current.",
    );
  });

  it("edge labels keep the digits that tell neighbouring bins apart", () => {
    const v = distributionView("x", { ...histogram, edges: [1000, 1000.01, 1000.02, 1000.03, 1000.04] });
    expect(v.bins.map((b) => b.label)).toEqual([
      "1000 – 1000.01",
      "1000.01 – 1000.02",
      "1000.02 – 1000.03",
      "1000.03 – 1000.04",
    ]);
  });

  it("bins of whole numbers are named by the numbers they hold", () => {
    const hours = { ...histogram, edges: [-0.5, 0.5, 2.5, 4.5, 5.5], integers: true };
    const v = distributionView("hour", hours);
    expect(v.bins.map((b) => b.label)).toEqual(["0", "1 – 2", "3 – 4", "5"]);
    expect(v.range).toEqual({ from: "0", to: "5" });
  });

  it("categories end with the other bucket; an empty window has no shares", () => {
    const v = distributionView("merchant", categories);
    expect(v.bins.map((b) => b.label)).toEqual(["crypto", "grocery", "other (3 categories)"]);
    expect(v.bins[0]).toMatchObject({ referenceShare: 0, currentShare: 0.6 });
    expect(v.range).toBeNull();
    expect(v.summary).toContain(
      "the largest difference is crypto: 0.0% of the reference, 60.0% of the current",
    );
    const empty = distributionView("merchant", {
      ...categories,
      current: [0, 0],
      other: { ...categories.other, current: 0 },
    });
    expect(empty.bins.every((b) => b.currentShare === null)).toBe(true);
    expect(empty.summary).not.toContain("largest difference");
  });

  it("bars: the tallest share fills the height, zero draws nothing, neighbours do not overlap", () => {
    const bars = barGeometry(distributionView("amount", histogram), 320, 100);
    expect(bars).toHaveLength(4);
    expect(bars[3]!.current.height).toBe(100); // 80% is the largest share
    expect(bars[0]!.current.height).toBe(0);
    expect(bars[2]!.reference.height).toBeCloseTo((0.5 / 0.8) * 100, 9);
    for (const b of bars) expect(b.reference.x + b.reference.width).toBeLessThanOrEqual(b.current.x + 1e-9);
    expect(bars[3]!.current.x + bars[3]!.current.width).toBeLessThanOrEqual(320);
    expect(
      barGeometry(distributionView("x", { ...histogram, edges: [], reference: [], current: [] }), 320, 100),
    ).toEqual([]);
  });

  it("a report has them when any feature has one; the figure has a text alternative and the numbers", async () => {
    expect(hasDistributions(report("2026-01-01T00:00:00Z", [{ name: "amount", drifted: false }]))).toBe(
      false,
    );
    expect(
      hasDistributions(
        report("2026-01-01T00:00:00Z", [{ name: "amount", drifted: false, distribution: histogram }]),
      ),
    ).toBe(true);
    const html = String(
      await DistributionFigure({ id: "d0", name: "amount", distribution: histogram }).toString(),
    );
    expect(html).toContain('role="img"');
    expect(html).toContain(`aria-label="${distributionView("amount", histogram).summary}"`);
    expect(html).toContain('<th scope="row">7.5 – 10</th>');
    expect(html).toContain("10 (10.0%)");
    const cats = String(
      await DistributionFigure({ id: "d1", name: "merchant", distribution: categories }).toString(),
    );
    expect(cats).toContain("<caption");
    expect(cats).toContain("other (3 categories)");
    expect(cats).not.toContain("<svg");
    const none = String(await DistributionFigure({ id: "d2", name: "emb" }).toString());
    expect(none).toContain("No distribution stored");
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

describe("dataset lineage", () => {
  // src → load → raw → stage → staging (the dataset) → build → features → churn (model)
  const node = (id: string, kind: "dataset" | "job" | "model", depth: number) => ({
    id,
    kind,
    namespace: kind === "job" ? "etl" : "wh",
    name: id,
    depth,
  });
  const graph: LineageGraph = {
    dataset: { id: "staging", namespace: "wh", name: "staging" },
    depth: 3,
    upstream: [
      node("raw", "dataset", 2),
      node("stage", "job", 1),
      node("load", "job", 3),
      node("side", "dataset", 2),
    ],
    downstream: [node("features", "dataset", 2), node("build", "job", 1), node("churn", "model", 3)],
    edges: [
      { from: "load", to: "raw" },
      { from: "raw", to: "stage" },
      { from: "side", to: "stage" },
      { from: "stage", to: "staging" },
      { from: "staging", to: "build" },
      { from: "build", to: "features" },
      { from: "features", to: "churn" },
    ],
    fieldEdges: [
      { from: { node: "raw", field: "id" }, to: { node: "staging", field: "id" }, via: "stage" },
      { from: { node: "side", field: "amt" }, to: { node: "staging", field: "amount" }, via: "stage" },
      { from: { node: "raw", field: "amount" }, to: { node: "staging", field: "amount" }, via: "stage" },
      {
        from: { node: "staging", field: "amount" },
        to: { node: "features", field: "amount_f" },
        via: "build",
      },
      { from: { node: "staging", field: "legacy" }, to: { node: "features", field: "old" }, via: "build" },
      { from: { node: "features", field: "amount_f" }, to: { node: "churn", field: "" }, via: null },
    ],
    truncated: false,
  };

  it("lays the graph out upstream (farthest first), the dataset, then downstream", () => {
    const cols = lineageColumns(graph);
    expect(cols.map((c) => [c.label, c.nodes.map((n) => n.name)])).toEqual([
      ["3 hops upstream", ["load"]],
      ["2 hops upstream", ["raw", "side"]],
      ["1 hop upstream", ["stage"]],
      ["This dataset", ["staging"]],
      ["1 hop downstream", ["build"]],
      ["2 hops downstream", ["features"]],
      ["3 hops downstream", ["churn"]],
    ]);
    const card = (name: string) => cols.flatMap((c) => c.nodes).find((n) => n.name === name)!;
    // Upstream nodes name what they feed; downstream nodes what they read.
    expect(card("raw").links).toEqual(["stage"]);
    expect(card("stage").links).toEqual(["staging"]);
    expect(card("features").links).toEqual(["build"]);
    expect(card("churn").links).toEqual(["features"]);
    // Datasets link to their page; jobs and models have none.
    expect(card("raw").href).toBe("/datasets/raw?namespace=wh");
    expect(card("stage").href).toBeUndefined();
    expect(card("churn").href).toBeUndefined();
  });

  it("a graph with nothing around the dataset is the dataset alone", () => {
    const alone = lineageColumns({ ...graph, upstream: [], downstream: [], edges: [], fieldEdges: [] });
    expect(alone.map((c) => c.side)).toEqual(["self"]);
    expect(alone[0]!.nodes[0]).toMatchObject({ name: "staging", links: [] });
  });

  it("a node on a cycle shows on both sides", () => {
    const cyc = lineageColumns({
      ...graph,
      upstream: [node("loop", "job", 1)],
      downstream: [node("loop", "job", 1)],
      edges: [
        { from: "loop", to: "staging" },
        { from: "staging", to: "loop" },
      ],
    });
    expect(cyc.map((c) => [c.side, c.nodes.map((n) => [n.name, n.links])])).toEqual([
      ["upstream", [["loop", ["staging"]]]],
      ["self", [["staging", []]]],
      ["downstream", [["loop", ["staging"]]]],
    ]);
  });

  it("each field lists the upstream fields it is made from and what reads it", () => {
    const rows = fieldLineageRows(graph, ["id", "amount", "note"]);
    expect(
      rows.map((r) => [
        r.field,
        r.unknown,
        r.from.map((l) => `${l.label} via ${l.via}`),
        r.to.map((l) => l.label),
      ]),
    ).toEqual([
      ["id", false, ["raw.id via stage"], []],
      ["amount", false, ["raw.amount via stage", "side.amt via stage"], ["features.amount_f"]],
      ["note", false, [], []],
      // Named by an edge only: not in the current schema version.
      ["legacy", true, [], ["features.old"]],
    ]);
    expect(rows[1]!.from[0]!.href).toBe("/datasets/raw?namespace=wh&field=amount");
    // The model's edge starts at features, not at the dataset: not a row here.
    expect(rows.some((r) => r.to.some((l) => l.label === "churn"))).toBe(false);
  });

  it("a model reading a field of the dataset is listed by name, without a link", () => {
    const rows = fieldLineageRows(
      {
        ...graph,
        fieldEdges: [{ from: { node: "staging", field: "id" }, to: { node: "churn", field: "" }, via: null }],
      },
      ["id"],
    );
    expect(rows[0]!.to).toEqual([{ label: "churn" }]);
  });

  it("depth and cursor come from the URL only when valid", () => {
    expect(lineageDepth({ depth: "4" })).toBe(4);
    expect(lineageDepth({ depth: "9" })).toBeUndefined();
    expect(lineageDepth({ depth: "x" })).toBeUndefined();
    expect(lineageDepth({})).toBeUndefined();
    expect(datasetListQuery({ namespace: "wh", cursor: "WyJhIiwiYiJd", offset: "5" })).toEqual({
      filters: { namespace: "wh" },
      cursor: "WyJhIiwiYiJd",
    });
    expect(datasetListQuery({ cursor: "<script>" })).toEqual({ filters: {} });
    // Long names make long cursors: kept whole.
    const long = "a".repeat(2000);
    expect(datasetListQuery({ cursor: long }).cursor).toBe(long);
  });
});

it("the nav marks the section a path belongs to", () => {
  expect(currentSection("/")).toBe("/");
  expect(currentSection("/incidents/abc")).toBe("/incidents");
  expect(currentSection("/reports/r1")).toBe("/monitors");
  expect(currentSection("/traces")).toBe("/traces");
  expect(currentSection("/nowhere")).toBe("");
});
