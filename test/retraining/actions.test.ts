/**
 * What users copy into their repositories (actions/): each file valid by GitHub's published
 * schemas (@action-validator/core bundles SchemaStore's github-workflow and github-action schemas),
 * the workflow taking exactly what Vigil dispatches, the report action's script run against Vigil,
 * the schema check run on real git history.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { RESERVED_RETRAIN_INPUTS } from "../../src/drift/monitors/model.ts";
import { insertRun } from "../../src/retraining/store.ts";
import { useApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";
import { FakeOidcIssuer } from "./fake-oidc.ts";

// biome-ignore lint/suspicious/noExplicitAny: YAML documents and response bodies
type Json = Record<string, any>;

const require = createRequire(import.meta.url);
const validator = require("@action-validator/core") as {
  validateWorkflow(src: string): { errors: unknown[] };
  validateAction(src: string): { errors: unknown[] };
};
const root = new URL("../../", import.meta.url).pathname;
/** A GitHub Actions expression, not a JavaScript template. */
const DISPATCH_ID_EXPR = ["$", "{{ inputs.dispatch_id }}"].join("");
const read = (path: string) => readFileSync(join(root, path), "utf8");

describe("actions/", () => {
  it("every workflow and action.yml is valid by GitHub's schemas", () => {
    expect(validator.validateWorkflow(read("actions/retrain/workflow.yml")).errors).toEqual([]);
    for (const action of ["actions/report/action.yml", "actions/schema-check/action.yml"])
      expect(validator.validateAction(read(action)).errors, action).toEqual([]);
    // The validator does refuse what GitHub would.
    const broken = read("actions/retrain/workflow.yml").replace("runs-on:", "runs_on:");
    expect(validator.validateWorkflow(broken).errors.length).toBeGreaterThan(0);
    expect(validator.validateAction("name: x\nruns:\n  using: composite\n").errors.length).toBeGreaterThan(0);
  });

  it("the retraining workflow takes Vigil's inputs, names its runs by the dispatch id, may mint OIDC tokens", () => {
    const text = read("actions/retrain/workflow.yml");
    const wf = parse(text) as Json;
    const inputs = wf.on.workflow_dispatch.inputs as Json;
    expect(Object.keys(inputs).sort()).toEqual([...RESERVED_RETRAIN_INPUTS].sort());
    expect(inputs.dispatch_id.required).toBe(true);
    expect(wf["run-name"]).toContain(DISPATCH_ID_EXPR);
    expect(wf.permissions["id-token"]).toBe("write");
    const job = wf.jobs.retrain as Json;
    expect(job["runs-on"]).toEqual(["self-hosted", "gpu"]);
    // The runner is one clearly marked line.
    const lines = text.split("\n");
    const at = lines.findIndex((l) => /^\s+runs-on:/.test(l));
    expect(lines[at - 1]).toMatch(/YOUR GPU RUNNER/);
    expect(lines.filter((l) => /runs-on:/.test(l))).toHaveLength(1);
    // Trains, then reports through the copied report action with the result file.
    const steps = job.steps as Json[];
    const report = steps.at(-1)!;
    expect(report.uses).toBe("./.github/actions/vigil-report");
    expect(report.with).toMatchObject({
      "dispatch-id": DISPATCH_ID_EXPR,
      "result-file": "result.json",
    });
    expect(steps.some((s) => String(s.run ?? "").includes("result.json"))).toBe(true);
  });
});

/** Runs the report action's github-script body the way github-script does: an async function of require and core. */
async function runReportScript(
  env: Record<string, string>,
  app: { request(path: string, init: RequestInit): Promise<Response> | Response },
  getIDToken: (audience: string) => Promise<string>,
) {
  const action = parse(read("actions/report/action.yml")) as Json;
  const step = action.runs.steps[0] as Json;
  expect(step.uses).toMatch(/^actions\/github-script@v\d+$/);
  const out = {
    failed: undefined as string | undefined,
    outputs: {} as Json,
    secrets: [] as string[],
    logs: [] as string[],
  };
  const core = {
    setFailed: (m: string) => {
      out.failed = m;
    },
    setOutput: (k: string, v: string) => {
      out.outputs[k] = v;
    },
    setSecret: (s: string) => out.secrets.push(s),
    info: (m: string) => out.logs.push(m),
    warning: (m: string) => out.logs.push(m),
    getIDToken,
  };
  // The action's env: its `${{ inputs.* }}` as the runner would fill them.
  const stepEnv = Object.fromEntries(
    Object.entries(step.env as Record<string, string>).map(([k, expr]) => {
      const input = /inputs\.([\w-]+)/.exec(expr)![1]!;
      return [k, env[input] ?? (action.inputs[input].default as string) ?? ""];
    }),
  );
  const fetch = async (url: string, init: RequestInit) => {
    const u = new URL(url);
    return app.request(u.pathname, init);
  };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
  const fn = new AsyncFunction("require", "core", "process", "fetch", step.with.script as string);
  await fn(require, core, { env: stepEnv }, fetch);
  return out;
}

describeEachDatabase("the report action against Vigil", (db) => {
  const AUDIENCE = "http://127.0.0.1:8080";
  let oidc: FakeOidcIssuer;
  const env: Record<string, string> = {};
  beforeAll(async () => {
    oidc = await FakeOidcIssuer.start();
    Object.assign(env, { VIGIL_RETRAIN_OIDC_ISSUER: oidc.url, VIGIL_PUBLIC_URL: AUDIENCE });
  });
  afterAll(() => oidc?.close());
  const t = useApp(db, { env });
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "vigil-report-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const dispatched = (runId: number) =>
    insertRun(db.database.db, {
      projectId: t.projectId,
      monitorName: "m",
      model: "churn",
      trigger: "manual",
      requestedBy: "test",
      repo: "acme/ml",
      workflow: "retrain.yml",
      ref: "main",
      status: "in_progress",
      runId,
      dispatchedAt: new Date(),
    });

  it("posts result.json with the run's OIDC token for the audience vigil-url", async () => {
    const run = await dispatched(501);
    const file = join(dir, "result.json");
    writeFileSync(file, JSON.stringify({ modelVersion: "churn-r7", metrics: { f1: 0.9 } }));
    const audiences: string[] = [];
    const out = await runReportScript(
      { "vigil-url": `${AUDIENCE}/`, "dispatch-id": run.id, "result-file": file, metrics: '{"auc":0.97}' },
      t.app,
      async (audience) => {
        audiences.push(audience);
        return oidc.token({ repository: "acme/ml", run_id: 501 }, { audience });
      },
    );
    expect(out.failed).toBeUndefined();
    expect(audiences).toEqual([AUDIENCE]);
    expect(out.outputs["model-version"]).toBe("churn-r7");
    const res = (await (await t.request(`/api/v1/retraining/${run.id}`)).json()) as Json;
    expect(res.run.result).toMatchObject({
      modelVersion: "churn-r7",
      metrics: { f1: 0.9, auc: 0.97 },
      auth: "oidc",
    });
  });

  it("uses the api-key input instead, masked; fails the step on a refusal or without a version", async () => {
    const run = await dispatched(502);
    const noToken = async () => {
      throw new Error("no OIDC without id-token: write");
    };
    const out = await runReportScript(
      { "vigil-url": AUDIENCE, "dispatch-id": run.id, "model-version": "v9", "api-key": t.key },
      t.app,
      noToken,
    );
    expect(out.failed).toBeUndefined();
    expect(out.secrets).toEqual([t.key]);
    const res = (await (await t.request(`/api/v1/retraining/${run.id}`)).json()) as Json;
    expect(res.run.result).toMatchObject({ modelVersion: "v9", auth: "api_key" });

    const refused = await runReportScript(
      {
        "vigil-url": AUDIENCE,
        "dispatch-id": run.id,
        "model-version": "v9",
        "api-key": "vgl_wrong-key-0000000000000000000000000",
      },
      t.app,
      noToken,
    );
    expect(refused.failed).toMatch(/^Vigil answered 401: .*unauthorized/);
    const none = await runReportScript({ "vigil-url": AUDIENCE, "dispatch-id": run.id }, t.app, noToken);
    expect(none.failed).toMatch(/no model version/);
    const badUrl = await runReportScript(
      { "vigil-url": "", "dispatch-id": run.id, "model-version": "v" },
      t.app,
      noToken,
    );
    expect(badUrl.failed).toMatch(/vigil-url/);
  });
});

describe("the schema-check action", () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, encoding: "utf8" }).trim();
  const schema = (fields: [string, string][]) =>
    JSON.stringify({ fields: fields.map(([name, type]) => ({ name, type, nullable: false })) }, null, 2);
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), "vigil-schema-check-"));
    git("init", "-q", "-b", "main");
    git("config", "user.email", "ci@example.com");
    git("config", "user.name", "ci");
    writeFileSync(join(repo, ".vigil.yml"), "schemas:\n  - dataset: orders\n    path: orders.json\n");
    writeFileSync(
      join(repo, "orders.json"),
      schema([
        ["id", "int64"],
        ["amount", "int64"],
      ]),
    );
    git("add", "-A");
    git("commit", "-qm", "base");
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  function check(base: string) {
    const summary = join(repo, "..", `${repo.split("/").at(-1)}-summary.md`);
    const output = `${summary}.out`;
    writeFileSync(summary, "");
    writeFileSync(output, "");
    const run = spawnSync(process.execPath, [join(root, "actions/schema-check/check.mjs")], {
      cwd: repo,
      encoding: "utf8",
      env: {
        ...process.env,
        VIGIL_DIR: root,
        BASE: base,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_OUTPUT: output,
      },
    });
    const result = {
      status: run.status,
      stdout: run.stdout,
      summary: readFileSync(summary, "utf8"),
      output: readFileSync(output, "utf8"),
    };
    rmSync(summary);
    rmSync(output);
    return result;
  }

  it("fails the job on a breaking change, with the table in the job summary and annotations", () => {
    const base = git("rev-parse", "HEAD");
    git("checkout", "-qb", "breaking");
    writeFileSync(
      join(repo, "orders.json"),
      schema([
        ["id", "int64"],
        ["amount", "string"],
        ["note", "string"],
      ]),
    );
    git("commit", "-qam", "amount becomes a string");
    const run = check(base);
    expect(run.status, run.stdout).toBe(1);
    expect(run.summary).toContain("| Dataset | Field | Change | Breaking | Why |");
    expect(run.summary).toMatch(/\| `orders` \| `amount` \| type int64 → string \| \*\*yes\*\* \|/);
    // A required field is new to producers: breaking too, as in the PR check.
    expect(run.summary).toMatch(
      /\| `orders` \| `note` \| added \(string\) \| \*\*yes\*\* \| required field added/,
    );
    expect(run.summary).toContain("2 breaking changes of 2");
    expect(run.stdout).toMatch(
      /^::error file=orders\.json,title=orders\.amount%3A type int64 → string \(breaking\)::/m,
    );
    expect(run.output).toBe("breaking=true\n");
  }, 60_000);

  it("passes a change that breaks nothing, diffing against the merge base", () => {
    git("checkout", "-q", "main");
    const base = git("rev-parse", "HEAD");
    git("checkout", "-qb", "additive");
    writeFileSync(
      join(repo, "orders.json"),
      schema([
        ["id", "int64"],
        ["amount", "int64"],
        ["note", "string"],
      ]),
    );
    writeFileSync(
      join(repo, "orders.json"),
      JSON.stringify({
        fields: [
          { name: "id", type: "int64", nullable: false },
          { name: "amount", type: "int64", nullable: false },
          { name: "note", type: "string", nullable: true },
        ],
      }),
    );
    git("commit", "-qam", "a nullable note");
    // The base branch moves on meanwhile: its own change is not this branch's.
    git("checkout", "-q", "main");
    writeFileSync(join(repo, "orders.json"), schema([["id", "int64"]]));
    git("commit", "-qam", "main drops amount");
    const mainHead = git("rev-parse", "HEAD");
    git("checkout", "-q", "additive");
    const run = check(mainHead);
    expect(run.status, run.stdout).toBe(0);
    expect(run.summary).toContain(`against ${base.slice(0, 7)}`);
    expect(run.summary).toMatch(/\| `note` \| added \(string\) \| no \|/);
    expect(run.output).toBe("breaking=false\n");
  }, 60_000);
});
