import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { githubCheckRuns, githubWebhookDeliveries } from "../../src/db/schema/index.ts";
import { linkInstallation } from "../../src/github/store.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { FakeGitHub } from "./fake-github.ts";
import {
  checkRunRerequested,
  checkSuiteRerequested,
  deliveryRequest,
  type PullRequestEvent,
  pullRequestPayload,
} from "./webhooks.ts";

// biome-ignore lint/suspicious/noExplicitAny: response bodies
type Json = Record<string, any>;

const UNLINKED = 5101;
const LINKED = 5102;
const SHOP = "acme/shop";
const ML = "acme/ml";

const schema = (fields: { name: string; type: string; nullable?: boolean }[]) =>
  `${JSON.stringify({ fields: fields.map((f) => ({ nullable: false, ...f })) }, null, 2)}\n`;

const ORDERS_V1 = schema([
  { name: "id", type: "int64" },
  { name: "amount", type: "int64" },
  { name: "status", type: "string", nullable: true },
]);

const VIGIL_YML = `schemas:
  - dataset: orders
    path: schemas/orders.json
`;

/** The 1-based line of the first line of `text` containing `needle`. */
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describeEachDatabase("GitHub PR checks", (db) => {
  let fake: FakeGitHub;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    fake = await FakeGitHub.start();
    Object.assign(env, fake.env());
    fake.installation(UNLINKED, "acme", [SHOP]);
    fake.installation(LINKED, "acme", [ML]);
  });
  afterAll(() => fake?.close());
  const t = useApp(db, { env, jobs: true });
  beforeAll(async () => {
    await linkInstallation(t.deps.database.db, LINKED, t.projectId, "cli");
  });

  let n = 0;
  /** A pull request on GitHub (the fake) and its `opened` webhook, delivered. */
  async function openPull(
    repo: string,
    installationId: number,
    base: Record<string, string>,
    head: Record<string, string>,
    extra: Partial<PullRequestEvent> & { renames?: Record<string, string> } = {},
  ) {
    n++;
    const shas = { base: `base${n}`, head: `head${n}` };
    fake.commit(repo, shas.base, base);
    fake.commit(repo, shas.head, head);
    fake.pull(repo, {
      number: n,
      base: shas.base,
      head: shas.head,
      labels: extra.labels ?? [],
      ...(extra.renames ? { renames: extra.renames } : {}),
    });
    const event: PullRequestEvent = {
      action: "opened",
      installationId,
      repo,
      number: n,
      ...shas,
      ...extra,
    };
    const res = await deliver("pull_request", pullRequestPayload(event));
    expect(res.status).toBe(202);
    return { ...shas, number: n, event };
  }

  async function deliver(
    event: string,
    payload: unknown,
    options: { id?: string; secret?: string | null } = {},
  ) {
    const { init } = await deliveryRequest({
      event,
      payload,
      secret: options.secret === undefined ? fake.webhookSecret : options.secret,
      ...(options.id ? { id: options.id } : {}),
    });
    return t.app.request("/github/webhooks", init);
  }

  /** Vigil's record of the run on `head`, once it has recorded the completion. */
  function recorded(head: string) {
    return fake.waitFor(async () => {
      const [row] = await t.deps.database.db
        .select()
        .from(githubCheckRuns)
        .where(eq(githubCheckRuns.headSha, head));
      return row?.status === "completed" ? row : undefined;
    });
  }

  async function deliveryDone(id: string) {
    const dbh = t.deps.database.db;
    return fake.waitFor(async () => {
      const [row] = await dbh
        .select()
        .from(githubWebhookDeliveries)
        .where(eq(githubWebhookDeliveries.deliveryId, id));
      return row?.status === "done" ? row : undefined;
    });
  }

  it("answers 401 without a signature or with a wrong one, 202 with the right one, 200 to a redelivery", async () => {
    fake.commit(SHOP, "sig-base", { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 });
    fake.commit(SHOP, "sig-head", { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 });
    fake.pull(SHOP, { number: 900, base: "sig-base", head: "sig-head" });
    const payload = pullRequestPayload({
      action: "opened",
      installationId: UNLINKED,
      repo: SHOP,
      number: 900,
      base: "sig-base",
      head: "sig-head",
    });

    const missing = await deliver("pull_request", payload, { secret: null });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as Json).error.code).toBe("signature_missing");
    const wrong = await deliver("pull_request", payload, { secret: "not-the-secret" });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as Json).error.code).toBe("signature_invalid");

    const id = crypto.randomUUID();
    const first = await deliver("pull_request", payload, { id });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ delivery: id, queued: true });
    const again = await deliver("pull_request", payload, { id });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ delivery: id, duplicate: true });

    await fake.completed("sig-head", "Vigil / schema");
    await deliveryDone(id);
    // The redelivery ran nothing: one run for the head commit.
    expect(fake.runsFor("sig-head")).toHaveLength(1);
    expect(fake.runsFor("sig-head")[0]!.conclusion).toBe("success");
  });

  it("fails a breaking change with a table of changes and annotations on the changed lines", async () => {
    const head = schema([
      { name: "id", type: "int64" },
      { name: "amount", type: "string" },
      { name: "currency", type: "float64", nullable: true },
    ]);
    const pr = await openPull(
      SHOP,
      UNLINKED,
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 },
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": head },
    );
    const [run] = await fake.completed(pr.head, "Vigil / schema");
    expect(run!.conclusion).toBe("failure");
    expect(run!.output.title).toBe("2 breaking changes in 1 dataset");
    const summary = run!.output.summary!;
    expect(summary).toContain("| Dataset | Field | Change | Breaking | Why |");
    expect(summary).toMatch(/\| `orders` \| `amount` \| type int64 → string \| \*\*yes\*\* \|/);
    expect(summary).toMatch(/\| `orders` \| `status` \| removed \(was string\) \| \*\*yes\*\* \|/);
    expect(summary).toMatch(/\| `orders` \| `currency` \| added \(float64\) \| no \|/);
    expect(summary).toContain("not linked to a Vigil project");
    expect(summary).toContain(`vigil github link --installation ${UNLINKED}`);

    const byTitle = Object.fromEntries(run!.annotations.map((a) => [a.title, a]));
    expect(byTitle["orders.amount: type changed (breaking)"]).toMatchObject({
      path: "schemas/orders.json",
      start_line: lineOf(head, '"name": "amount"'),
      annotation_level: "failure",
    });
    expect(byTitle["orders.currency: field added"]).toMatchObject({
      start_line: lineOf(head, '"name": "currency"'),
      annotation_level: "warning",
    });
    // A removed field has no line at the head: the file's first line names it.
    expect(byTitle["orders.status: field removed (breaking)"]).toMatchObject({
      start_line: 1,
      annotation_level: "failure",
    });
    expect(byTitle["orders.status: field removed (breaking)"]!.message).toContain("status");
    expect(fake.violations).toEqual([]);

    // What was posted is recorded.
    const row = await recorded(pr.head);
    expect(row).toMatchObject({
      conclusion: "failure",
      annotations: 3,
      repository: SHOP,
      pullNumber: pr.number,
      projectId: null,
    });
  });

  it("passes a non-breaking change, with a warning on the added field", async () => {
    const head = schema([
      { name: "id", type: "int64" },
      { name: "amount", type: "int64" },
      { name: "status", type: "string", nullable: true },
      { name: "note", type: "string", nullable: true },
    ]);
    const pr = await openPull(
      SHOP,
      UNLINKED,
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 },
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": head },
    );
    const [run] = await fake.completed(pr.head, "Vigil / schema");
    expect(run!.conclusion).toBe("success");
    expect(run!.output.title).toBe("1 schema change, none breaking");
    expect(run!.annotations).toEqual([
      expect.objectContaining({ start_line: lineOf(head, '"name": "note"'), annotation_level: "warning" }),
    ]);
  });

  it("posts no check without a .vigil.yml", async () => {
    const pr = await openPull(SHOP, UNLINKED, { "README.md": "a" }, { "README.md": "b" });
    const delivery = await t.deps.database.db
      .select()
      .from(githubWebhookDeliveries)
      .where(eq(githubWebhookDeliveries.installationId, UNLINKED));
    expect(delivery.length).toBeGreaterThan(0);
    await fake.waitFor(
      () => fake.calls.some((c) => c.path.endsWith("/contents/.vigil.yaml") && c.query.ref === pr.head),
      20_000,
      "the .vigil.yaml lookup",
    );
    await fake.waitFor(async () => {
      const rows = await t.deps.database.db.select().from(githubWebhookDeliveries);
      return rows.every((r) => r.status !== "queued");
    });
    expect(fake.runsFor(pr.head)).toEqual([]);
  });

  it("reports a broken .vigil.yml as neutral, each problem on its line", async () => {
    const broken = `schemas:\n  - dataset: orders\n    path: schemas/orders.json\n    colour: blue\nfailOn: sometimes\n`;
    const pr = await openPull(
      SHOP,
      UNLINKED,
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 },
      { ".vigil.yml": broken, "schemas/orders.json": ORDERS_V1 },
    );
    const [run] = await fake.completed(pr.head, "Vigil / schema");
    expect(run!.conclusion).toBe("neutral");
    expect(run!.output.title).toBe(".vigil.yml is not valid");
    const lines = run!.annotations.map((a) => [a.path, a.start_line, a.annotation_level]);
    expect(lines).toContainEqual([".vigil.yml", lineOf(broken, "failOn"), "failure"]);
    expect(lines).toContainEqual([".vigil.yml", lineOf(broken, "- dataset"), "failure"]);

    const badYaml = "schemas:\n  - dataset: orders\n   path: [unclosed\n";
    const pr2 = await openPull(
      SHOP,
      UNLINKED,
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 },
      { ".vigil.yml": badYaml, "schemas/orders.json": ORDERS_V1 },
    );
    const [run2] = await fake.completed(pr2.head, "Vigil / schema");
    expect(run2!.conclusion).toBe("neutral");
    expect(run2!.annotations[0]!.message).toMatch(/invalid YAML/);
  });

  it("reports a schema file missing at the head as neutral, and a deleted one as breaking", async () => {
    const missing = `schemas:\n  - dataset: orders\n    path: schemas/orders.json\n  - dataset: ghosts\n    path: schemas/ghosts.json\n`;
    const pr = await openPull(
      SHOP,
      UNLINKED,
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 },
      { ".vigil.yml": missing, "schemas/orders.json": ORDERS_V1 },
    );
    const [run] = await fake.completed(pr.head, "Vigil / schema");
    expect(run!.conclusion).toBe("neutral");
    expect(run!.output.summary).toContain("schemas/ghosts.json does not exist at the head commit");
    expect(run!.annotations[0]).toMatchObject({
      path: ".vigil.yml",
      start_line: lineOf(missing, "- dataset: ghosts"),
    });

    const deleted = await openPull(
      SHOP,
      UNLINKED,
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 },
      { ".vigil.yml": VIGIL_YML },
    );
    const [gone] = await fake.completed(deleted.head, "Vigil / schema");
    expect(gone!.conclusion).toBe("failure");
    expect(gone!.output.title).toBe("3 breaking changes in 1 dataset");
    expect(gone!.output.summary).toContain(
      "schema file `schemas/orders.json` deleted — all 3 fields removed",
    );
    expect(gone!.annotations).toEqual([
      expect.objectContaining({
        path: ".vigil.yml",
        start_line: 2,
        annotation_level: "failure",
        title: "orders: schema file deleted",
      }),
    ]);
  });

  it("follows a renamed schema file to its old contents", async () => {
    const moved = VIGIL_YML.replace("schemas/orders.json", "datasets/orders.json");
    const head = schema([
      { name: "id", type: "int64" },
      { name: "amount", type: "int64" },
      { name: "status", type: "string" },
    ]);
    const pr = await openPull(
      SHOP,
      UNLINKED,
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 },
      { ".vigil.yml": moved, "datasets/orders.json": head },
      { renames: { "datasets/orders.json": "schemas/orders.json" } },
    );
    const [run] = await fake.completed(pr.head, "Vigil / schema");
    // Only the real change shows: status became required, not "every field is new".
    expect(run!.output.summary).toMatch(/\| `orders` \| `status` \| nullable → required \| \*\*yes\*\* \|/);
    expect(run!.output.summary).toContain("moved from `schemas/orders.json` to `datasets/orders.json`");
    expect(run!.annotations).toEqual([
      expect.objectContaining({ path: "datasets/orders.json", start_line: lineOf(head, '"name": "status"') }),
    ]);
  });

  it("diffs against the merge base, not the base branch's newer commits", async () => {
    n++;
    const withExtra = schema([
      { name: "id", type: "int64" },
      { name: "amount", type: "int64" },
      { name: "status", type: "string", nullable: true },
      { name: "added_on_main", type: "string", nullable: true },
    ]);
    fake.commit(SHOP, "mb-fork", { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 });
    fake.commit(SHOP, "mb-main", { ".vigil.yml": VIGIL_YML, "schemas/orders.json": withExtra });
    fake.commit(SHOP, "mb-head", { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1, "x.txt": "x" });
    fake.pull(SHOP, { number: n, base: "mb-main", head: "mb-head", mergeBase: "mb-fork" });
    const res = await deliver(
      "pull_request",
      pullRequestPayload({
        action: "opened",
        installationId: UNLINKED,
        repo: SHOP,
        number: n,
        base: "mb-main",
        head: "mb-head",
      }),
    );
    expect(res.status).toBe(202);
    const [run] = await fake.completed("mb-head", "Vigil / schema");
    expect(run!.conclusion).toBe("success");
    expect(run!.output.title).toBe("No schema changes");
  });

  it("passes with the override label, says so, and fails again when it is removed", async () => {
    const head = schema([{ name: "id", type: "int64" }]);
    const files = {
      base: { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 },
      head: { ".vigil.yml": VIGIL_YML, "schemas/orders.json": head },
    };
    const pr = await openPull(SHOP, UNLINKED, files.base, files.head);
    const [opened] = await fake.completed(pr.head, "Vigil / schema");
    expect(opened!.conclusion).toBe("failure");

    const labeled = await deliver(
      "pull_request",
      pullRequestPayload({
        ...pr.event,
        action: "labeled",
        labels: ["vigil/allow-breaking"],
        label: "vigil/allow-breaking",
      }),
    );
    expect(labeled.status).toBe(202);
    const runs = await fake.completed(pr.head, "Vigil / schema", 2);
    expect(runs[1]!.conclusion).toBe("success");
    expect(runs[1]!.output.title).toBe("2 breaking changes allowed by the vigil/allow-breaking label");
    expect(runs[1]!.output.summary).toContain("label on this pull request allows these changes");

    // Another label changes nothing: no new run.
    const other = await deliver(
      "pull_request",
      pullRequestPayload({
        ...pr.event,
        action: "labeled",
        labels: ["vigil/allow-breaking", "docs"],
        label: "docs",
      }),
    );
    const otherId = ((await other.json()) as Json).delivery as string;
    await deliveryDone(otherId);
    expect(fake.runsFor(pr.head, "Vigil / schema")).toHaveLength(2);

    await deliver(
      "pull_request",
      pullRequestPayload({ ...pr.event, action: "unlabeled", labels: [], label: "vigil/allow-breaking" }),
    );
    const again = await fake.completed(pr.head, "Vigil / schema", 3);
    expect(again[2]!.conclusion).toBe("failure");
    expect(fake.violations).toEqual([]);
  });

  it("sends more than 50 annotations in batches of at most 50 on the same run", async () => {
    const many = (k: number) =>
      schema(
        Array.from({ length: k }, (_, i) => ({ name: `f${String(i).padStart(3, "0")}`, type: "int64" })),
      );
    const base = many(120);
    const head = schema(
      Array.from({ length: 120 }, (_, i) => ({ name: `f${String(i).padStart(3, "0")}`, type: "string" })),
    );
    const pr = await openPull(
      SHOP,
      UNLINKED,
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": base },
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": head },
    );
    const [run] = await fake.completed(pr.head, "Vigil / schema", 1, 30_000);
    expect(fake.runsFor(pr.head)).toHaveLength(1);
    expect(run!.annotationBatches).toEqual([50, 50, 20]);
    expect(run!.annotations).toHaveLength(120);
    expect(new Set(run!.annotations.map((a) => a.start_line)).size).toBe(120);
    expect(run!.annotations.find((a) => a.title === "orders.f077: type changed (breaking)")!.start_line).toBe(
      lineOf(head, '"name": "f077"'),
    );
    // The conclusion came with the last batch, after the others.
    const patches = fake.calls.filter(
      (c) => c.method === "PATCH" && c.path.endsWith(`/check-runs/${run!.id}`),
    );
    expect(patches.map((c) => Boolean((c.body as Json).conclusion))).toEqual([false, false, true]);
    expect(fake.violations).toEqual([]);
  });

  it("lists who reads the changed fields when the installation is linked", async () => {
    // Vigil's lineage: orders.amount feeds the model churn; orders.status nothing.
    expect((await t.post("/api/v1/datasets/orders/schema", JSON.parse(ORDERS_V1))).status).toBe(201);
    const inputs = await t.request("/api/v1/models/churn/inputs", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: [{ dataset: "orders", fields: ["amount"] }] }),
    });
    expect(inputs.status).toBe(200);
    const head = schema([
      { name: "id", type: "int64" },
      { name: "amount", type: "float64" },
      { name: "status", type: "string", nullable: true },
    ]);
    const pr = await openPull(
      ML,
      LINKED,
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 },
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": head },
    );
    const [run] = await fake.completed(pr.head, "Vigil / schema");
    const summary = run!.output.summary!;
    expect(summary).toContain("### Who reads these fields");
    expect(summary).toMatch(/`orders`: 1 reader downstream/);
    expect(summary).toMatch(/\| `churn` \| model \|/);
    expect(summary).not.toContain("not linked");
    const row = await recorded(pr.head);
    expect(row.projectId).toBe(t.projectId);
    // The project sees what was posted for it.
    const listed = (await (
      await t.request(`/api/v1/github/check-runs?repository=${ML}&pull=${pr.number}`)
    ).json()) as Json;
    expect(listed.checkRuns).toEqual([
      expect.objectContaining({ name: "Vigil / schema", conclusion: run!.conclusion, headSha: pr.head }),
    ]);
  });

  it("reruns on check_suite and check_run rerequested, with the labels the pull request has now", async () => {
    const head = schema([{ name: "id", type: "int64" }]);
    const pr = await openPull(
      SHOP,
      UNLINKED,
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 },
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": head },
    );
    await fake.completed(pr.head, "Vigil / schema");
    fake.pull(SHOP, { number: pr.number, base: pr.base, head: pr.head, labels: ["vigil/allow-breaking"] });
    expect(
      (await deliver("check_suite", checkSuiteRerequested(UNLINKED, SHOP, pr.head, [pr.number]))).status,
    ).toBe(202);
    const runs = await fake.completed(pr.head, "Vigil / schema", 2);
    expect(runs[1]!.conclusion).toBe("success");
    expect(
      (
        await deliver(
          "check_run",
          checkRunRerequested(UNLINKED, SHOP, pr.head, "Vigil / schema", [pr.number]),
        )
      ).status,
    ).toBe(202);
    await fake.completed(pr.head, "Vigil / schema", 3);
    expect(fake.violations).toEqual([]);
  });

  it("ignores events it does not act on", async () => {
    const closed = await deliver(
      "pull_request",
      pullRequestPayload({
        action: "closed",
        installationId: UNLINKED,
        repo: SHOP,
        number: 1,
        base: "x",
        head: "y",
      }),
    );
    expect(closed.status).toBe(200);
    expect(((await closed.json()) as Json).ignored).toBe("pull_request.closed");
    const push = await deliver("push", { ref: "refs/heads/main" });
    expect(push.status).toBe(200);
  });

  it("completes a run as neutral when GitHub refuses its output, and the job's retry posts a new one", async () => {
    const head = schema([{ name: "id", type: "int64" }]);
    fake.failNext("PATCH", /\/repos\/acme\/shop\/check-runs\/\d+$/, 422, 1);
    const pr = await openPull(
      SHOP,
      UNLINKED,
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": ORDERS_V1 },
      { ".vigil.yml": VIGIL_YML, "schemas/orders.json": head },
    );
    const [failed] = await fake.completed(pr.head, "Vigil / schema");
    expect(failed!.conclusion).toBe("neutral");
    expect(failed!.output.title).toBe("Vigil could not finish this check");
    expect(failed!.output.summary).toContain("injected failure");
    const runs = await fake.completed(pr.head, "Vigil / schema", 2, 60_000);
    expect(runs[1]!.conclusion).toBe("failure");
  }, 90_000);

  it("uses only calls GitHub's OpenAPI description has, authenticated as the installation", () => {
    expect(fake.violations).toEqual([]);
    const repoCalls = fake.calls.filter((c) => c.path.startsWith("/repos/") && !c.injected);
    expect(repoCalls.length).toBeGreaterThan(0);
    expect(repoCalls.filter((c) => c.auth !== "installation")).toEqual([]);
    const tokenCalls = fake.calls.filter((c) => c.path.endsWith("/access_tokens"));
    expect(tokenCalls.every((c) => c.auth === "app" && c.status === 201)).toBe(true);
    // Installation tokens are cached: far fewer than the repository calls.
    expect(tokenCalls.length).toBeLessThanOrEqual(4);
    const templates = new Set(fake.calls.map((c) => `${c.method} ${c.template}`));
    expect(templates).toContain("POST /repos/{owner}/{repo}/check-runs");
    expect(templates).toContain("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}");
    expect(templates).toContain("GET /repos/{owner}/{repo}/contents/{path}");
    expect(templates).toContain("GET /repos/{owner}/{repo}/pulls/{pull_number}/files");
  });
});

describe("fake GitHub's OpenAPI check", () => {
  it("refuses what GitHub would: unknown paths, missing required fields, bad enums, more than 50 annotations", async () => {
    const { checkAgainstOpenApi } = await import("./openapi-check.ts");
    const q = new URLSearchParams();
    expect(checkAgainstOpenApi("GET", "/repos/a/b/nonsense", q, undefined).problems[0]).toMatch(
      /no such path/,
    );
    expect(checkAgainstOpenApi("DELETE", "/repos/a/b/check-runs", q, undefined).problems[0]).toMatch(
      /no such operation/,
    );
    expect(checkAgainstOpenApi("POST", "/repos/a/b/check-runs", q, { name: "x" }).problems).toContainEqual(
      expect.stringMatching(/head_sha/),
    );
    expect(
      checkAgainstOpenApi("PATCH", "/repos/a/b/check-runs/1", q, {
        status: "completed",
        conclusion: "great",
      }).problems.join(" "),
    ).toMatch(/conclusion must be equal to one of the allowed values/);
    const annotation = { path: "a", start_line: 1, end_line: 1, annotation_level: "failure", message: "m" };
    expect(
      checkAgainstOpenApi("PATCH", "/repos/a/b/check-runs/1", q, {
        output: { title: "t", summary: "s", annotations: Array(51).fill(annotation) },
      }).problems.join(" "),
    ).toMatch(/must NOT have more than 50 items/);
    expect(
      checkAgainstOpenApi(
        "GET",
        "/repos/a/b/contents/dir/file.json",
        new URLSearchParams({ ref: "abc" }),
        undefined,
      ),
    ).toMatchObject({ template: "/repos/{owner}/{repo}/contents/{path}", problems: [] });
  });
});
