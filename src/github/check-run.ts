/**
 * One check run on GitHub and its record in `github_check_runs`: created `in_progress` at once,
 * completed with its output; annotations past GitHub's 50 per request go in further updates of the
 * same run, the conclusion with the last of them.
 */
import type { Db } from "../db/client.ts";
import type { GitHubOctokit } from "./app.ts";
import { type Annotation, CHECK_NAMES, type CheckKind, type CheckOutput } from "./check-output.ts";
import type { RepoRef } from "./repo-files.ts";
import { insertCheckRun, updateCheckRun } from "./store.ts";

/** GitHub's limit on annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

export interface CheckRunTarget extends RepoRef {
  installationId: number;
  headSha: string;
  pullNumber: number | null;
  projectId: string | null;
  deliveryId?: string;
}

export class CheckRun {
  private constructor(
    private readonly db: Db,
    private readonly octokit: GitHubOctokit,
    private readonly target: CheckRunTarget,
    readonly name: string,
    readonly githubId: number,
    private readonly rowId: string,
  ) {}

  static async start(
    db: Db,
    octokit: GitHubOctokit,
    target: CheckRunTarget,
    kind: CheckKind,
  ): Promise<CheckRun> {
    const name = CHECK_NAMES[kind];
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      owner: target.owner,
      repo: target.repo,
      name,
      head_sha: target.headSha,
      status: "in_progress",
      started_at: new Date().toISOString(),
      ...(target.pullNumber !== null ? { external_id: `pr-${target.pullNumber}` } : {}),
    });
    const rowId = await insertCheckRun(db, {
      projectId: target.projectId,
      installationId: target.installationId,
      repository: `${target.owner}/${target.repo}`,
      pullNumber: target.pullNumber,
      headSha: target.headSha,
      name,
      checkRunId: Number(data.id),
      htmlUrl: data.html_url,
      status: "in_progress",
      deliveryId: target.deliveryId ?? null,
    });
    return new CheckRun(db, octokit, target, name, Number(data.id), rowId);
  }

  /** Sends the output (annotations in batches of 50) and the conclusion. */
  async complete(output: CheckOutput): Promise<void> {
    const batches: Annotation[][] = [];
    for (let i = 0; i < output.annotations.length; i += ANNOTATIONS_PER_REQUEST)
      batches.push(output.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
    if (batches.length === 0) batches.push([]);
    const text = { title: output.title, summary: output.summary };
    for (const [i, annotations] of batches.entries()) {
      const last = i === batches.length - 1;
      await this.octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
        owner: this.target.owner,
        repo: this.target.repo,
        check_run_id: this.githubId,
        output: { ...text, ...(annotations.length ? { annotations } : {}) },
        ...(last
          ? {
              status: "completed" as const,
              conclusion: output.conclusion,
              completed_at: new Date().toISOString(),
            }
          : {}),
      });
    }
    await updateCheckRun(this.db, this.rowId, {
      status: "completed",
      conclusion: output.conclusion,
      title: output.title,
      summary: output.summary,
      annotations: output.annotations.length,
      completedAt: new Date(),
    });
  }
}
