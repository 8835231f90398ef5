import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core (no browser download; scripts/ensure-test-tools.sh
 * installs the package), with a fresh profile, and guards that fail a test on any console error,
 * page error, failed request or unexpected HTTP error.
 */
export const CHROMIUM = process.env.VIGIL_CHROMIUM ?? "/usr/bin/chromium";

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const ARTIFACTS = join(process.cwd(), "test-artifacts", "ui");

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Everything that went wrong since the last call (console errors, failed requests, 4xx/5xx). */
  problems(): string[];
  /** Statuses the current step expects (e.g. a 400 from a wrong key); cleared by problems(). */
  expectStatus(status: number): void;
  /** axe-core's violations on the current page (WCAG 2 A/AA). */
  axe(): Promise<Array<{ id: string; impact: string; nodes: number; help: string; targets: string[] }>>;
  screenshots(name: string): Promise<void>;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

export async function openBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), "vigil-ui-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const seen: string[] = [];
  let expected = new Set<number>();
  page.on("console", (m) => {
    if (m.type() === "error") seen.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => seen.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    // A navigation that replaces a streaming fetch aborts it: that is not a failure of the page.
    if (r.failure()?.errorText !== "net::ERR_ABORTED")
      seen.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !expected.has(r.status())) seen.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  // axe-core is served to the page from a same-origin path, so the CSP ('self' scripts) allows it.
  const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
  await context.route("**/__test/axe.js", (route) =>
    route.fulfill({ status: 200, contentType: "text/javascript", body: axeSource }),
  );
  await mkdir(ARTIFACTS, { recursive: true });
  return {
    context,
    page,
    problems() {
      const out = seen.splice(0);
      expected = new Set();
      return out;
    },
    expectStatus(status) {
      expected.add(status);
    },
    async axe() {
      await page.addScriptTag({ url: "/__test/axe.js" });
      const result = await page.evaluate(async () => {
        const axe = (
          globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: unknown[] }> } }
        ).axe;
        return axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
      });
      return (
        result.violations as Array<{
          id: string;
          impact: string;
          help: string;
          nodes: Array<{ target: string[] }>;
        }>
      ).map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.length,
        targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
      }));
    },
    async screenshots(name) {
      await page.screenshot({ path: join(ARTIFACTS, `${name}-desktop.png`), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(150); // the charts resize on the next frame
      await page.screenshot({ path: join(ARTIFACTS, `${name}-phone.png`), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
