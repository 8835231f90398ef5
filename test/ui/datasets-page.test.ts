import { expect, it } from "vitest";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { NS, runEventBuilder } from "../schemas/openlineage-events.ts";

const ORIGIN = "http://vigil.test";

const runEvent = runEventBuilder("00000000-0000-4000-9000");

/** The text of the element carrying `data-testid` (tags dropped): enough to assert what a page shows. */
const section = (html: string, testid: string) => {
  const start = html.indexOf(`data-testid="${testid}"`);
  expect(start, testid).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf("</section>", start));
};
/** Column headings and node names (from their `namespace/name` titles) in document order. */
const columns = (html: string) =>
  [...html.matchAll(/<h3>([^<]+)<\/h3>|title="[^"]*\/([^"/]+)"/g)].map((m) => m[1] ?? m[2]);
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

describeEachDatabase("UI dataset pages", (db) => {
  const t = useApp(db);
  let cookie = "";
  const page = async (path: string) => {
    if (!cookie) {
      const res = await t.app.request(`${ORIGIN}/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
        body: new URLSearchParams({ key: t.key, next: "/" }),
      });
      cookie = res.headers.get("set-cookie")?.split(";")[0] ?? "";
    }
    const res = await t.app.request(`${ORIGIN}${path}`, { headers: { cookie } });
    return { status: res.status, html: await res.text() };
  };

  it("the dataset page shows upstream left, downstream right, and each field's lineage", async () => {
    for (const e of [
      runEvent("load_raw", ["src"], [{ name: "raw", fields: ["id", "amount"] }]),
      runEvent(
        "stage",
        ["raw"],
        [
          {
            name: "staging",
            fields: ["id", "amount"],
            lineage: { id: [["raw", "id"]], amount: [["raw", "amount"]] },
          },
        ],
      ),
      runEvent(
        "build_features",
        ["staging"],
        [{ name: "features", fields: ["amount_f"], lineage: { amount_f: [["staging", "amount"]] } }],
      ),
    ])
      expect((await t.post("/api/v1/lineage", e)).status).toBe(201);

    const { status, html } = await page(`/datasets/staging?namespace=${encodeURIComponent(NS)}`);
    expect(status).toBe(200);
    const graph = text(section(html, "lineage-graph"));
    // Left to right: the upstream dataset, its job, the dataset, the reading job, its output.
    expect(columns(section(html, "lineage-graph"))).toEqual([
      "2 hops upstream",
      "raw",
      "1 hop upstream",
      "stage",
      "This dataset",
      "staging",
      "1 hop downstream",
      "build_features",
      "2 hops downstream",
      "features",
    ]);
    expect(graph).not.toContain("src"); // three hops away at the default depth
    expect(html).toContain(`href="/datasets/raw?namespace=${encodeURIComponent(NS)}"`);
    const fields = text(section(html, "field-lineage"));
    expect(fields).toContain("amount string raw.amount via stage features.amount_f via build_features");
    expect(fields).toContain("id string raw.id via stage —");

    // The depth is in the URL: deeper shows the source; an invalid one falls back to the default.
    const deep = text(
      section(
        (await page(`/datasets/staging?namespace=${encodeURIComponent(NS)}&depth=4`)).html,
        "lineage-graph",
      ),
    );
    expect(deep).toContain("4 hops upstream");
    expect(deep).toContain("src");
    // A dataset seen in lineage only (no schema facet) has its page too; an unknown one is a 404.
    const src = await page(`/datasets/src?namespace=${encodeURIComponent(NS)}`);
    expect(src.status).toBe(200);
    expect(src.html).toContain("No schema yet");
    expect(columns(section(src.html, "lineage-graph"))).toEqual([
      "This dataset",
      "src",
      "1 hop downstream",
      "load_raw",
      "2 hops downstream",
      "raw",
    ]);
    expect((await page(`/datasets/nope?namespace=${encodeURIComponent(NS)}`)).status).toBe(404);
    // Without the namespace: the one namespace that has the name, at the page's own URL (the rest kept).
    const bare = await t.app.request(`${ORIGIN}/datasets/staging?depth=3&field=amount`, {
      headers: { cookie },
    });
    expect(bare.status).toBe(302);
    expect(bare.headers.get("location")).toBe(
      `/datasets/staging?namespace=${encodeURIComponent(NS)}&depth=3&field=amount`,
    );
    expect((await page("/datasets/nope")).status).toBe(404);
    // A name in two namespaces has no one page: the API's 409 message, on the UI's error page (400).
    expect(
      (await t.post("/api/v1/lineage", runEvent("copy", [], [{ name: "staging" }], "elsewhere"))).status,
    ).toBe(201);
    const ambiguous = await page("/datasets/staging");
    expect(ambiguous.status).toBe(400);
    expect(text(ambiguous.html)).toMatch(/exists in several namespaces/);
    const bad = await page(`/datasets/staging?namespace=${encodeURIComponent(NS)}&depth=99`);
    expect(bad.status).toBe(200);
    expect(text(section(bad.html, "lineage-graph"))).not.toContain("src");
  });

  it("the list pages by cursor; the next link keeps the filter and can be shared", async () => {
    const many = Array.from({ length: 103 }, (_, i) => ({ name: `t${String(i).padStart(3, "0")}` }));
    expect((await t.post("/api/v1/lineage", runEvent("bulk", [], many, "bulk"))).status).toBe(201);
    const first = await page("/datasets?namespace=bulk");
    expect(first.status).toBe(200);
    const next = /<a href="([^"]+)" rel="next">/.exec(first.html)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toMatch(/^\/datasets\?namespace=bulk&cursor=/);
    expect(first.html).toContain("bulk/t099");
    expect(first.html).not.toContain("bulk/t100");
    const second = await page(next!);
    expect(second.status).toBe(200);
    expect(second.html).toContain("bulk/t100");
    expect(second.html).toContain("bulk/t102");
    expect(second.html).not.toContain("bulk/t099");
    expect(second.html).not.toContain('rel="next"');
    expect(second.html).toContain('href="/datasets?namespace=bulk">First page');
    const none = await page("/datasets?namespace=nowhere");
    expect(none.html).toContain("No datasets in namespace nowhere.");
    // A hand-edited cursor is dropped (first page), not an error page.
    const forged = await page("/datasets?namespace=bulk&cursor=%3Cx%3E");
    expect(forged.status).toBe(200);
    expect(forged.html).toContain("bulk/t000");
  });
});
