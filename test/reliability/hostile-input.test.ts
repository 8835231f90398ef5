/**
 * The hostile inputs of issue 19, each sent to the routes that answered it with a 500: every one is
 * now a 4xx in the API's error shape that says what was wrong, and the same request without the
 * hostile part is accepted (so the 4xx is about the hostile part, not a broken request).
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { problemWith } from "./responses.ts";

const NUL = "\u0000";
const LONE = "\ud800";
const DEEP = 10_000;

/** A value nested `DEEP` levels: `{"a":{"a":…}}`, written as text (no recursion anywhere). */
const deepObject = () => `${'{"a":'.repeat(DEEP)}1${"}".repeat(DEEP)}`;

async function errorOf(res: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.clone().json()) as { error: { code: string; message: string } };
  return { status: res.status, ...body.error };
}

describeEachDatabase("hostile input of issue 19", (db) => {
  // Channels made here are disabled and point at loopback's discard port: nothing is ever sent.
  const t = useApp(db, { env: { VIGIL_ALLOW_PRIVATE_WEBHOOKS: "true" } });
  const send = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    t.request(path, { method, body, headers: { "content-type": "application/json", ...headers } });
  /** The request with `bad` in it is refused (4xx, the error shape); with `good` it is accepted. */
  async function refusedThenAccepted(
    method: string,
    path: string,
    make: (s: string) => unknown,
    bad: string,
    good = "fine",
  ): Promise<{ status: number; code: string; message: string }> {
    const res = await send(method, path, JSON.stringify(make(bad)));
    expect(await problemWith(path, res.clone())).toBeUndefined();
    expect(res.status, await res.clone().text()).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const ok = await send(method, path, JSON.stringify(make(good)));
    expect(ok.status, await ok.clone().text()).toBeLessThan(300);
    return errorOf(res);
  }

  let incidentId = "";
  const fixtures = {
    note: (s: string) => ({ text: `note ${s}` }),
    alert: (s: string) => ({ title: `disk ${s}`, severity: "warning", source: "test", status: "firing" }),
    channel: (s: string) => ({
      name: `ch ${s} ${Math.random()}`,
      type: "webhook",
      url: "http://127.0.0.1:9/x",
      enabled: false,
    }),
    prediction: (s: string) => [{ model: "m", requestId: `r-${Math.random()}`, features: { f: s } }],
    label: (s: string) => ({ model: "m", requestId: "r1", label: s }),
    contract: (s: string) => ({ fields: { [`f${s}`]: { type: "number" } } }),
    schema: (s: string) => ({ fields: [{ name: `col${s}`, type: "string" }] }),
    lineage: (s: string) => ({
      eventType: "COMPLETE",
      eventTime: "2025-01-01T00:00:00Z",
      run: { runId: "3f1c5a3e-0000-4000-8000-000000000001" },
      job: { namespace: "ns", name: `job${s}` },
      inputs: [],
      outputs: [],
      producer: "test",
      schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent",
    }),
    monitor: (s: string) => ({
      name: `mon ${s} ${Math.random()}`,
      model: "m",
      reference: { kind: "version", version: "v1" },
    }),
    document: (s: string) => ({ kind: "doc", path: `docs/${Math.random()}.md`, content: `text ${s}` }),
    search: (s: string) => ({ query: `disk ${s}` }),
  };

  it("refuses NUL and lone surrogates in JSON strings on every route that stored them", async () => {
    const alert = await send("POST", "/api/v1/alerts/generic", JSON.stringify(fixtures.alert("x")));
    expect(alert.status).toBeLessThan(300);
    const listed = (await (await t.request("/api/v1/incidents")).json()) as { incidents: { id: string }[] };
    incidentId = listed.incidents[0]!.id;
    const routes: [string, string, (s: string) => unknown][] = [
      ["POST", `/api/v1/incidents/${incidentId}/notes`, fixtures.note],
      ["POST", "/api/v1/alerts/generic", fixtures.alert],
      ["POST", "/api/v1/channels", fixtures.channel],
      ["POST", "/api/v1/predictions", fixtures.prediction],
      ["POST", "/api/v1/labels", fixtures.label],
      ["PUT", "/api/v1/contracts/m", fixtures.contract],
      ["POST", "/api/v1/datasets/orders/schema", fixtures.schema],
      ["POST", "/api/v1/lineage", fixtures.lineage],
      ["POST", "/api/v1/monitors", fixtures.monitor],
      ["POST", "/api/v1/documents", fixtures.document],
      ["POST", "/api/v1/search", fixtures.search],
    ];
    for (const [method, path, make] of routes) {
      for (const bad of [NUL, LONE, `a${NUL}b`, "\udc00"]) {
        const error = await refusedThenAccepted(method, path, make, bad);
        expect({ path, ...error }).toMatchObject({ path, status: 400, code: "invalid_text" });
        expect(error.message).toMatch(/NUL|surrogate/);
      }
    }
  });

  it("refuses %00 in path and query values", async () => {
    for (const path of [
      "/api/v1/datasets/a%00b/schema",
      "/api/v1/contracts/%00",
      "/api/v1/models/a%00/inputs",
      "/api/v1/retraining?model=a%00b",
      "/api/v1/incidents?status=%00",
      "/api/v1/datasets/%ED%A0%80/changes",
    ]) {
      const error = await errorOf(await t.request(path));
      expect({ path, ...error }).toMatchObject({ status: 400, code: "invalid_text" });
    }
  });

  it("refuses JSON nested 10,000 deep, before anything recurses into it", async () => {
    const cases: [string, string][] = [
      ["/api/v1/predictions", `[{"model":"m","features":{},"output":${deepObject()}}]`],
      ["/api/v1/labels", `{"model":"m","requestId":"r","label":${deepObject()}}`],
      ["/api/v1/documents", `{"kind":"doc","path":"d.md","content":"x","metadata":${deepObject()}}`],
      [
        "/api/v1/lineage",
        JSON.stringify(fixtures.lineage("x")).replace('"run":{', `"run":{"facets":${deepObject()},`),
      ],
    ];
    for (const [path, body] of cases) {
      const error = await errorOf(await send("POST", path, body));
      expect({ path, ...error }).toMatchObject({ status: 400, code: "too_deep" });
    }
    // OTLP/JSON: kvlistValue inside kvlistValue, 10,000 times.
    const value = `${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(DEEP)}{"stringValue":"x"}${"}]}}".repeat(DEEP)}`;
    const span = `{"traceId":"${"1".repeat(32)}","spanId":"${"2".repeat(16)}","name":"s","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"a","value":${value}}]}`;
    const otlp = await send("POST", "/v1/traces", `{"resourceSpans":[{"scopeSpans":[{"spans":[${span}]}]}]}`);
    expect(otlp.status).toBe(400);
    expect(await problemWith("/v1/traces", otlp)).toBeUndefined();
  });

  it("refuses dates outside 1900..2999 in filters and prediction timestamps", async () => {
    for (const path of [
      "/api/v1/traces?from=0000-01-01T00:00:00Z",
      "/api/v1/services?to=0000-01-01T00:00:00Z",
      "/api/v1/alerts/payloads?before=0000-01-01T00:00:00Z",
      "/api/v1/incidents?since=0000-01-01T00:00:00Z",
      "/api/v1/deliveries?before=9999-12-31T23:59:59Z",
      "/api/v1/contracts/m/violations?from=0000-01-01T00:00:00Z",
    ]) {
      const error = await errorOf(await t.request(path));
      expect({ path, ...error }).toMatchObject({ status: 400 });
      expect(error.message).toMatch(/1900/);
    }
    const prediction = (timestamp: unknown) => [{ model: "m", features: {}, timestamp }];
    for (const timestamp of ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", 8_000_000_000_000_000]) {
      const res = await send("POST", "/api/v1/predictions", JSON.stringify(prediction(timestamp)));
      expect(res.status, String(timestamp)).toBe(400);
    }
    const ok = await send("POST", "/api/v1/predictions", JSON.stringify(prediction("2025-01-01T00:00:00Z")));
    expect(ok.status).toBe(200);
  });

  it("refuses numbers past what a column holds and a forged cursor", async () => {
    expect((await t.request("/api/v1/traces?minDurationMs=1e20")).status).toBe(400);
    expect((await t.request("/api/v1/traces?minDurationMs=NaN")).status).toBe(400);
    expect((await t.request("/api/v1/traces?minDurationMs=5")).status).toBe(200);
    const forged = Buffer.from(`99999999999999999999|${"a".repeat(32)}`).toString("base64url");
    const cursor = await errorOf(await t.request(`/api/v1/traces?cursor=${forged}`));
    expect(cursor).toMatchObject({ status: 400, message: "Invalid cursor" });
  });

  it("refuses bodies that are not what their headers say", async () => {
    const routes = [
      "/api/v1/predictions",
      "/api/v1/labels",
      "/api/v1/channels",
      "/api/v1/lineage",
      "/api/v1/search",
    ];
    for (const path of routes) {
      const res = await send("POST", path, "this is not gzip", { "content-encoding": "gzip" });
      expect({ path, ...(await errorOf(res)) }).toMatchObject({ status: 400 });
    }
    // gzip that is gzip still works, and is scanned once inflated.
    const gz = (s: string) => gzipSync(JSON.stringify(fixtures.search(s)));
    const good = await t.request("/api/v1/search", {
      method: "POST",
      body: gz("x"),
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
    });
    expect(good.status).toBe(200);
    const bad = await t.request("/api/v1/search", {
      method: "POST",
      body: gz(NUL),
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
    });
    expect(await errorOf(bad)).toMatchObject({ status: 400, code: "invalid_text" });
    const multipart = await t.request("/api/v1/drift/compare", {
      method: "POST",
      body: "--x\r\ncontent-disposition: form-data; name=reference\r\n\r\na\n1\r\n--x--\r\n",
      headers: { "content-type": "multipart/form-data" },
    });
    expect(await errorOf(multipart)).toMatchObject({ status: 400 });
  });

  it("refuses lists and strings past their bounds", async () => {
    const kinds = Array.from({ length: 70_000 }, () => "doc");
    const list = await send("POST", "/api/v1/search", JSON.stringify({ query: "x", kinds }));
    expect(await errorOf(list)).toMatchObject({ status: 400 });
    const huge = await send(
      "POST",
      "/api/v1/lineage",
      JSON.stringify({ ...fixtures.lineage("x"), eventType: "E".repeat(15 << 20) }),
    );
    expect((await errorOf(huge)).status).toBe(413);
    const long = await send(
      "POST",
      "/api/v1/lineage",
      JSON.stringify({ ...fixtures.lineage("x"), eventType: "E".repeat(300_000) }),
    );
    // Refused by the event's schema, not by the database's index.
    expect(await errorOf(long)).toMatchObject({ status: 422, code: "invalid_schema" });
  });

  describe("renaming onto a taken name", () => {
    it("is a 409 for channels and monitors, as creating is", async () => {
      for (const [collection, make, rename] of [
        ["channels", fixtures.channel, "PATCH"],
        ["monitors", fixtures.monitor, "PUT"],
      ] as const) {
        const a = (await (await send("POST", `/api/v1/${collection}`, JSON.stringify(make("a")))).json()) as {
          id: string;
          name: string;
        };
        const bInput = make("b");
        const b = (await (await send("POST", `/api/v1/${collection}`, JSON.stringify(bInput))).json()) as {
          id: string;
        };
        const body = rename === "PATCH" ? { name: a.name } : { ...bInput, name: a.name };
        const res = await send(rename, `/api/v1/${collection}/${b.id}`, JSON.stringify(body));
        expect({ collection, ...(await errorOf(res)) }).toMatchObject({ status: 409, code: "conflict" });
      }
    });
  });
});
