import { Validator } from "@seriousme/openapi-schema-validator";
import parsePrometheus from "parse-prometheus-text-format";
import { expect, it } from "vitest";
import { openDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { useApp } from "./helpers/app.ts";
import { describeEachDatabase } from "./helpers/db.ts";

describeEachDatabase("http app", (db) => {
  const t = useApp(db, { env: { VIGIL_BODY_LIMIT: "1kb" } });

  it("healthz and readyz answer 200", async () => {
    expect((await t.app.request("/healthz")).status).toBe(200);
    const ready = await t.app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", database: db.kind });
  });

  it("unknown routes are 404 JSON", async () => {
    const res = await t.app.request("/no/such/route");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: "not_found", message: "No route for GET /no/such/route" },
    });
  });

  it("bodies over the limit are 413 JSON", async () => {
    const res = await t.request("/api/v1/whoami", { method: "POST", body: "x".repeat(2048) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
  });

  it("/metrics is Prometheus text with request counts by route pattern and status", async () => {
    await t.request("/api/v1/whoami");
    await t.app.request("/api/v1/whoami");
    const res = await t.app.request("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    const families = parsePrometheus(await res.text());
    const requests = families.find((f) => f.name === "vigil_http_requests_total");
    expect(requests?.type).toBe("COUNTER");
    const byStatus = (status: string) =>
      requests?.metrics.find((m) => m.labels?.route === "/api/v1/whoami" && m.labels?.status === status);
    expect(Number(byStatus("200")?.value)).toBeGreaterThanOrEqual(1);
    expect(Number(byStatus("401")?.value)).toBeGreaterThanOrEqual(1);
    expect(families.find((f) => f.name === "vigil_http_request_duration_seconds")?.type).toBe("HISTOGRAM");
    expect(families.some((f) => f.name === "vigil_process_resident_memory_bytes")).toBe(true);
  });

  it("/openapi.json is a valid OpenAPI 3 document, and /docs serves the UI offline", async () => {
    const doc = await (await t.app.request("/openapi.json")).json();
    const result = await new Validator().validate(doc as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect((doc as { paths: Record<string, unknown> }).paths).toHaveProperty("/api/v1/whoami");
    const page = await t.app.request("/docs");
    expect(await page.text()).toContain("/docs/assets/swagger-ui-bundle.js");
    expect((await t.app.request("/docs/assets/swagger-ui-bundle.js")).status).toBe(200);
    expect((await t.app.request("/docs/assets/..%2Fpackage.json")).status).toBe(404);
  });

  it("pages carry the browser protections, and /docs runs under a policy without inline scripts", async () => {
    for (const path of ["/", "/docs", "/readyz", "/api/v1/whoami"]) {
      const res = await t.app.request(path);
      expect(res.headers.get("content-security-policy"), path).toMatch(/script-src 'self'/);
      expect(res.headers.get("content-security-policy"), path).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
    }
    const page = await (await t.app.request("/docs")).text();
    expect(page).not.toMatch(/<script>/); // every script has a src: 'self' allows it
    const init = await t.app.request("/docs/assets/init.js");
    expect(await init.text()).toContain("SwaggerUIBundle");
  });
});

it("readyz is 503 with Retry-After when the database is gone", async () => {
  const database = await openDatabase({});
  await migrate(database);
  const { buildApp } = await import("../src/app.ts");
  const { loadConfig } = await import("../src/config.ts");
  const pino = (await import("pino")).default;
  const log = pino({ level: "silent" });
  const { createSpanWriter } = await import("../src/traces/store/writer.ts");
  const config = loadConfig({});
  const spanWriter = createSpanWriter(database, log, config); // never started
  const app = buildApp({ config, database, log, jobs: undefined as never }, { spanWriter });
  await database.close();
  const res = await app.request("/readyz");
  expect(res.status).toBe(503);
  expect(res.headers.get("retry-after")).toBe("5");
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("database_unavailable");
});
