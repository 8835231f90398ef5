/** The `Vigil / schema` check run as GitHub shows it: conclusion, title, summary, annotations (pure). */
import type { ImpactedNode, SchemaChange } from "../schemas/check.ts";
import {
  type Annotation,
  type CheckOutput,
  type Conclusion,
  capAnnotations,
  cell,
  code,
  fitSummary,
  plural,
  sortAnnotations,
} from "./check-output.ts";
import type { DatasetCheck } from "./schema-check.ts";
import type { FailOn, FileProblem } from "./vigil-file.ts";

export interface SchemaReportContext {
  failOn: FailOn;
  overrideLabel: string;
  /** The pull request carries the override label. */
  overridden: boolean;
  /** The installation is linked to a project (else the summary says how to link it). */
  linked: boolean;
  installationId: number;
  configPath: string;
}

const datasetName = (c: { dataset: string; namespace?: string }) =>
  c.namespace ? `${c.namespace}/${c.dataset}` : c.dataset;

/** The changes `failOn` fails on. */
export function failingChanges(changes: readonly SchemaChange[], failOn: FailOn): SchemaChange[] {
  if (failOn === "never") return [];
  return failOn === "any" ? [...changes] : changes.filter((c) => c.breaking);
}

/**
 * failure when a change is at or above `failOn` (success when the override label allows it), else
 * neutral when a file could not be checked, else success.
 */
export function schemaConclusion(
  checks: readonly DatasetCheck[],
  ctx: Pick<SchemaReportContext, "failOn" | "overrideLabel" | "overridden">,
): { conclusion: Conclusion; title: string } {
  const changes = checks.flatMap((c) => c.changes);
  const failing = failingChanges(changes, ctx.failOn);
  const breaking = changes.filter((c) => c.breaking).length;
  const broken = checks.filter((c) => c.state === "broken").length;
  const datasets = checks.filter((c) => failingChanges(c.changes, ctx.failOn).length > 0).length;
  if (failing.length > 0) {
    const what =
      ctx.failOn === "any"
        ? plural(failing.length, "schema change")
        : plural(failing.length, "breaking change");
    if (ctx.overridden)
      return { conclusion: "success", title: `${what} allowed by the ${ctx.overrideLabel} label` };
    return { conclusion: "failure", title: `${what} in ${plural(datasets, "dataset")}` };
  }
  if (broken > 0)
    return { conclusion: "neutral", title: `${plural(broken, "schema file")} could not be checked` };
  if (changes.length === 0) return { conclusion: "success", title: "No schema changes" };
  const title =
    breaking > 0
      ? `${plural(breaking, "breaking change")}, not failing (failOn: never)`
      : `${plural(changes.length, "schema change")}, none breaking`;
  return { conclusion: "success", title };
}

export function describeChange(c: SchemaChange): string {
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
    case "description_changed":
      return "description";
  }
}

function changesTable(checks: readonly DatasetCheck[]): string {
  const rows = checks.flatMap((check) =>
    check.changes.map(
      (c) =>
        `| ${cell(code(datasetName(check)))} | ${cell(code(c.path))} | ${cell(describeChange(c))} | ${c.breaking ? "**yes**" : "no"} | ${cell(c.reason)} |`,
    ),
  );
  if (rows.length === 0) return "";
  return ["| Dataset | Field | Change | Breaking | Why |", "|---|---|---|---|---|", ...rows].join("\n");
}

function readerRow(n: ImpactedNode): string {
  const via = n.path
    .map((s) => s.via)
    .filter((v): v is NonNullable<typeof v> => v !== undefined)
    .map((v) => code(v.name));
  return `| ${cell(code(n.name))} | ${n.kind} | ${cell(n.fields.length ? n.fields.map(code).join(", ") : "all")} | ${cell(via.join(", ") || "—")} | ${n.depth} |`;
}

function lineageSection(checks: readonly DatasetCheck[], ctx: SchemaReportContext): string {
  const withReaders = checks.filter((c) =>
    c.changes.some((x) => x.kind !== "field_added" && x.kind !== "description_changed"),
  );
  if (withReaders.length === 0) return "";
  if (!ctx.linked)
    return [
      "### Who reads these fields",
      `This installation is not linked to a Vigil project, so Vigil cannot say who reads these fields. Link it with ${code(`vigil github link --installation ${ctx.installationId} --project NAME`)}, or install the App from ${code("GET /api/v1/github/install")}.`,
    ].join("\n\n");
  const parts = ["### Who reads these fields"];
  for (const check of withReaders) {
    if (check.impact === undefined) continue;
    if (check.impact === null) {
      parts.push(
        `${code(datasetName(check))}: Vigil has no lineage for this dataset yet (no snapshot or OpenLineage event named it).`,
      );
      continue;
    }
    const { impacted, truncated } = check.impact;
    if (impacted.length === 0) {
      parts.push(`${code(datasetName(check))}: nothing downstream reads the changed fields.`);
      continue;
    }
    parts.push(
      [
        `${code(datasetName(check))}: ${plural(impacted.length, "reader")} downstream${truncated ? " (lineage cut off at its depth limit)" : ""}`,
        "",
        "| Reader | Kind | Fields | Through | Depth |",
        "|---|---|---|---|---|",
        ...impacted.map(readerRow),
      ].join("\n"),
    );
  }
  return parts.join("\n\n");
}

function otherDatasets(checks: readonly DatasetCheck[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    const name = code(datasetName(c));
    if (c.state === "added")
      lines.push(`- ${name}: new dataset (${plural(c.fieldCount ?? 0, "field")}) in ${code(c.path)}`);
    if (c.state === "deleted")
      lines.push(
        `- ${name}: schema file ${code(c.path)} deleted — all ${plural(c.fieldCount ?? 0, "field")} removed`,
      );
    if (c.state === "dropped")
      lines.push(`- ${name}: no longer listed in \`.vigil.yml\`, not checked any more`);
    if (c.state === "broken")
      lines.push(`- ${name}: **could not be checked** — ${cell(c.problem?.message ?? "")}`);
    if (c.basePath && c.state === "changed")
      lines.push(`- ${name}: moved from ${code(c.basePath)} to ${code(c.path)}`);
  }
  const unchanged = checks.filter((c) => c.state === "unchanged").length;
  if (unchanged > 0) lines.push(`- ${plural(unchanged, "other dataset")} unchanged`);
  return lines.join("\n");
}

export function schemaAnnotations(checks: readonly DatasetCheck[], configPath: string): Annotation[] {
  const out: Annotation[] = [];
  for (const check of checks) {
    const name = datasetName(check);
    if (check.state === "broken" && check.problem) {
      out.push({
        path: check.problem.path,
        start_line: check.problem.line,
        end_line: check.problem.line,
        annotation_level: "warning",
        title: `${name}: not checked`,
        message: check.problem.message,
      });
      continue;
    }
    if (check.state === "deleted") {
      const line = check.configLine ?? 1;
      out.push({
        path: configPath,
        start_line: line,
        end_line: line,
        annotation_level: "failure",
        title: `${name}: schema file deleted`,
        message: `${check.path} is deleted: all ${plural(check.fieldCount ?? 0, "field")} of ${name} are removed, and readers that select them break`,
      });
      continue;
    }
    for (const c of check.changes) {
      const line = c.kind === "field_removed" ? 1 : (check.locate?.(c.path) ?? 1);
      const message =
        c.kind === "field_removed"
          ? `Field ${c.path} (${c.from}) was removed: ${c.reason}`
          : `${c.path}: ${describeChange(c)} — ${c.reason}`;
      out.push({
        path: check.path,
        start_line: line,
        end_line: line,
        annotation_level: c.breaking ? "failure" : "warning",
        title: `${name}.${c.path}: ${c.kind.replace(/_/g, " ")}${c.breaking ? " (breaking)" : ""}`,
        message,
      });
    }
  }
  return sortAnnotations(out);
}

export function schemaReport(checks: readonly DatasetCheck[], ctx: SchemaReportContext): CheckOutput {
  const { conclusion, title } = schemaConclusion(checks, ctx);
  const { annotations, note } = capAnnotations(schemaAnnotations(checks, ctx.configPath));
  const failOnText = {
    breaking: "breaking changes",
    any: "any schema change",
    never: "nothing (report only)",
  }[ctx.failOn];
  const failing = failingChanges(
    checks.flatMap((c) => c.changes),
    ctx.failOn,
  ).length;
  const override =
    ctx.overridden && failing > 0
      ? `> [!NOTE]\n> The ${code(ctx.overrideLabel)} label on this pull request allows these changes: the check passes.`
      : failing > 0
        ? `Add the ${code(ctx.overrideLabel)} label to merge anyway.`
        : "";
  const summary = fitSummary([
    `**${title}.** ${plural(checks.length, "dataset")} checked; this check fails on ${failOnText} (\`failOn: ${ctx.failOn}\`).`,
    override,
    changesTable(checks),
    otherDatasets(checks),
    lineageSection(checks, ctx),
    note,
  ]);
  return { conclusion, title, summary, annotations };
}

/** A `.vigil.yml` that does not parse or validate: neutral, each problem on its line. */
export function brokenConfigReport(configPath: string, problems: readonly FileProblem[]): CheckOutput {
  const title = `${configPath} is not valid`;
  return {
    conclusion: "neutral",
    title,
    summary: fitSummary([
      `**${title}**, so nothing was checked. Fix it and push again:`,
      problems.map((p) => `- line ${p.line}: ${cell(p.message)}`).join("\n"),
    ]),
    annotations: capAnnotations(
      problems.map((p) => ({
        path: configPath,
        start_line: p.line,
        end_line: p.line,
        annotation_level: "failure" as const,
        title: `${configPath}: invalid`,
        message: p.message,
      })),
    ).annotations,
  };
}
