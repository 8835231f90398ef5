/**
 * The retraining loop's calls to GitHub, through the App's Octokits (github/app.ts: retries of 5xx
 * and network errors, GitHub's throttling rules): which installation holds a repository,
 * dispatching the workflow, and reading its runs.
 */
import { RequestError } from "@octokit/request-error";
import type { GitHub, GitHubOctokit } from "../github/app.ts";
import type { RunFields } from "../github/workflow-runs.ts";
import { refusesRunDetails } from "./run-state.ts";

export const splitRepo = (repo: string) => {
  const [owner, name] = repo.split("/") as [string, string];
  return { owner, repo: name };
};

const isRequestError = (e: unknown): e is RequestError =>
  e instanceof RequestError || (e instanceof Error && e.name === "HttpError" && "status" in e);

/** GitHub's own words for a failed call (its JSON `message`), else the error's. */
export function gitHubMessage(error: unknown): string {
  if (isRequestError(error)) {
    const data = error.response?.data as { message?: unknown } | undefined;
    if (typeof data?.message === "string" && data.message) return data.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The App's installation on `repo`; null when it is not installed there (GitHub's 404). */
export async function findInstallation(github: GitHub, repo: string): Promise<number | null> {
  const { app } = await github.require();
  try {
    const { data } = await app.octokit.request("GET /repos/{owner}/{repo}/installation", splitRepo(repo));
    return data.id;
  } catch (error) {
    if (isRequestError(error) && error.status === 404) return null;
    throw error;
  }
}

export interface DispatchRequest {
  repo: string;
  workflow: string;
  ref: string;
  inputs: Record<string, string>;
}

export type DispatchOutcome =
  | {
      ok: true;
      /** Known when GitHub answered with the run's details (return_run_details). */
      run?: { id: number; url: string; htmlUrl: string };
      /** GitHub refused return_run_details: sent again without, the run is matched by its run-name. */
      refusedDetails: boolean;
    }
  | { ok: false; status: number; message: string };

/**
 * Dispatches the workflow, asking for the new run's id. 404 (no such workflow or repository), 422
 * (inputs the workflow does not take, no workflow_dispatch trigger) and a 403 that is not a rate
 * limit (the App lacks actions: write) are final: they are returned. Anything else (5xx and
 * network errors after the retry plugin's attempts, rate limits the throttling plugin gave up on)
 * is thrown for the job to retry.
 */
export async function dispatchWorkflow(octokit: GitHubOctokit, d: DispatchRequest): Promise<DispatchOutcome> {
  const params = { ...splitRepo(d.repo), workflow_id: d.workflow, ref: d.ref, inputs: d.inputs };
  try {
    const res = await octokit.request(
      "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
      {
        ...params,
        return_run_details: true,
      },
    );
    const data = res.data as { workflow_run_id?: number; run_url?: string; html_url?: string } | undefined;
    if (res.status === 200 && typeof data?.workflow_run_id === "number")
      return {
        ok: true,
        refusedDetails: false,
        run: { id: data.workflow_run_id, url: data.run_url ?? "", htmlUrl: data.html_url ?? "" },
      };
    return { ok: true, refusedDetails: false };
  } catch (error) {
    if (isRequestError(error) && refusesRunDetails(error.status, error.response?.data, error.message)) {
      try {
        await octokit.request(
          "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
          params,
        );
        return { ok: true, refusedDetails: true };
      } catch (again) {
        return final(again);
      }
    }
    return final(error);
  }
}

function final(error: unknown): DispatchOutcome {
  if (!isRequestError(error)) throw error;
  const message = gitHubMessage(error);
  const rateLimited = error.status === 429 || (error.status === 403 && /rate limit/i.test(message));
  if ([400, 404, 410, 422].includes(error.status) || (error.status === 403 && !rateLimited))
    return { ok: false, status: error.status, message };
  throw error;
}

/** A workflow run as the REST API returns it: the fields a webhook's run carries too. */
export type RunOnGitHub = RunFields;

/** The run, or undefined when GitHub does not know it (deleted, or the repository is gone). */
export async function getWorkflowRun(
  octokit: GitHubOctokit,
  repo: string,
  runId: number,
): Promise<RunOnGitHub | undefined> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/actions/runs/{run_id}", {
      ...splitRepo(repo),
      run_id: runId,
    });
    return data as RunOnGitHub;
  } catch (error) {
    if (isRequestError(error) && (error.status === 404 || error.status === 410)) return undefined;
    throw error;
  }
}

/**
 * The run a dispatch became, found by its run-name (which the workflow sets to carry the dispatch
 * id), among the workflow's dispatched runs created since `since`.
 */
export async function findRunByDispatchId(
  octokit: GitHubOctokit,
  d: { repo: string; workflow: string; dispatchId: string; since: Date },
): Promise<RunOnGitHub | undefined> {
  const since = new Date(d.since.getTime() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs", {
    ...splitRepo(d.repo),
    workflow_id: d.workflow,
    event: "workflow_dispatch",
    created: `>=${since}`,
    per_page: 100,
  });
  const id = d.dispatchId.toLowerCase();
  return (data.workflow_runs as RunOnGitHub[]).find((r) =>
    `${r.display_title ?? ""} ${r.name ?? ""}`.toLowerCase().includes(id),
  );
}
