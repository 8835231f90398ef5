import { afterAll, beforeAll, expect, it } from "vitest";
import { linkInstallation } from "../../src/github/store.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { FakeGitHub } from "./fake-github.ts";
import { deliveryRequest, type PullRequestEvent, pullRequestPayload } from "./webhooks.ts";

const LINKED = 6101;
const UNLINKED = 6102;

const VIGIL_YML = `schemas: []
contracts:
  - model: churn
    path: contracts/churn.json
`;

const contract = (ageMax: number, threshold = 0.05) =>
  `${JSON.stringify(
    {
      fields: {
        age: { type: "integer", min: 0, max: ageMax, nullable: false },
        plan: { type: "category", values: ["basic", "pro"] },
      },
      violationThreshold: threshold,
    },
    null,
    2,
  )}\n`;

/** Yesterday's traffic: ages 18..90 in a fixed cycle, two plans, one row in ten with an odd plan. */
const ROWS = Array.from({ length: 400 }, (_, i) => ({
  model: "churn",
  requestId: `r${i}`,
  timestamp: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
  features: { age: 18 + ((i * 7) % 73), plan: i % 10 === 0 ? "enterprise" : i % 2 ? "pro" : "basic" },
}));
/** Older than the window: must not count. */
const OLD = Array.from({ length: 50 }, (_, i) => ({
  model: "churn",
  requestId: `old${i}`,
  timestamp: new Date(Date.now() - 3 * 86_400_000).toISOString(),
  features: { age: 99, plan: "basic" },
}));

const share = (n: number) => `${((n / ROWS.length) * 100).toFixed(1)}%`;
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describeEachDatabase("GitHub contracts check", (db) => {
  let fake: FakeGitHub;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    fake = await FakeGitHub.start();
    Object.assign(env, fake.env());
    fake.installation(LINKED, "acme", ["acme/models"]);
    fake.installation(UNLINKED, "other", ["other/models"]);
  });
  afterAll(() => fake?.close());
  const t = useApp(db, { env, jobs: true });
  beforeAll(async () => {
    await linkInstallation(t.deps.database.db, LINKED, t.projectId, "cli");
    const res = await t.post("/api/v1/predictions", [...ROWS, ...OLD]);
    expect(res.status).toBe(200);
  });

  let n = 0;
  async function pull(
    repo: string,
    installationId: number,
    base: Record<string, string>,
    head: Record<string, string>,
    labels: string[] = [],
  ) {
    n++;
    const ev: PullRequestEvent = {
      action: "opened",
      installationId,
      repo,
      number: n,
      base: `cb${n}`,
      head: `ch${n}`,
      labels,
    };
    fake.commit(repo, ev.base, base);
    fake.commit(repo, ev.head, head);
    fake.pull(repo, { number: n, base: ev.base, head: ev.head, labels });
    const { init } = await deliveryRequest({
      event: "pull_request",
      payload: pullRequestPayload(ev),
      secret: fake.webhookSecret,
    });
    expect((await t.app.request("/github/webhooks", init)).status).toBe(202);
    return ev;
  }

  const over = (max: number) => ROWS.filter((r) => r.features.age > max).length;
  const oddPlans = ROWS.filter((r) => r.features.plan === "enterprise").length;

  it("says how much of the window's traffic the changed contract would flag, next to the base's, and fails over the threshold", async () => {
    const head = contract(60);
    const ev = await pull(
      "acme/models",
      LINKED,
      { ".vigil.yml": VIGIL_YML, "contracts/churn.json": contract(120) },
      { ".vigil.yml": VIGIL_YML, "contracts/churn.json": head },
    );
    const [run] = await fake.completed(ev.head, "Vigil / contracts");
    const flaggedNow = ROWS.filter((r) => r.features.age > 60 || r.features.plan === "enterprise").length;
    expect(over(60)).toBeGreaterThan(0);
    expect(run!.conclusion).toBe("failure");
    expect(run!.output.title).toBe("1 contract would flag more traffic than allowed");
    const summary = run!.output.summary!;
    expect(summary).toContain(
      `This change would have flagged **${share(flaggedNow)}** of the last 24 hours of traffic (${flaggedNow} of ${ROWS.length} rows), was ${share(oddPlans)} (${oddPlans})`,
    );
    expect(summary).toContain(`| \`age\` | max | ${over(60)} (${share(over(60))}) | 0 (0.0%) |`);
    expect(summary).toContain(
      `| \`plan\` | values | ${oddPlans} (${share(oddPlans)}) | ${oddPlans} (${share(oddPlans)}) |`,
    );
    // Only what the change made worse is annotated, on the rule's line in the head file.
    expect(run!.annotations).toEqual([
      expect.objectContaining({
        path: "contracts/churn.json",
        start_line: lineOf(head, '"age"'),
        annotation_level: "failure",
        title: "churn.age: max",
      }),
    ]);
    // The schema check ran too: nothing listed, nothing changed.
    const [schemaRun] = await fake.completed(ev.head, "Vigil / schema");
    expect(schemaRun!.conclusion).toBe("success");
    expect(fake.violations).toEqual([]);
  });

  it("passes a change within the threshold, and a new contract is compared with nothing", async () => {
    const ev = await pull(
      "acme/models",
      LINKED,
      { ".vigil.yml": VIGIL_YML },
      { ".vigil.yml": VIGIL_YML, "contracts/churn.json": contract(120, 0.2) },
    );
    const [run] = await fake.completed(ev.head, "Vigil / contracts");
    expect(run!.conclusion).toBe("success");
    expect(run!.output.title).toBe("1 changed contract within threshold");
    expect(run!.output.summary).toContain(`flagged **${share(oddPlans)}**`);
    expect(run!.output.summary).toContain("a new contract");
  });

  it("passes with the override label, and says No contract changed when none did", async () => {
    const ev = await pull(
      "acme/models",
      LINKED,
      { ".vigil.yml": VIGIL_YML, "contracts/churn.json": contract(120) },
      { ".vigil.yml": VIGIL_YML, "contracts/churn.json": contract(50) },
      ["vigil/allow-breaking"],
    );
    const [run] = await fake.completed(ev.head, "Vigil / contracts");
    expect(run!.conclusion).toBe("success");
    expect(run!.output.title).toContain("allowed by the vigil/allow-breaking label");

    const same = await pull(
      "acme/models",
      LINKED,
      { ".vigil.yml": VIGIL_YML, "contracts/churn.json": contract(120), "a.txt": "1" },
      { ".vigil.yml": VIGIL_YML, "contracts/churn.json": contract(120), "a.txt": "2" },
    );
    const [unchanged] = await fake.completed(same.head, "Vigil / contracts");
    expect(unchanged!.conclusion).toBe("success");
    expect(unchanged!.output.title).toBe("No contract changed");
  });

  it("reports a broken contract file as neutral on its line", async () => {
    const broken = contract(120).replace('"type": "integer"', '"type": "int"');
    const ev = await pull(
      "acme/models",
      LINKED,
      { ".vigil.yml": VIGIL_YML, "contracts/churn.json": contract(120) },
      { ".vigil.yml": VIGIL_YML, "contracts/churn.json": broken },
    );
    const [run] = await fake.completed(ev.head, "Vigil / contracts");
    expect(run!.conclusion).toBe("neutral");
    expect(run!.annotations[0]).toMatchObject({
      path: "contracts/churn.json",
      start_line: lineOf(broken, '"type": "int"'),
      annotation_level: "warning",
    });
    expect(run!.annotations[0]!.message).toContain("fields.age.type");
  });

  it("does not evaluate on an unlinked installation, and says how to link it", async () => {
    const ev = await pull(
      "other/models",
      UNLINKED,
      { ".vigil.yml": VIGIL_YML, "contracts/churn.json": contract(120) },
      { ".vigil.yml": VIGIL_YML, "contracts/churn.json": contract(60) },
    );
    const [run] = await fake.completed(ev.head, "Vigil / contracts");
    expect(run!.conclusion).toBe("neutral");
    expect(run!.output.title).toBe("Not evaluated: this installation is not linked to a Vigil project");
    expect(run!.output.summary).toContain(`vigil github link --installation ${UNLINKED}`);
  });
});
