import { expect, it } from "vitest";
import { useApp } from "../../helpers/app.ts";
import { describeEachDatabase } from "../../helpers/db.ts";
import { hexId, jsonRequest, span } from "../otlp-builders.ts";

const MS = 1_000_000n;

interface Stats {
  service: string;
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}
interface Red {
  from: string;
  to: string;
  services: Stats[];
  buckets: Array<{ from: string; to: string; services: Stats[] }>;
}

/** numpy.percentile's default (linear between closest ranks), as percentile_cont computes it. */
function percentile(sorted: number[], p: number): number {
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

describeEachDatabase("RED over time: GET /api/v1/services/red", (db) => {
  const t = useApp(db);
  const get = async <T>(path: string): Promise<T> => {
    const res = await t.request(path);
    expect(res.status, `${path}: ${res.status} ${res.status === 200 ? "" : await res.clone().text()}`).toBe(
      200,
    );
    return (await res.json()) as T;
  };

  // A window of 60 minutes on whole minutes, 20 minutes ago, in 6 buckets of 10 minutes.
  const to = Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000;
  const from = to - 60 * 60_000;
  const window = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;

  /** What was sent, per span: the entry spans are what the statistics count. */
  const sent: Array<{
    service: string;
    startMs: number;
    durationMs: number;
    error: boolean;
    entry: boolean;
  }> = [];

  it("stores spans of three services across the window, on and around its bucket edges", async () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const byService = new Map<string, ReturnType<typeof span>[]>();
    const add = (service: string, s: ReturnType<typeof span>, entry: boolean) => {
      const list = byService.get(service) ?? [];
      list.push(s);
      byService.set(service, list);
      sent.push({
        service,
        startMs: Number(s.startNs / 1000n) / 1000,
        durationMs: Number(s.endNs - s.startNs) / 1e6,
        error: s.status?.code === 2,
        entry,
      });
    };
    // Starts (µs after `from`): random ones, and ones exactly on, 1 µs before and 1 µs after each
    // edge (a start on an edge belongs to the later bucket; `to` itself is outside the window).
    const offsetsUs: number[] = [];
    for (let i = 0; i < 150; i++) offsetsUs.push(Math.floor(random() * 3600e6));
    for (let e = 0; e <= 6; e++) offsetsUs.push(e * 600e6, e * 600e6 - 1, e * 600e6 + 1);
    offsetsUs.push(-3600e6, 3600e6 + 5e6); // outside
    for (const [i, off] of offsetsUs.entries()) {
      const service = ["api", "worker", "billing"][i % 3]!;
      const start = BigInt(from) * MS + BigInt(off) * 1000n;
      const durationUs = BigInt(1 + Math.floor(random() * 400_000));
      const error = random() < 0.2;
      const traceId = hexId(16);
      // Entry spans: server (2), consumer (5), and a root span of any other kind.
      const kind = [2, 5, 1][Math.floor(random() * 3)]!;
      const root = span({
        traceId,
        kind,
        startNs: start,
        endNs: start + durationUs * 1000n,
        status: error ? { code: 2, message: "boom" } : { code: 1 },
      });
      add(service, root, true);
      // A client span inside is not a request, whatever its status.
      add(
        service,
        span({
          traceId,
          parentSpanId: root.spanId,
          kind: 3,
          startNs: start,
          endNs: start + 1000n * MS,
          status: { code: 2 },
        }),
        false,
      );
      // An internal child span is not one either.
      if (i % 5 === 0)
        add(service, span({ traceId, parentSpanId: root.spanId, kind: 1, startNs: start + 10n }), false);
    }
    for (const [service, spans] of byService) {
      expect((await t.post("/v1/traces", jsonRequest(spans, service))).status).toBe(200);
    }
    await t.spansWritten();
  });

  /** The statistics of the entry spans starting in [fromMs, toMs), computed here from what was sent. */
  const expected = (fromMs: number, toMs: number, only?: string) => {
    const groups = new Map<string, typeof sent>();
    for (const s of sent) {
      if (!s.entry || s.startMs < fromMs || s.startMs >= toMs || (only && s.service !== only)) continue;
      groups.set(s.service, [...(groups.get(s.service) ?? []), s]);
    }
    return [...groups.keys()].sort().map((service) => {
      const spans = groups.get(service)!;
      const d = spans.map((s) => s.durationMs).sort((a, b) => a - b);
      const errors = spans.filter((s) => s.error).length;
      return {
        service,
        requests: spans.length,
        errors,
        errorRate: errors / spans.length,
        p50Ms: percentile(d, 0.5),
        p95Ms: percentile(d, 0.95),
        p99Ms: percentile(d, 0.99),
      };
    });
  };
  const expectStats = (actual: Stats[], want: ReturnType<typeof expected>) => {
    expect(actual.map((s) => [s.service, s.requests, s.errors])).toEqual(
      want.map((s) => [s.service, s.requests, s.errors]),
    );
    for (const [i, w] of want.entries()) {
      const a = actual[i]!;
      expect(a.errorRate).toBeCloseTo(w.errorRate, 12);
      for (const p of ["p50Ms", "p95Ms", "p99Ms"] as const) expect(a[p]).toBeCloseTo(w[p], 6);
    }
  };

  it("each bucket holds what the entry spans starting in it give, as /api/v1/services does for it", async () => {
    const red = await get<Red>(`/api/v1/services/red?${window}&buckets=6`);
    expect(red.buckets.map((b) => [b.from, b.to])).toEqual(
      Array.from({ length: 6 }, (_v, i) => [
        new Date(from + i * 600_000).toISOString(),
        new Date(from + (i + 1) * 600_000).toISOString(),
      ]),
    );
    let requests = 0;
    for (const b of red.buckets) {
      const want = expected(Date.parse(b.from), Date.parse(b.to));
      expect(want.length).toBeGreaterThan(0);
      expectStats(b.services, want);
      // The per-bucket call the RED charts used to make, for the same bucket: the same figures.
      const old = await get<{ services: Stats[] }>(`/api/v1/services?from=${b.from}&to=${b.to}`);
      expect(b.services).toEqual(old.services);
      requests += b.services.reduce((n, s) => n + s.requests, 0);
    }
    // The window's totals: every entry span in it, once.
    expectStats(red.services, expected(from, to));
    expect(red.services.reduce((n, s) => n + s.requests, 0)).toBe(requests);
    expect(red.services).toEqual((await get<{ services: Stats[] }>(`/api/v1/services?${window}`)).services);
  });

  it("uneven buckets: edges on whole milliseconds, no gap or overlap, the last ends at `to`", async () => {
    const red = await get<Red>(`/api/v1/services/red?${window}&buckets=7`);
    expect(red.buckets).toHaveLength(7);
    expect(red.buckets[0]!.from).toBe(red.from);
    expect(red.buckets.at(-1)!.to).toBe(red.to);
    for (const [i, b] of red.buckets.entries()) {
      if (i) expect(b.from).toBe(red.buckets[i - 1]!.to);
      expectStats(b.services, expected(Date.parse(b.from), Date.parse(b.to)));
    }
  });

  it("`service` narrows totals and buckets to one service; an empty window has empty buckets", async () => {
    const red = await get<Red>(`/api/v1/services/red?${window}&buckets=3&service=worker`);
    expectStats(red.services, expected(from, to, "worker"));
    for (const b of red.buckets)
      expectStats(b.services, expected(Date.parse(b.from), Date.parse(b.to), "worker"));
    const none = await get<Red>(
      `/api/v1/services/red?from=${new Date(from - 7200_000).toISOString()}&to=${new Date(from - 3600_000 - 1000).toISOString()}&buckets=4`,
    );
    expect(none.services).toEqual([]);
    expect(none.buckets.map((b) => b.services)).toEqual([[], [], [], []]);
    // Default: the last hour in 12 buckets.
    const recent = await get<Red>("/api/v1/services/red");
    expect(recent.buckets).toHaveLength(12);
    expect(Date.parse(recent.to) - Date.parse(recent.from)).toBe(3600_000);
  });

  it("bad buckets or windows are a 400 with a message", async () => {
    for (const q of [
      `${window}&buckets=0`,
      `${window}&buckets=241`,
      `${window}&buckets=2.5`,
      `${window}&buckets=many`,
      `from=${new Date(to).toISOString()}&to=${new Date(from).toISOString()}`,
      `from=${new Date(from).toISOString()}&to=${new Date(from + 5).toISOString()}&buckets=6`,
    ]) {
      const res = await t.request(`/api/v1/services/red?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message, q).toBeTruthy();
    }
  });
});
