import { existsSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { formatNumber } from "../../src/ui/views/format.ts";
import type { Incident, Report, ServiceStats } from "../../src/ui/views/types.ts";
import { useApp, useServedApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { type Browser, CHROMIUM, openBrowser } from "./browser.ts";
import { seedUiData } from "./seed.ts";

/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) on a served Vigil with
 * data sent through the public API: sign in, every page, numbers checked against the API, filters,
 * incident actions, no console error or failed request, no axe-core violation, and screenshots of
 * each page at desktop and phone width (test-artifacts/ui/, git-ignored).
 *
 * The embedded database only: the browser's cost is the same on both engines, and every API path a
 * page reads is tested on both engines by its own capability's suite and by test/ui/session.test.ts.
 */
/** The page's document, typed for the one call made on it (DOM types are not in this project's lib). */
type PageGlobal = { document: { querySelectorAll(s: string): { length: number } } };

// CI installs Chromium (scripts/ensure-test-tools.sh) and must run this; a laptop without it skips.
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI)
  throw new Error(`CI needs Chromium at ${CHROMIUM} (scripts/ensure-test-tools.sh)`);
if (!haveChromium)
  it.skip(`web UI end to end (skipped: no Chromium at ${CHROMIUM}; apt-get install chromium)`, () => {});

describeEachDatabase(
  "web UI end to end",
  (db) => {
    const t = useApp(db);
    const served = useServedApp(t);
    let browser: Browser;
    let base: string;
    let monitorId: string;
    const api = async <T>(path: string): Promise<T> => (await (await t.request(path)).json()) as T;

    beforeAll(async () => {
      base = served.env.VIGIL_URL!;
      ({ monitorId } = await seedUiData((path, body, method = "POST") =>
        t.request(path, {
          method,
          body: JSON.stringify(body),
          headers: { "content-type": "application/json" },
        }),
      ));
      await t.spansWritten();
      browser = await openBrowser();
    });
    afterAll(async () => browser?.close());

    /** Visits a path, checks it is clean and accessible, saves its screenshots. */
    async function visit(path: string, name: string) {
      const res = await browser.page.goto(base + path);
      expect(res?.status(), path).toBe(200);
      await check(name);
    }
    async function check(name: string) {
      const page = browser.page;
      await page.waitForLoadState("load");
      // Charts are drawn by the island once uPlot has loaded.
      const charts = await page.locator("[data-chart]").count();
      if (charts) {
        await page.waitForFunction(
          (n) => (globalThis as unknown as PageGlobal).document.querySelectorAll(".uplot").length === n,
          charts,
        );
      }
      expect(await browser.axe(), `axe on ${name}`).toEqual([]);
      await browser.screenshots(name);
      expect(browser.problems(), name).toEqual([]);
    }
    const text = (selector: string) => browser.page.locator(selector).first().innerText();

    it("signs in with the API key (a wrong key is refused), landing where it was going", async () => {
      const page = browser.page;
      await page.goto(`${base}/incidents`);
      expect(new URL(page.url()).pathname).toBe("/sign-in");
      await check("sign-in");
      browser.expectStatus(400);
      await page.fill("input[name=key]", "vgl_wrong");
      await page.click("button[type=submit]");
      await expect.poll(() => page.locator("[role=alert]").innerText()).toContain("not accepted");
      browser.problems();
      await page.fill("input[name=key]", t.key);
      await page.click("button[type=submit]");
      await page.waitForURL(`${base}/incidents`);
      expect(browser.problems()).toEqual([]);
      const cookies = await browser.context.cookies(base);
      expect(cookies.find((c) => c.name === "vigil_key")).toMatchObject({
        httpOnly: true,
        sameSite: "Strict",
      });
    });

    it("the overview counts active incidents as the API does", async () => {
      await visit("/", "overview");
      const active = [
        ...(await api<{ incidents: Incident[] }>("/api/v1/incidents?status=open&limit=500")).incidents,
        ...(await api<{ incidents: Incident[] }>("/api/v1/incidents?status=acknowledged&limit=500"))
          .incidents,
      ];
      expect(active.length).toBeGreaterThanOrEqual(4);
      for (const s of ["critical", "error", "warning", "info"]) {
        expect(await text(`[data-testid=sev-${s}]`), s).toBe(
          String(active.filter((i) => i.severity === s).length),
        );
      }
      for (const k of ["exception", "alert", "drift", "schema"]) {
        expect(await text(`[data-testid=kind-${k}]`), k).toBe(
          String(active.filter((i) => i.kind === k).length),
        );
      }
      const { services } = await api<{ services: ServiceStats[] }>(
        `/api/v1/services?from=${new Date(Date.now() - 3 * 3600_000).toISOString()}`,
      );
      expect(await text("[data-testid=requests-checkout]")).toBe(
        String(services.find((s) => s.service === "checkout")!.requests),
      );
    });

    it("incidents: the list filters by kind through its form, and the URL carries the filter", async () => {
      await visit("/incidents", "incidents");
      const all = (await api<{ incidents: Incident[] }>("/api/v1/incidents?limit=50")).incidents;
      expect(await browser.page.locator("[data-testid=incident-list] tbody tr").count()).toBe(all.length);
      await browser.page.selectOption("select[name=kind]", "exception");
      await browser.page.click("form.filters button[type=submit]");
      await browser.page.waitForURL(/kind=exception/);
      await check("incidents-filtered");
      const exceptions = all.filter((i) => i.kind === "exception");
      expect(await browser.page.locator("[data-testid=incident-list] tbody tr").count()).toBe(
        exceptions.length,
      );
    });

    it("an exception incident shows its stack and trace; acknowledge, note and resolve change it in the API", async () => {
      const ex = (await api<{ incidents: Incident[] }>("/api/v1/incidents?kind=exception")).incidents[0]!;
      await visit(`/incidents/${ex.id}`, "incident-exception");
      const page = browser.page;
      expect(await text("[data-testid=incident-count]")).toBe(String(ex.count));
      expect(await text("[data-testid=stacktrace]")).toContain("CardDeclinedError");
      expect(await page.locator("text=Card declined errors").count()).toBeGreaterThan(0); // the suggested runbook

      await page.click("button:text-is('Acknowledge')");
      await page.waitForURL(/done=acknowledge/);
      expect((await api<{ incident: Incident }>(`/api/v1/incidents/${ex.id}`)).incident.status).toBe(
        "acknowledged",
      );
      await page.fill("textarea[name=text]", "Failed over to the backup provider");
      await page.click("button:text-is('Add note')");
      await page.waitForURL(/done=note/);
      expect(await text("[data-testid=timeline]")).toContain("Failed over to the backup provider");
      await page.click("button:text-is('Resolve')");
      await page.waitForURL(/done=resolve/);
      await check("incident-resolved");
      const after = await api<{
        incident: Incident;
        events: Array<{ type: string; message: string | null }>;
      }>(`/api/v1/incidents/${ex.id}`);
      expect(after.incident.status).toBe("resolved");
      expect(after.events.map((e) => e.type)).toEqual(
        expect.arrayContaining(["acknowledged", "note", "resolved"]),
      );
      expect(await page.locator("button:text-is('Reopen')").count()).toBe(1);

      // The trace it links to, as a waterfall with the exception event's stack.
      await page.click(`a[href^='/traces/']`);
      await page.waitForURL(/\/traces\/[0-9a-f]{32}$/);
      const traceId = page.url().split("/").pop()!;
      const trace = await api<{ spans: unknown[] }>(`/api/v1/traces/${traceId}`);
      expect(await page.locator("[data-testid=waterfall] tbody tr").count()).toBe(trace.spans.length);
      await page.locator("details.span summary", { hasText: "charge card" }).click();
      expect(await text("[data-testid=span-stack]")).toContain("at charge (/app/payments/charge.js:42:11)");
      await check("trace");
    });

    it("alert and schema incidents show their payload and breaking changes", async () => {
      const alert = (await api<{ incidents: Incident[] }>("/api/v1/incidents?kind=alert")).incidents[0]!;
      await visit(`/incidents/${alert.id}`, "incident-alert");
      expect(await text("main")).toContain("Checkout latency above 2s");
      const schema = (await api<{ incidents: Incident[] }>("/api/v1/incidents?kind=schema")).incidents[0]!;
      await visit(`/incidents/${schema.id}`, "incident-schema");
      expect(await text("main")).toContain("field removed");
    });

    it("traces: per-service RED figures match the API; the status filter narrows the search", async () => {
      await visit("/traces", "traces");
      const { services } = await api<{ services: ServiceStats[] }>("/api/v1/services");
      const rows = browser.page.locator("[data-testid=service-table] tbody tr");
      expect(await rows.count()).toBe(services.length);
      for (const s of services) {
        const cells = await rows.filter({ hasText: s.service }).locator("td").allInnerTexts();
        expect(cells.slice(1, 3), s.service).toEqual([String(s.requests), String(s.errors)]);
      }
      expect(await browser.page.locator(".uplot").count()).toBe(3);
      await browser.page.selectOption("select[name=status]", "error");
      await browser.page.click("form.filters button[type=submit]");
      await browser.page.waitForURL(/status=error/);
      await check("traces-errors");
      const errors = await api<{ traces: unknown[] }>("/api/v1/traces?status=error");
      expect(await browser.page.locator("[data-testid=trace-list] tbody tr").count()).toBe(
        errors.traces.length,
      );
    });

    it("monitors: the drifted feature, its chart, and a report's test, statistic and p-value as the API has them", async () => {
      await visit("/monitors", "monitors");
      expect(await text("[data-testid=monitor-list]")).toContain("drifted");
      await visit(`/monitors/${monitorId}`, "monitor");
      const { reports } = await api<{ reports: Report[] }>(`/api/v1/reports?monitorId=${monitorId}`);
      expect(await browser.page.locator("[data-testid=report-list] tbody tr").count()).toBe(reports.length);
      await visit(`/reports/${reports[0]!.id}`, "report");
      const age = reports[0]!.features.find((f) => f.name === "age")!;
      const cells = await browser.page
        .locator("[data-testid=feature-table] tbody tr", { hasText: "age" })
        .locator("td")
        .allInnerTexts();
      expect(cells.slice(0, 5)).toEqual([
        "drifted",
        age.test,
        formatNumber(age.statistic),
        formatNumber(age.pValue),
        formatNumber(age.threshold),
      ]);
    });

    it("datasets: the versions, the diff of two versions and the model downstream", async () => {
      await visit("/datasets", "datasets");
      expect(await text("[data-testid=dataset-list]")).toContain("warehouse/orders");
      await browser.page.click("a:text('warehouse/orders')");
      await browser.page.waitForURL(/\/datasets\/orders\?namespace=warehouse/);
      await check("dataset");
      expect(await text("[data-testid=diff-summary]")).toMatch(/v1 → v2: 2 changes/);
      expect(await text("[data-testid=lineage]")).toContain("churn");
    });

    it("retraining shows how to set it up; ask streams a cited answer", async () => {
      await visit("/retraining", "retraining");
      expect(await text("main")).toContain("retrainPolicy");
      await visit("/ask", "ask");
      await browser.page.fill("input[name=q]", "card declined");
      await browser.page.click("button:text-is('Ask')");
      await expect.poll(() => text("[data-testid=answer]")).toContain("payment provider");
      expect(await browser.page.locator("#citations li").count()).toBeGreaterThan(0);
      expect(new URL(browser.page.url()).search).toBe("?q=card%20declined");
      await check("ask-answer");
    });

    it("the checks are real: axe reports an unlabelled field, the guard an inline script the CSP blocks", async () => {
      const page = browser.page;
      await page.goto(`${base}/ask`);
      await page.evaluate(() => {
        const doc = (
          globalThis as unknown as { document: { body: { insertAdjacentHTML(p: string, h: string): void } } }
        ).document;
        doc.body.insertAdjacentHTML("beforeend", '<input type="text" id="unlabelled"><script>1</script>');
        const s = (
          globalThis as unknown as { document: { createElement(t: string): { textContent: string } } }
        ).document.createElement("script");
        s.textContent = "window.x = 1";
        (globalThis as unknown as { document: { body: { append(n: unknown): void } } }).document.body.append(
          s,
        );
      });
      expect((await browser.axe()).map((v) => v.id)).toContain("label");
      await expect.poll(() => browser.problems().join("\n")).toMatch(/Content Security Policy/);
    });

    it("signs out: the pages ask for the key again", async () => {
      await browser.page.goto(`${base}/`);
      await browser.page.click("button:text-is('Sign out')");
      await browser.page.waitForURL(`${base}/sign-in`);
      await browser.page.goto(`${base}/traces`);
      expect(new URL(browser.page.url()).pathname).toBe("/sign-in");
      expect(browser.problems()).toEqual([]);
    });
  },
  haveChromium ? ["pglite"] : [],
);
