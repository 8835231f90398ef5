// The schema check of actions/schema-check, run by its action.yml (and by Vigil's tests): every
// schema file .vigil.yml lists, at the merge base and at the head, through `vigil schema diff
// --json` (Vigil's bin, from VIGIL_DIR) — the same diff the `Vigil / schema` PR check makes.
// Writes the table of changes to the job summary, annotates each change, and exits 1 when a change
// reaches .vigil.yml's failOn (breaking by default).
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const env = process.env;

// GitHub's workflow commands (annotations), escaped as @actions/core escapes them.
const escapeData = (v) => String(v).replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (v) => escapeData(v).replace(/:/g, "%3A").replace(/,/g, "%2C");
function annotate(level, properties, message) {
  const props = Object.entries(properties)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(",");
  console.log(`::${level} ${props}::${escapeData(message)}`);
}
const fail = (message) => {
  annotate("error", { title: "Vigil schema check" }, message);
  process.exit(2);
};

const vigilDir = env.VIGIL_DIR;
if (!vigilDir || !existsSync(join(vigilDir, "bin", "vigil.js")))
  fail(
    "Vigil is not installed: give the action's vigil-package input, or add vigil to the repository's dependencies",
  );
// Vigil's own YAML parser, so .vigil.yml reads here as it does in the PR check.
const YAML = createRequire(join(vigilDir, "package.json"))("yaml");

const configPath = env.CONFIG || ".vigil.yml";
if (!existsSync(configPath)) fail(`${configPath} not found: list the schema files to check there`);
const config = YAML.parse(readFileSync(configPath, "utf8")) ?? {};
const schemas = Array.isArray(config.schemas) ? config.schemas : [];
const failOn = config.failOn ?? "breaking";
if (!["breaking", "any", "never"].includes(failOn))
  fail(`${configPath}: failOn must be breaking, any or never`);
for (const [i, s] of schemas.entries())
  if (typeof s?.dataset !== "string" || typeof s?.path !== "string")
    fail(`${configPath}: schemas[${i}] needs a dataset and a path`);

const git = (...args) =>
  execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
if (!env.BASE) fail("no base commit: run on pull_request, or give the base input");
let mergeBase;
try {
  mergeBase = git("merge-base", env.BASE, "HEAD");
} catch {
  fail(`cannot find the merge base of ${env.BASE} and HEAD: check out with fetch-depth: 0`);
}

const work = mkdtempSync(join(tmpdir(), "vigil-schema-check-"));
const rows = [];
const notes = [];
let breaking = false;
let failing = false;
try {
  for (const [i, s] of schemas.entries()) {
    const headExists = existsSync(s.path);
    let baseText;
    try {
      baseText = git("show", `${mergeBase}:${s.path}`);
    } catch {
      baseText = undefined;
    }
    if (baseText === undefined && !headExists) {
      notes.push(`\`${s.dataset}\`: ${s.path} exists neither at the base nor at the head`);
      continue;
    }
    if (baseText === undefined) {
      notes.push(`\`${s.dataset}\`: new (${s.path})`);
      continue;
    }
    if (!headExists) {
      rows.push([s.dataset, "*", `file deleted (${s.path})`, true, "every field is gone"]);
      annotate(
        "error",
        { file: configPath, title: `${s.dataset}: schema file deleted (breaking)` },
        `${s.path} is gone`,
      );
      breaking = true;
      if (failOn !== "never") failing = true;
      continue;
    }
    const baseFile = join(work, `base-${i}`);
    writeFileSync(baseFile, `${baseText}\n`);
    const args = [join(vigilDir, "bin", "vigil.js"), "schema", "diff", baseFile, s.path, "--json"];
    if (s.format) args.push("--format", s.format);
    if (s.table) args.push("--table", s.table);
    const run = spawnSync(process.execPath, args, { encoding: "utf8" });
    if (run.status === 2 || run.status === null) {
      const message = (() => {
        try {
          return JSON.parse(run.stdout).error.message;
        } catch {
          return (run.stderr || "vigil schema diff failed").trim();
        }
      })();
      notes.push(`\`${s.dataset}\`: not checked — ${message}`);
      annotate("warning", { file: s.path, title: `${s.dataset}: not a schema Vigil reads` }, message);
      continue;
    }
    const diff = JSON.parse(run.stdout);
    for (const c of diff.changes) {
      const what = describe(c);
      rows.push([s.dataset, c.path, what, c.breaking, c.reason]);
      const level = c.breaking ? "error" : "warning";
      annotate(
        level,
        { file: s.path, title: `${s.dataset}.${c.path}: ${what}${c.breaking ? " (breaking)" : ""}` },
        c.reason,
      );
      if (c.breaking) breaking = true;
      if ((failOn === "breaking" && c.breaking) || failOn === "any") failing = true;
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** As the PR check words a change (src/github/schema-report.ts describeChange). */
function describe(c) {
  switch (c.kind) {
    case "field_added":
      return `added (${c.to})`;
    case "field_removed":
      return `removed (was ${c.from})`;
    case "field_renamed":
      return `renamed from ${c.from}`;
    case "possible_rename":
      return `removed ${c.from}, added ${c.to}`;
    case "type_changed":
      return `type ${c.from} → ${c.to}`;
    case "nullability_changed":
      return `${c.from} → ${c.to}`;
    default:
      return "description";
  }
}

const cell = (v) => String(v).replace(/\|/g, "\\|").replace(/\n/g, " ");
const lines = ["## Vigil schema check", ""];
if (rows.length === 0) lines.push(`No schema changes in the ${schemas.length} file(s) ${configPath} lists.`);
else {
  const n = rows.filter((r) => r[3]).length;
  lines.push(
    `${n} breaking change${n === 1 ? "" : "s"} of ${rows.length} against ${mergeBase.slice(0, 7)}.`,
    "",
  );
  lines.push("| Dataset | Field | Change | Breaking | Why |", "|---|---|---|---|---|");
  for (const [dataset, field, what, isBreaking, why] of rows)
    lines.push(
      `| \`${cell(dataset)}\` | \`${cell(field)}\` | ${cell(what)} | ${isBreaking ? "**yes**" : "no"} | ${cell(why)} |`,
    );
}
if (notes.length) lines.push("", ...notes.map((n) => `- ${n}`));
const summary = `${lines.join("\n")}\n`;
if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summary);
else process.stdout.write(summary);
if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `breaking=${breaking}\n`);
process.exit(failing ? 1 : 0);
