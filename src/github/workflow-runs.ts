/**
 * GitHub Actions workflow runs as Vigil passes them on: the `workflow_run` webhooks of runs started
 * by `workflow_dispatch` (the only kind a retraining loop dispatches) are announced on the job queue
 * as a small notice, and whoever tracks runs (the retraining loop) subscribes a queue to it, so the
 * GitHub capability never imports them. A run fetched from the REST API (a poll) becomes the same
 * notice. Public.
 */
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { z } from "zod";
import type { JobQueue } from "../jobs/queue.ts";

export const WORKFLOW_RUN_EVENT = "github.workflow_run";

/** What a tracker needs of a workflow run, from a webhook or from GET …/actions/runs/{id}. */
export const WorkflowRunNotice = z.object({
  /** webhook: a delivery (action requested | in_progress | completed); poll: Vigil asked. */
  source: z.enum(["webhook", "poll"]),
  deliveryId: z.string().nullable(),
  installationId: z.number().int().nullable(),
  /** owner/name */
  repository: z.string(),
  runId: z.number().int(),
  runAttempt: z.number().int(),
  /** .github/workflows/<file> */
  path: z.string().nullable(),
  workflowId: z.number().int().nullable(),
  /** The run's title: the workflow's `run-name`, as rendered for this run. */
  displayTitle: z.string(),
  event: z.string(),
  /** requested | queued | pending | waiting | in_progress | completed */
  status: z.string(),
  conclusion: z.string().nullable(),
  htmlUrl: z.string().nullable(),
  url: z.string().nullable(),
  createdAt: z.string().nullable(),
  runStartedAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type WorkflowRunNotice = z.infer<typeof WorkflowRunNotice>;

type WorkflowRunPayload = EmitterWebhookEvent<"workflow_run">["payload"];

/** The run fields both a webhook's `workflow_run` and the REST API's run carry. */
export interface RunFields {
  id: number;
  run_attempt?: number;
  path?: string;
  workflow_id?: number;
  display_title?: string;
  name?: string | null;
  event: string;
  status: string | null;
  conclusion: string | null;
  html_url?: string;
  url?: string;
  created_at?: string;
  run_started_at?: string;
  updated_at?: string;
  repository?: { full_name: string };
}

export function runNotice(
  run: RunFields,
  context: {
    source: WorkflowRunNotice["source"];
    repository: string;
    installationId: number | null;
    deliveryId?: string;
  },
): WorkflowRunNotice {
  return {
    source: context.source,
    deliveryId: context.deliveryId ?? null,
    installationId: context.installationId,
    repository: context.repository,
    runId: run.id,
    runAttempt: run.run_attempt ?? 1,
    path: run.path ?? null,
    workflowId: run.workflow_id ?? null,
    displayTitle: run.display_title ?? run.name ?? "",
    event: run.event,
    status: run.status ?? "requested",
    conclusion: run.conclusion ?? null,
    htmlUrl: run.html_url ?? null,
    url: run.url ?? null,
    createdAt: run.created_at ?? null,
    runStartedAt: run.run_started_at ?? null,
    updatedAt: run.updated_at ?? null,
  };
}

/** The notice of a `workflow_run` delivery. */
export function webhookNotice(payload: WorkflowRunPayload, deliveryId?: string): WorkflowRunNotice {
  return runNotice(payload.workflow_run as unknown as RunFields, {
    source: "webhook",
    repository: payload.repository.full_name,
    installationId: payload.installation?.id ?? null,
    ...(deliveryId ? { deliveryId } : {}),
  });
}

/** Which `workflow_run` deliveries are worth keeping: runs a `workflow_dispatch` started. */
export function isDispatchedRun(payload: unknown): boolean {
  const run = (payload as { workflow_run?: { event?: unknown } } | null)?.workflow_run;
  return run?.event === "workflow_dispatch";
}

/** Not best effort: the webhook job fails and is retried when the notice cannot be queued. */
export async function announceWorkflowRun(jobs: Pick<JobQueue, "publish">, notice: WorkflowRunNotice) {
  await jobs.publish(WORKFLOW_RUN_EVENT, notice);
}
