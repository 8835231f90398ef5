/**
 * The `Vigil / contracts` check: each model contract file the pull request changes, evaluated at
 * the head and at the merge base against the model's stored predictions of the last
 * `contractWindowHours` — how much of that traffic the proposed contract would flag, next to what
 * the current one flags — and the check run GitHub shows for it (pure report below).
 */
import type { z } from "zod";
import type { Db } from "../db/client.ts";
import { DomainError } from "../lib/errors.ts";
import { evaluateContractsOnWindow, type WindowEvaluation } from "../predictions/evaluate.ts";
import { ContractIn } from "../predictions/model.ts";
import {
  type Annotation,
  type CheckOutput,
  type Conclusion,
  capAnnotations,
  cell,
  code,
  fitSummary,
  percent,
  plural,
  sortAnnotations,
} from "./check-output.ts";
import { keyLine } from "./locate.ts";
import type { ChangedFile, RepoReader } from "./repo-files.ts";
import type { VigilFile } from "./vigil-file.ts";

export type ContractState =
  | "unchanged"
  | "evaluated"
  /** Changed, but the installation has no project to read predictions from. */
  | "unlinked"
  /** No predictions of the model in the window. */
  | "no_data"
  | "deleted"
  | "broken";

export interface ContractCheck {
  model: string;
  path: string;
  configLine: number;
  state: ContractState;
  problem?: { message: string; path: string; line: number };
  /** The head contract's violationThreshold. */
  threshold?: number;
  /** results[0] is the head contract's, results[1] the base's when there was one. */
  evaluation?: WindowEvaluation;
  hasBase?: boolean;
  /** The line of a field's rule in the head file. */
  fieldLine?: (field: string) => number | undefined;
}

export interface ContractCheckInput {
  reader: RepoReader;
  base: string;
  head: string;
  file: VigilFile;
  lines: number[];
  changed?: Map<string, ChangedFile>;
  configPath: string;
  db: Db;
  projectId: string | null;
  now: Date;
}

class BrokenContract extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** A contract file as PUT /api/v1/contracts/{model} takes it; BrokenContract says what and where. */
export function parseContractFile(text: string): ContractIn {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BrokenContract(`not valid JSON: ${(error as Error).message}`, 1);
  }
  const parsed = ContractIn.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    const line = lineOfPath(text, path);
    throw new BrokenContract(
      `${path.join(".") || "contract"}: ${issue.message}${moreIssues(parsed.error)}`,
      line,
    );
  }
  return parsed.data;
}

const moreIssues = (error: z.ZodError) =>
  error.issues.length > 1 ? ` (and ${plural(error.issues.length - 1, "more problem")})` : "";

function lineOfPath(text: string, path: (string | number)[]): number {
  for (let n = path.length; n > 0; n--) {
    const line = keyLine(text, path.slice(0, n));
    if (line !== undefined) return line;
  }
  return 1;
}

export async function checkContracts(input: ContractCheckInput): Promise<ContractCheck[]> {
  const { reader, base, head, changed } = input;
  const out: ContractCheck[] = [];
  for (const [i, entry] of input.file.contracts.entries()) {
    const common = { model: entry.model, path: entry.path, configLine: input.lines[i] ?? 1 };
    const basePath = changed?.get(entry.path)?.previousFilename ?? entry.path;
    if (changed !== undefined && !changed.has(entry.path)) {
      out.push({ ...common, state: "unchanged" });
      continue;
    }
    const headText = await reader.file(entry.path, head);
    if (headText === undefined) {
      const existed = (await reader.file(basePath, base)) !== undefined;
      out.push(
        existed
          ? { ...common, state: "deleted" }
          : {
              ...common,
              state: "broken",
              problem: {
                message: `${entry.path} does not exist at the head commit`,
                path: input.configPath,
                line: common.configLine,
              },
            },
      );
      continue;
    }
    let contract: ContractIn;
    try {
      contract = parseContractFile(headText);
    } catch (error) {
      if (!(error instanceof BrokenContract)) throw error;
      out.push({
        ...common,
        state: "broken",
        problem: { message: `${entry.path}: ${error.message}`, path: entry.path, line: error.line },
      });
      continue;
    }
    const baseText = await reader.file(basePath, base);
    let before: ContractIn | undefined;
    try {
      before = baseText === undefined ? undefined : parseContractFile(baseText);
    } catch (error) {
      // A base that does not parse is compared with nothing.
      if (!(error instanceof BrokenContract)) throw error;
    }
    const fieldLine = (field: string) => keyLine(headText, ["fields", field]);
    const known = {
      ...common,
      threshold: contract.violationThreshold,
      fieldLine,
      hasBase: before !== undefined,
    };
    if (input.projectId === null) {
      out.push({ ...known, state: "unlinked" });
      continue;
    }
    const to = input.now;
    const from = new Date(to.getTime() - input.file.contractWindowHours * 3_600_000);
    let evaluation: WindowEvaluation;
    try {
      evaluation = await evaluateContractsOnWindow(
        input.db,
        input.projectId,
        entry.model,
        before ? [contract, before] : [contract],
        { from, to },
      );
    } catch (error) {
      // Rules zod accepts but that cannot be applied (a pattern that does not compile).
      if (!(error instanceof DomainError) || error.kind !== "invalid") throw error;
      out.push({
        ...known,
        state: "broken",
        problem: { message: `${entry.path}: ${error.message}`, path: entry.path, line: 1 },
      });
      continue;
    }
    out.push({ ...known, state: evaluation.rows === 0 ? "no_data" : "evaluated", evaluation });
  }
  return out;
}

// ---- the report (pure) ----

export interface ContractReportContext {
  windowHours: number;
  overrideLabel: string;
  overridden: boolean;
  installationId: number;
  configPath: string;
}

const failing = (c: ContractCheck) =>
  c.state === "evaluated" &&
  c.threshold !== undefined &&
  c.evaluation!.results[0]!.violationRate > c.threshold;

const count = (n: number) => n.toLocaleString("en-US");

export function contractsConclusion(
  checks: readonly ContractCheck[],
  ctx: Pick<ContractReportContext, "overridden" | "overrideLabel">,
): { conclusion: Conclusion; title: string } {
  const fails = checks.filter(failing);
  if (fails.length > 0) {
    const what = `${plural(fails.length, "contract")} would flag more traffic than allowed`;
    if (ctx.overridden)
      return { conclusion: "success", title: `${what}, allowed by the ${ctx.overrideLabel} label` };
    return { conclusion: "failure", title: what };
  }
  const broken = checks.filter((c) => c.state === "broken").length;
  if (broken > 0)
    return { conclusion: "neutral", title: `${plural(broken, "contract file")} could not be checked` };
  if (checks.some((c) => c.state === "unlinked"))
    return {
      conclusion: "neutral",
      title: "Not evaluated: this installation is not linked to a Vigil project",
    };
  const evaluated = checks.filter((c) => c.state === "evaluated").length;
  const noData = checks.filter((c) => c.state === "no_data").length;
  if (evaluated > 0)
    return { conclusion: "success", title: `${plural(evaluated, "changed contract")} within threshold` };
  if (noData > 0) return { conclusion: "neutral", title: "No stored predictions to evaluate against" };
  return { conclusion: "success", title: "No contract changed" };
}

function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf(".");
  return [key.slice(0, dot), key.slice(dot + 1)];
}

function contractSection(c: ContractCheck, ctx: ContractReportContext): string {
  const head = `#### ${code(c.model)} — ${code(c.path)}`;
  switch (c.state) {
    case "unchanged":
      return "";
    case "deleted":
      return `${head}\n\nThe contract file is deleted in this pull request; Vigil keeps the stored contract until it is deleted there (\`DELETE /api/v1/contracts/${c.model}\`).`;
    case "broken":
      return `${head}\n\n**Could not be checked:** ${cell(c.problem?.message ?? "")}`;
    case "unlinked":
      return `${head}\n\nChanged, but not evaluated: link this installation to the Vigil project that stores ${code(c.model)}'s predictions (${code(`vigil github link --installation ${ctx.installationId} --project NAME`)}).`;
    case "no_data":
      return `${head}\n\nNo predictions of ${code(c.model)} in the last ${plural(ctx.windowHours, "hour")}: nothing to evaluate against.`;
    case "evaluated":
      break;
  }
  const e = c.evaluation!;
  const now = e.results[0]!;
  const was = c.hasBase ? e.results[1] : undefined;
  const over = now.violationRate > c.threshold!;
  const rows = e.sampled
    ? `the newest ${count(e.evaluated)} of ${count(e.rows)} rows`
    : `${count(e.rows)} rows`;
  const lines = [
    head,
    `This change would have flagged **${percent(now.violationRate)}** of the last ${plural(ctx.windowHours, "hour")} of traffic (${count(now.flagged)} of ${rows})` +
      (was ? `, was ${percent(was.violationRate)} (${count(was.flagged)})` : ", a new contract") +
      `. Threshold ${percent(c.threshold!)}: ${over ? "**over it**" : "within it"}.`,
  ];
  const keys = [...new Set([...Object.keys(now.byRule), ...Object.keys(was?.byRule ?? {})])].sort(
    (a, b) => (now.byRule[b] ?? 0) - (now.byRule[a] ?? 0) || a.localeCompare(b),
  );
  if (keys.length > 0) {
    const share = (n: number) => `${count(n)} (${percent(e.evaluated ? n / e.evaluated : 0)})`;
    lines.push(
      [
        `| Field | Rule | Would flag | ${was ? "Was" : "—"} |`,
        "|---|---|---|---|",
        ...keys.map((k) => {
          const [field, rule] = splitKey(k);
          return `| ${cell(code(field))} | ${rule} | ${share(now.byRule[k] ?? 0)} | ${was ? share(was.byRule[k] ?? 0) : ""} |`;
        }),
      ].join("\n"),
    );
  }
  for (const b of now.nullRateBreaches)
    lines.push(
      `- ${code(b.field)} is null or missing in ${percent(b.rate)} of rows (maxNullRate ${percent(b.max)})`,
    );
  return lines.join("\n\n");
}

export function contractAnnotations(checks: readonly ContractCheck[]): Annotation[] {
  const out: Annotation[] = [];
  for (const c of checks) {
    if (c.state === "broken" && c.problem) {
      out.push({
        path: c.problem.path,
        start_line: c.problem.line,
        end_line: c.problem.line,
        annotation_level: "warning",
        title: `${c.model}: not checked`,
        message: c.problem.message,
      });
      continue;
    }
    if (c.state !== "evaluated") continue;
    const e = c.evaluation!;
    const now = e.results[0]!;
    const was = c.hasBase ? e.results[1] : undefined;
    const level = failing(c) ? "failure" : "warning";
    for (const [key, n] of Object.entries(now.byRule)) {
      const before = was?.byRule[key] ?? 0;
      if (n <= before) continue;
      const [field, rule] = splitKey(key);
      const line = c.fieldLine?.(field) ?? 1;
      out.push({
        path: c.path,
        start_line: line,
        end_line: line,
        annotation_level: level,
        title: `${c.model}.${field}: ${rule}`,
        message: `Would flag ${count(n)} of ${count(e.evaluated)} rows (${percent(n / e.evaluated)}) by ${rule}${was ? `; the base flags ${count(before)}` : ""}`,
      });
    }
  }
  return sortAnnotations(out);
}

export function contractsReport(checks: readonly ContractCheck[], ctx: ContractReportContext): CheckOutput {
  const { conclusion, title } = contractsConclusion(checks, ctx);
  const { annotations, note } = capAnnotations(contractAnnotations(checks));
  const changed = checks.filter((c) => c.state !== "unchanged");
  const unchanged = checks.length - changed.length;
  const fails = checks.some(failing);
  const summary = fitSummary([
    `**${title}.** ${plural(changed.length, "contract file")} changed in this pull request` +
      (unchanged ? ` (${unchanged} unchanged)` : "") +
      `; each is evaluated against the model's stored predictions of the last ${plural(ctx.windowHours, "hour")} and fails above its \`violationThreshold\`.`,
    fails && ctx.overridden
      ? `> [!NOTE]\n> The ${code(ctx.overrideLabel)} label on this pull request allows this: the check passes.`
      : fails
        ? `Add the ${code(ctx.overrideLabel)} label to merge anyway.`
        : "",
    ...changed.map((c) => contractSection(c, ctx)),
    note,
  ]);
  return { conclusion, title, summary, annotations };
}
