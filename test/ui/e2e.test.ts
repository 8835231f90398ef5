import { existsSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type DemoResult, playDemo } from "../../src/demo/story.ts";
import { formatNumber } from "../../src/ui/views/format.ts";
import type { DatasetVersion, Incident, Report, ServiceStats } from "../../src/ui/views/types.ts";
import { useApp, useServedApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { type Browser, CHROMIUM, openBrowser } from "./browser.ts";

/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) on a served Vigil filled
 * by `vigil demo`'s story (public API only): sign in, every page, figures checked against the API,
 * filters, incident actions, the streamed answer; any console error, failed request or axe-core
 * violation fails; a screenshot of each page at desktop and phone width goes to test-artifacts/ui/
 * (git-ignored).
 *
 * The embedded database only: the browser's cost is the same on both engines, and every API path a
 * page reads is tested on both engines by its capability's suite and by test/ui/session.test.ts.
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
    const t = useApp(db, { project: "demo" });
    const served = useServedApp(t);
    let browser: Browser;
    let base: string;
    let demo: DemoResult;
    const api = async <T>(path: string, init?: RequestInit): Promise<T> => {
      const res = await t.request(path, init);
      expect(res.status, path).toBeLessThan(300);
      return (await res.json()) as T;
    };

    beforeAll(async () => {
      base = served.env.VIGIL_URL!;
      demo = await playDemo({ baseUrl: base, apiKey: t.key });
      await t.spansWritten();
      browser = await openBrowser();
    }, 180_000);
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
      const violations = (await browser.axe()).map(
        (v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.join(" | ")}`,
      );
      expect(violations, `axe on ${name}`).toEqual([]);
      await browser.screenshots(name);
      expect(browser.problems(), name).toEqual([]);
    }
    const text = (selector: string) => browser.page.locator(selector).first().innerText();
    const rows = (testid: string) => browser.page.locator(`[data-testid=${testid}] tbody tr`);

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

    it("the overview counts active incidents and requests as the API does", async () => {
      await visit("/", "overview");
      const active = [
        ...(await api<{ incidents: Incident[] }>("/api/v1/incidents?status=open&limit=500")).incidents,
        ...(await api<{ incidents: Incident[] }>("/api/v1/incidents?status=acknowledged&limit=500"))
          .incidents,
      ];
      const kinds = new Set(active.map((i) => i.kind));
      expect([...kinds].sort()).toEqual(expect.arrayContaining(["alert", "drift", "exception", "schema"]));
      for (const s of ["critical", "error", "warning", "info"]) {
        expect(await text(`[data-testid=sev-${s}]`), s).toBe(
          String(active.filter((i) => i.severity === s).length),
        );
      }
      for (const k of ["exception", "alert", "drift", "schema", "validation"]) {
        expect(await text(`[data-testid=kind-${k}]`), k).toBe(
          String(active.filter((i) => i.kind === k).length),
        );
      }
      // The story's traffic is older than a minute: the 3-hour window holds all of it either way.
      const { services } = await api<{ services: ServiceStats[] }>(
        `/api/v1/services?from=${new Date(Date.now() - 3 * 3600_000).toISOString()}`,
      );
      const checkout = services.find((s) => s.service === "checkout")!;
      expect(checkout.requests).toBeGreaterThan(0);
      expect(await text("[data-testid=requests-checkout]")).toBe(String(checkout.requests));
    });

    it("dark mode follows the system setting, and stays accessible", async () => {
      await browser.page.emulateMedia({ colorScheme: "dark" });
      try {
        await visit("/", "overview-dark");
        const bg = await browser.page.evaluate(
          () =>
            (
              globalThis as unknown as {
                getComputedStyle(e: unknown): { backgroundColor: string };
                document: { body: unknown };
              }
            ).getComputedStyle((globalThis as unknown as { document: { body: unknown } }).document.body)
              .backgroundColor,
        );
        expect(bg).toBe("rgb(18, 22, 28)");
        await visit(`/reports/${demo.monitor.reportIds.at(-1)}`, "report-dark");
      } finally {
        await browser.page.emulateMedia({ colorScheme: "light" });
      }
    });

    it("incidents: the list filters by kind through its form, and the URL carries the filter", async () => {
      await visit("/incidents", "incidents");
      const all = (await api<{ incidents: Incident[] }>("/api/v1/incidents?limit=50")).incidents;
      expect(await rows("incident-list").count()).toBe(all.length);
      await browser.page.selectOption("select[name=kind]", "alert");
      await browser.page.click("form.filters button[type=submit]");
      await browser.page.waitForURL(/kind=alert/);
      await check("incidents-filtered");
      const alerts = all.filter((i) => i.kind === "alert");
      expect(alerts.length).toBeGreaterThan(0);
      expect(await rows("incident-list").count()).toBe(alerts.length);
      expect(await text("[data-testid=incident-list]")).toContain(alerts[0]!.title);
    });

    it("the exception incident: its stack, runbooks and trace; acknowledge, note and resolve reach the API", async () => {
      const id = demo.incidents.exception!;
      const detail = await api<{ incident: Incident; context: { runbooks?: Array<{ title: string }> } }>(
        `/api/v1/incidents/${id}`,
      );
      await visit(`/incidents/${id}`, "incident-exception");
      const page = browser.page;
      expect(await text("[data-testid=incident-count]")).toBe(String(detail.incident.count));
      expect(await text("[data-testid=stacktrace]")).toContain("PaymentGatewayTimeoutError");
      expect(detail.context.runbooks?.length).toBeGreaterThan(0);
      expect(await text("main")).toContain(detail.context.runbooks![0]!.title);

      await page.click("button:text-is('Acknowledge')");
      await page.waitForURL(/done=acknowledge/);
      expect((await api<{ incident: Incident }>(`/api/v1/incidents/${id}`)).incident.status).toBe(
        "acknowledged",
      );
      await page.fill("textarea[name=text]", "Failed over to the backup payment provider");
      await page.click("button:text-is('Add note')");
      await page.waitForURL(/done=note/);
      expect(await text("[data-testid=timeline]")).toContain("Failed over to the backup payment provider");
      await page.click("button:text-is('Resolve')");
      await page.waitForURL(/done=resolve/);
      await check("incident-resolved");
      const after = await api<{ incident: Incident; events: Array<{ type: string }> }>(
        `/api/v1/incidents/${id}`,
      );
      expect(after.incident.status).toBe("resolved");
      expect(after.events.map((e) => e.type)).toEqual(
        expect.arrayContaining(["acknowledged", "note", "resolved"]),
      );
      expect(await page.locator("button:text-is('Reopen')").count()).toBe(1);

      // The sample trace, as a waterfall; the failing span's exception event carries the stack.
      await page.click("a[href^='/traces/']");
      await page.waitForURL(/\/traces\/[0-9a-f]{32}$/);
      const trace = await api<{ spans: unknown[] }>(`/api/v1/traces/${page.url().split("/").pop()}`);
      expect(await rows("waterfall").count()).toBe(trace.spans.length);
      const failing = page.locator("details.span", { has: page.locator("[data-testid=span-stack]") }).first();
      await failing.locator("summary").click();
      await expect
        .poll(() => failing.locator("[data-testid=span-stack]").innerText())
        .toContain("PaymentGatewayTimeoutError");
      await check("trace");
    });

    it("alert and schema incidents show their payload and breaking changes", async () => {
      const alert = await api<{ incident: Incident }>(`/api/v1/incidents/${demo.incidents.alerts[0]}`);
      await visit(`/incidents/${alert.incident.id}`, "incident-alert");
      expect(await text("main")).toContain("Alert payload");
      expect(await text("h1")).toBe(alert.incident.title);
      const schema = await api<{ incident: Incident }>(`/api/v1/incidents/${demo.incidents.schema[0]}`);
      await visit(`/incidents/${schema.incident.id}`, "incident-schema");
      const changes = schema.incident.sample.breakingChanges as Array<{ path: string }>;
      expect(changes.length).toBeGreaterThan(0);
      expect(await text("main")).toContain(changes[0]!.path);
    });

    it("traces: per-service RED figures match the API for the same window; the status filter narrows the search", async () => {
      const to = new Date().toISOString();
      const from = new Date(Date.parse(to) - 3 * 3600_000).toISOString();
      await visit(`/traces?hours=3&to=${to}`, "traces");
      const { services } = await api<{ services: ServiceStats[] }>(`/api/v1/services?from=${from}&to=${to}`);
      expect(await rows("service-table").count()).toBe(services.length);
      for (const s of services) {
        const cells = await rows("service-table")
          .filter({ hasText: s.service })
          .first()
          .locator("td")
          .allInnerTexts();
        expect(cells.slice(1, 3), s.service).toEqual([String(s.requests), String(s.errors)]);
      }
      expect(await browser.page.locator(".uplot").count()).toBe(3);
      await browser.page.selectOption("select[name=status]", "error");
      await browser.page.click("form.filters button[type=submit]");
      await browser.page.waitForURL(/status=error/);
      await check("traces-errors");
      const errors = await api<{ traces: unknown[] }>(
        `/api/v1/traces?status=error&from=${from}&to=${to}&limit=50`,
      );
      expect(errors.traces.length).toBeGreaterThan(0);
      expect(await rows("trace-list").count()).toBe(errors.traces.length);
    });

    it("monitors: the verdict, the drift chart, and a report's figures as the API has them", async () => {
      await visit("/monitors", "monitors");
      expect(await text("[data-testid=monitor-list]")).toContain(demo.monitor.drifted ? "drifted" : "ok");
      await visit(`/monitors/${demo.monitor.id}`, "monitor");
      const { reports } = await api<{ reports: Report[] }>(
        `/api/v1/reports?monitorId=${demo.monitor.id}&limit=50`,
      );
      expect(await rows("report-list").count()).toBe(reports.length);
      await visit(`/reports/${reports[0]!.id}`, "report");
      const feature = reports[0]!.features.find((f) => f.drifted) ?? reports[0]!.features[0]!;
      const cells = await browser.page
        .locator(`[data-testid=feature-table] tr[data-feature="${feature.name}"] td`)
        .allInnerTexts();
      expect(cells.slice(0, 5)).toEqual([
        feature.drifted ? "drifted" : "ok",
        feature.test,
        formatNumber(feature.statistic),
        formatNumber(feature.pValue),
        formatNumber(feature.threshold),
      ]);
      // Each feature's reference vs current distribution, drawn with a text alternative.
      const figures = browser.page.locator("[data-testid=distributions] [data-distribution]");
      expect(await figures.count()).toBe(await rows("feature-table").count());
      const figure = browser.page.locator(`[data-distribution="${feature.name}"]`);
      const drawn = figure.locator("svg[role=img], table caption");
      expect(await drawn.count()).toBe(1);
      expect((await drawn.first().getAttribute("aria-label")) ?? (await drawn.first().innerText())).toMatch(
        new RegExp(`^${feature.name}: \\d+ reference and \\d+ current values`),
      );
    });

    it("datasets: versions, the diff of the last two and what reads the dataset downstream", async () => {
      await visit("/datasets", "datasets");
      const name = demo.lineage.breakingDatasets[0]!;
      const ns = demo.lineage.namespace;
      await browser.page.click(`a:text-is("${ns}/${name}")`);
      await browser.page.waitForURL(/\/datasets\//);
      await check("dataset");
      const q = `namespace=${encodeURIComponent(ns)}`;
      const { versions } = await api<{ versions: DatasetVersion[] }>(
        `/api/v1/datasets/${encodeURIComponent(name)}/changes?${q}`,
      );
      const latest = versions.reduce((a, b) => (b.version > a.version ? b : a));
      expect(await text("[data-testid=diff-summary]")).toContain(
        `v${latest.version - 1} → v${latest.version}: ${latest.changes.length} changes`,
      );
      expect(await rows("version-list").count()).toBe(versions.length);
      const impact = await api<{ impacted: Array<{ name: string }> }>(
        `/api/v1/datasets/${encodeURIComponent(name)}/impact?${q}`,
      );
      for (const n of impact.impacted) expect(await text("[data-testid=lineage]")).toContain(n.name);

      // A dataset in the middle of the pipeline: its lineage graph has both sides, as the API says.
      const middle = demo.lineage.datasets[1]!;
      await visit(`/datasets/${encodeURIComponent(middle)}?${q}&depth=3`, "dataset-lineage");
      const graph = await api<{ upstream: Array<{ name: string }>; downstream: Array<{ name: string }> }>(
        `/api/v1/datasets/${encodeURIComponent(middle)}/lineage?${q}&depth=3`,
      );
      expect(graph.upstream.length).toBeGreaterThan(0);
      expect(graph.downstream.length).toBeGreaterThan(0);
      const shown = await text("[data-testid=lineage-graph]");
      for (const n of [...graph.upstream, ...graph.downstream]) expect(shown).toContain(n.name);
    });

    it("retraining shows how to set it up; ask streams the API's cited answer", async () => {
      await visit("/retraining", "retraining");
      expect(await text("main")).toContain("retrainPolicy");
      await visit("/ask", "ask");
      const question = "payment gateway timeouts";
      await browser.page.fill("input[name=q]", question);
      await browser.page.click("button:text-is('Ask')");
      const expected = await api<{ answer: string; citations: unknown[] }>("/api/v1/ask", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ question }),
      });
      expect(expected.citations.length).toBeGreaterThan(0);
      await expect.poll(() => text("[data-testid=answer]")).toBe(expected.answer.trim());
      expect(await browser.page.locator("#citations li").count()).toBe(expected.citations.length);
      expect(new URL(browser.page.url()).search).toBe("?q=payment%20gateway%20timeouts");
      await check("ask-answer");
    });

    it("the checks are real: axe reports an unlabelled field, the guard an inline script the CSP blocks", async () => {
      const page = browser.page;
      await page.goto(`${base}/ask`);
      await page.evaluate(() => {
        type Doc = {
          body: { insertAdjacentHTML(p: string, h: string): void; append(n: unknown): void };
          createElement(t: string): { textContent: string };
        };
        const doc = (globalThis as unknown as { document: Doc }).document;
        doc.body.insertAdjacentHTML("beforeend", '<input type="text" id="unlabelled">');
        const script = doc.createElement("script");
        script.textContent = "window.x = 1";
        doc.body.append(script);
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
