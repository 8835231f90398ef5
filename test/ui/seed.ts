import { hexId, jsonRequest, nowNs, span } from "../traces/otlp-builders.ts";

/**
 * A small, known data set sent through the public API only: what the UI tests check the pages
 * against. Every number the pages show is read back from the API by the tests, not assumed here.
 */
export type Send = (path: string, body: unknown, method?: "POST" | "PUT") => Promise<Response>;

const ok = async (res: Response, what: string) => {
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
};

/** A pseudo-random generator: the same rows on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function seedUiData(post: Send): Promise<{ monitorId: string; traceIds: string[] }> {
  // Traces: a checkout service calling a payments service; every fifth trace throws.
  const traceIds: string[] = [];
  const checkout = [];
  const payments = [];
  const now = nowNs();
  for (let i = 0; i < 40; i++) {
    const traceId = hexId(16);
    traceIds.push(traceId);
    const start = now - BigInt(i) * 60_000_000_000n - 5_000_000_000n;
    const root = span({
      traceId,
      name: "POST /checkout",
      startNs: start,
      endNs: start + BigInt(20 + (i % 7) * 15) * 1_000_000n,
      kind: 2,
      attributes: { "http.request.method": "POST", "http.route": "/checkout" },
    });
    const fails = i % 5 === 0;
    const child = span({
      traceId,
      parentSpanId: root.spanId,
      name: "charge card",
      kind: 3,
      startNs: start + 2_000_000n,
      endNs: start + 12_000_000n,
      status: fails ? { code: 2, message: "card declined" } : undefined,
      attributes: { "payment.provider": "acme" },
      events: fails
        ? [
            {
              name: "exception",
              timeNs: start + 11_000_000n,
              attributes: {
                "exception.type": "CardDeclinedError",
                "exception.message": "card declined by issuer",
                "exception.stacktrace":
                  "CardDeclinedError: card declined by issuer\n    at charge (/app/payments/charge.js:42:11)\n    at handle (/app/payments/server.js:17:5)",
              },
            },
          ]
        : [],
    });
    checkout.push(root);
    payments.push({ ...child, kind: 2 });
  }
  await ok(await post("/v1/traces", jsonRequest(checkout, "checkout")), "traces");
  await ok(await post("/v1/traces", jsonRequest(payments, "payments")), "traces");

  // An alert that fires, from a generic sender.
  await ok(
    await post("/api/v1/alerts/generic", {
      title: "Checkout latency above 2s",
      source: "grafana",
      severity: "critical",
      status: "firing",
      labels: { service: "checkout" },
      links: [{ href: "http://127.0.0.1:3000/d/checkout", text: "dashboard" }],
    }),
    "alert",
  );

  // A dataset whose second schema version changes a field a model reads: a breaking change.
  await ok(
    await post(
      "/api/v1/models/churn/inputs",
      { inputs: [{ dataset: "orders", namespace: "warehouse", fields: ["amount"] }] },
      "PUT",
    ),
    "model inputs",
  );
  await ok(
    await post("/api/v1/datasets/orders/schema?namespace=warehouse", {
      fields: [
        { name: "id", type: "integer" },
        { name: "amount", type: "number" },
        { name: "country", type: "string" },
      ],
    }),
    "schema v1",
  );
  await ok(
    await post("/api/v1/datasets/orders/schema?namespace=warehouse", {
      fields: [
        { name: "id", type: "integer" },
        { name: "amount", type: "string" },
      ],
    }),
    "schema v2",
  );

  // A runbook to be suggested and cited.
  await ok(
    await post("/api/v1/documents", {
      kind: "runbook",
      path: "runbooks/card-declined.md",
      title: "Card declined errors",
      content:
        "# Card declined errors\n\nWhen CardDeclinedError rises, check the payment provider status page first.\n\n" +
        "## Mitigation\n\nSwitch payments to the backup provider with `payments failover acme`.\n",
    }),
    "runbook",
  );

  // A model whose `age` drifts between the reference and the current window.
  const r = rng(7);
  const reference = Array.from({ length: 300 }, () => ({
    features: { age: 30 + r() * 20, plan: r() < 0.5 ? "basic" : "pro" },
    output: r(),
  }));
  const t0 = Date.now() - 20 * 60_000;
  const current = Array.from({ length: 300 }, (_v, i) => ({
    model: "churn",
    requestId: `cur-${i}`,
    timestamp: new Date(t0 + i * 2000).toISOString(),
    features: { age: 45 + r() * 20, plan: r() < 0.5 ? "basic" : "pro" },
    output: r(),
  }));
  await ok(await post("/api/v1/predictions", current), "predictions");
  const monitor = (await (
    await ok(
      await post("/api/v1/monitors", {
        name: "churn-drift",
        model: "churn",
        features: ["age", "plan"],
        reference: { kind: "rows", rows: reference },
        current: { kind: "window", seconds: 3600 },
      }),
      "monitor",
    )
  ).json()) as { id: string };
  await ok(await post(`/api/v1/monitors/${monitor.id}/run`, {}), "monitor run");
  return { monitorId: monitor.id, traceIds };
}
