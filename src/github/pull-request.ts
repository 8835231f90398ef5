/**
 * The PR checks of one pull request at one head commit: read `.vigil.yml` there, then run
 * `Vigil / schema` and (when it lists contracts) `Vigil / contracts`, each one check run. Takes an
 * installation's Octokit and plain data, never HTTP, so webhook handlers, re-runs and tests share it.
 */
import { RequestError } from "@octokit/request-error";
import type { Logger } from "pino";
import type { Db } from "../db/client.ts";
import { DomainError } from "../lib/errors.ts";
import type { GitHubOctokit } from "./app.ts";
import type { CheckKind, CheckOutput } from "./check-output.ts";
import { CheckRun, type CheckRunTarget } from "./check-run.ts";
import { checkContracts, contractsReport } from "./contracts-check.ts";
import { RepoReader } from "./repo-files.ts";
import { addImpact, checkSchemas } from "./schema-check.ts";
import { brokenConfigReport, schemaReport } from "./schema-report.ts";
import { parseVigilFile, VIGIL_FILE_NAMES, type VigilFile } from "./vigil-file.ts";

export interface PullRequestTarget {
  installationId: number;
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  labels: string[];
}

export interface CheckEnv {
  db: Db;
  log: Logger;
  /** The project the installation is linked to: lineage and stored predictions come from it. */
  projectId: string | null;
  deliveryId?: string;
  now?: () => Date;
}

export interface ChecksRun {
  ran: CheckKind[];
  /** Why nothing ran. */
  skipped?: string;
}

/** Runs the checks `kinds` (both by default). `labelChanged`: only a change of the override label reruns them. */
export async function runPullRequestChecks(
  env: CheckEnv,
  octokit: GitHubOctokit,
  pr: PullRequestTarget,
  options: { kinds?: readonly CheckKind[]; labelChanged?: string } = {},
): Promise<ChecksRun> {
  const kinds = options.kinds ?? ["schema", "contracts"];
  const reader = new RepoReader(octokit, { owner: pr.owner, repo: pr.repo });
  let configPath: string | undefined;
  let configText: string | undefined;
  for (const name of VIGIL_FILE_NAMES) {
    configText = await reader.file(name, pr.headSha);
    if (configText !== undefined) {
      configPath = name;
      break;
    }
  }
  if (configText === undefined || configPath === undefined) return { ran: [], skipped: "no .vigil.yml" };
  const parsed = parseVigilFile(configText);
  if (
    options.labelChanged !== undefined &&
    (!parsed.ok || options.labelChanged !== parsed.file.overrideLabel)
  )
    return { ran: [], skipped: `label ${options.labelChanged} is not the override label` };

  const target: CheckRunTarget = {
    owner: pr.owner,
    repo: pr.repo,
    installationId: pr.installationId,
    headSha: pr.headSha,
    pullNumber: pr.number,
    projectId: env.projectId,
    ...(env.deliveryId ? { deliveryId: env.deliveryId } : {}),
  };
  const ran: CheckKind[] = [];
  if (!parsed.ok) {
    if (kinds.includes("schema")) {
      await runCheck(env, octokit, target, "schema", async () =>
        brokenConfigReport(configPath, parsed.problems),
      );
      ran.push("schema");
    }
    return { ran };
  }
  const { file, lines } = parsed;
  const overridden = pr.labels.includes(file.overrideLabel);
  const wantsContracts = kinds.includes("contracts") && file.contracts.length > 0;
  if (!kinds.includes("schema") && !wantsContracts) return { ran };

  // The pull request's diff is against the merge base, not the base branch's tip: so are the checks.
  // Read once, inside the first check, so its run shows as in progress before any of it.
  let shared:
    | Promise<{
        base: string;
        changed: Awaited<ReturnType<RepoReader["changedFiles"]>>;
        baseFile?: VigilFile;
      }>
    | undefined;
  const context = () =>
    (shared ??= (async () => {
      const base = await reader.mergeBase(pr.baseSha, pr.headSha);
      const changed = await reader.changedFiles(pr.number);
      const baseConfig = await reader.file(configPath, base);
      const baseParsed = baseConfig === undefined ? undefined : parseVigilFile(baseConfig);
      return { base, changed, ...(baseParsed?.ok ? { baseFile: baseParsed.file } : {}) };
    })());
  const inputs = async () => {
    const { base, changed, baseFile } = await context();
    return { reader, base, head: pr.headSha, file, changed, configPath, baseFile };
  };

  if (kinds.includes("schema")) {
    await runCheck(env, octokit, target, "schema", async () => {
      const checks = await checkSchemas({ ...(await inputs()), lines: lines.schemas });
      if (env.projectId) await addImpact(env.db, env.projectId, checks);
      return schemaReport(checks, {
        failOn: file.failOn,
        overrideLabel: file.overrideLabel,
        overridden,
        linked: env.projectId !== null,
        installationId: pr.installationId,
        configPath,
      });
    });
    ran.push("schema");
  }
  if (wantsContracts) {
    await runCheck(env, octokit, target, "contracts", async () => {
      const checks = await checkContracts({
        ...(await inputs()),
        lines: lines.contracts,
        db: env.db,
        projectId: env.projectId,
        now: env.now?.() ?? new Date(),
      });
      return contractsReport(checks, {
        windowHours: file.contractWindowHours,
        overrideLabel: file.overrideLabel,
        overridden,
        installationId: pr.installationId,
        configPath,
      });
    });
    ran.push("contracts");
  }
  return { ran };
}

/**
 * Creates the run, works out its output, completes it. A failure on the way completes the run as
 * neutral with the reason (so no run is left spinning) and is thrown again, for the job to retry.
 */
async function runCheck(
  env: CheckEnv,
  octokit: GitHubOctokit,
  target: CheckRunTarget,
  kind: CheckKind,
  work: () => Promise<CheckOutput>,
): Promise<void> {
  const run = await CheckRun.start(env.db, octokit, target, kind);
  try {
    await run.complete(await work());
  } catch (error) {
    // Say what went wrong where it is the user's to know (GitHub's answers, bad input), not internals.
    const message =
      error instanceof DomainError || error instanceof RequestError
        ? error.message
        : "an internal error (Vigil's logs have it)";
    env.log.warn(
      { err: error, check: run.name, repo: `${target.owner}/${target.repo}` },
      "GitHub check failed",
    );
    await run
      .complete({
        conclusion: "neutral",
        title: "Vigil could not finish this check",
        summary: `Vigil hit an error and will try again: ${message}`,
        annotations: [],
      })
      .catch(() => {});
    throw error;
  }
}
