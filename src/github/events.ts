/**
 * What each webhook event does, as handlers of typed payloads (probot's model, without HTTP):
 * installations and their repositories are tracked; pull requests and re-run requests run the PR
 * checks; runs of dispatched workflows are announced (workflow-runs.ts) for whoever tracks them.
 * The webhook route only decides which events to keep (`handles`).
 */
import type { EmitterWebhookEvent, EmitterWebhookEventName } from "@octokit/webhooks";
import type { Logger } from "pino";
import type { Db } from "../db/client.ts";
import type { GitHubOctokit } from "./app.ts";
import { CHECK_NAMES, type CheckKind } from "./check-output.ts";
import { type ChecksRun, type PullRequestTarget, runPullRequestChecks } from "./pull-request.ts";
import {
  addRepositories,
  deleteInstallation,
  getInstallation,
  removeRepositories,
  upsertInstallation,
} from "./store.ts";
import { isDispatchedRun, type WorkflowRunNotice, webhookNotice } from "./workflow-runs.ts";

type Payload<E extends EmitterWebhookEventName> = EmitterWebhookEvent<E>["payload"];
type PullRequestPayload = Payload<
  | "pull_request.opened"
  | "pull_request.synchronize"
  | "pull_request.reopened"
  | "pull_request.labeled"
  | "pull_request.unlabeled"
>;

/** The events and actions Vigil acts on; everything else is answered and dropped. */
const HANDLED: Record<string, readonly string[]> = {
  pull_request: ["opened", "synchronize", "reopened", "labeled", "unlabeled"],
  check_suite: ["rerequested"],
  check_run: ["rerequested"],
  installation: ["created", "deleted", "suspend", "unsuspend", "new_permissions_accepted"],
  installation_repositories: ["added", "removed"],
  workflow_run: ["requested", "in_progress", "completed"],
};

/** Whether Vigil keeps a delivery; of workflow runs, only those a `workflow_dispatch` started. */
export function handles(event: string, action: string | undefined, payload?: unknown): boolean {
  if (action === undefined || !(HANDLED[event]?.includes(action) ?? false)) return false;
  return event !== "workflow_run" || isDispatchedRun(payload);
}

export interface HandlerContext {
  db: Db;
  log: Logger;
  installationOctokit(installationId: number): Promise<GitHubOctokit>;
  deliveryId?: string;
  now?: () => Date;
  /** Passes a dispatched workflow's run on (the job queue: workflow-runs.ts). */
  announceWorkflowRun?: (notice: WorkflowRunNotice) => Promise<void>;
}

export type HandlerResult =
  | ChecksRun
  | { installation: string }
  | { ignored: string }
  | { announced: "workflow_run" };

export async function handleEvent(
  ctx: HandlerContext,
  event: string,
  payload: unknown,
): Promise<HandlerResult> {
  switch (event) {
    case "installation":
      return onInstallation(ctx, payload as Payload<"installation">);
    case "installation_repositories":
      return onInstallationRepositories(ctx, payload as Payload<"installation_repositories">);
    case "pull_request":
      return onPullRequest(ctx, payload as PullRequestPayload);
    case "check_suite":
      return onRerequest(ctx, payload as Payload<"check_suite.rerequested">, ["schema", "contracts"]);
    case "check_run":
      return onCheckRunRerequest(ctx, payload as Payload<"check_run.rerequested">);
    case "workflow_run":
      return onWorkflowRun(ctx, payload as Payload<"workflow_run">);
    default:
      return { ignored: `event ${event}` };
  }
}

const repoInfo = (r: { id: number; full_name: string; private: boolean }) => ({
  id: r.id,
  fullName: r.full_name,
  private: r.private,
});

async function onInstallation(ctx: HandlerContext, p: Payload<"installation">): Promise<HandlerResult> {
  const id = p.installation.id;
  if (p.action === "deleted") {
    await deleteInstallation(ctx.db, id);
    return { installation: "deleted" };
  }
  const account = p.installation.account as { login?: string; slug?: string; type?: string } | null;
  await upsertInstallation(ctx.db, {
    id,
    accountLogin: account?.login ?? account?.slug ?? null,
    accountType: account?.type ?? (account?.slug ? "Enterprise" : null),
    repositorySelection: p.installation.repository_selection,
    suspendedAt:
      p.action === "suspend"
        ? new Date(p.installation.suspended_at ?? Date.now())
        : p.action === "unsuspend"
          ? null
          : undefined,
  });
  if (p.action === "created") await addRepositories(ctx.db, id, (p.repositories ?? []).map(repoInfo));
  return { installation: p.action };
}

async function onWorkflowRun(ctx: HandlerContext, p: Payload<"workflow_run">): Promise<HandlerResult> {
  if (!isDispatchedRun(p)) return { ignored: `workflow run started by ${p.workflow_run.event}` };
  if (!ctx.announceWorkflowRun) return { ignored: "nobody tracks workflow runs" };
  await ctx.announceWorkflowRun(webhookNotice(p, ctx.deliveryId));
  return { announced: "workflow_run" };
}

async function onInstallationRepositories(
  ctx: HandlerContext,
  p: Payload<"installation_repositories">,
): Promise<HandlerResult> {
  const id = p.installation.id;
  await upsertInstallation(ctx.db, { id, repositorySelection: p.repository_selection });
  await addRepositories(ctx.db, id, p.repositories_added.map(repoInfo));
  await removeRepositories(
    ctx.db,
    id,
    p.repositories_removed.flatMap((r) => (r.id === undefined ? [] : [r.id])),
  );
  return { installation: `repositories ${p.action}` };
}

/** The installation's project, recording an installation first seen in this event. */
async function projectOf(ctx: HandlerContext, installationId: number): Promise<string | null> {
  const found = await getInstallation(ctx.db, installationId);
  if (found) return found.projectId;
  await upsertInstallation(ctx.db, { id: installationId });
  return null;
}

async function runFor(
  ctx: HandlerContext,
  pr: PullRequestTarget,
  options: { kinds?: CheckKind[]; labelChanged?: string },
): Promise<ChecksRun> {
  const projectId = await projectOf(ctx, pr.installationId);
  const octokit = await ctx.installationOctokit(pr.installationId);
  const result = await runPullRequestChecks(
    {
      db: ctx.db,
      log: ctx.log,
      projectId,
      ...(ctx.deliveryId ? { deliveryId: ctx.deliveryId } : {}),
      ...(ctx.now ? { now: ctx.now } : {}),
    },
    octokit,
    pr,
    options,
  );
  ctx.log.info(
    { repo: `${pr.owner}/${pr.repo}`, pull: pr.number, head: pr.headSha, ...result },
    "GitHub PR checks",
  );
  return result;
}

async function onPullRequest(ctx: HandlerContext, p: PullRequestPayload): Promise<HandlerResult> {
  if (!p.installation) return { ignored: "no installation" };
  const pr = p.pull_request;
  const labelChanged =
    p.action === "labeled" || p.action === "unlabeled"
      ? (p as { label?: { name: string } }).label?.name
      : undefined;
  return runFor(
    ctx,
    {
      installationId: p.installation.id,
      owner: p.repository.owner.login,
      repo: p.repository.name,
      number: pr.number,
      headSha: pr.head.sha,
      baseSha: pr.base.sha,
      labels: (pr.labels ?? []).map((l) => l.name),
    },
    labelChanged === undefined ? {} : { labelChanged },
  );
}

async function onCheckRunRerequest(
  ctx: HandlerContext,
  p: Payload<"check_run.rerequested">,
): Promise<HandlerResult> {
  const kind = (Object.keys(CHECK_NAMES) as CheckKind[]).find((k) => CHECK_NAMES[k] === p.check_run.name);
  if (!kind) return { ignored: `check run ${p.check_run.name} is not Vigil's` };
  return onRerequest(
    ctx,
    {
      installation: p.installation,
      repository: p.repository,
      check_suite: {
        head_sha: p.check_run.head_sha,
        pull_requests: p.check_run.pull_requests.length
          ? p.check_run.pull_requests
          : (p.check_run.check_suite.pull_requests ?? []),
      },
    },
    [kind],
  );
}

/** A re-run: every pull request of the suite's head commit, with its labels as they are now. */
async function onRerequest(
  ctx: HandlerContext,
  p: Pick<Payload<"check_suite.rerequested">, "installation" | "repository"> & {
    check_suite: { head_sha: string; pull_requests: { number: number }[] };
  },
  kinds: CheckKind[],
): Promise<HandlerResult> {
  if (!p.installation) return { ignored: "no installation" };
  const installationId = p.installation.id;
  const owner = p.repository.owner.login;
  const repo = p.repository.name;
  const octokit = await ctx.installationOctokit(installationId);
  let numbers = p.check_suite.pull_requests.map((pr) => pr.number);
  // Pull requests from forks are not listed in the suite: ask which pull requests hold the commit.
  if (numbers.length === 0) {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", {
      owner,
      repo,
      commit_sha: p.check_suite.head_sha,
    });
    numbers = data.filter((pr) => pr.state === "open").map((pr) => pr.number);
  }
  const ran: CheckKind[] = [];
  for (const number of numbers) {
    const { data: pr } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      owner,
      repo,
      pull_number: number,
    });
    const result = await runFor(
      ctx,
      {
        installationId,
        owner,
        repo,
        number,
        headSha: p.check_suite.head_sha,
        baseSha: pr.base.sha,
        labels: pr.labels.map((l) => l.name),
      },
      { kinds },
    );
    ran.push(...result.ran);
  }
  return numbers.length ? { ran } : { ran, skipped: "no open pull request for this commit" };
}
