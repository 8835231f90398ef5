/**
 * Following a workflow run from what GitHub says of it, in whatever order it says it: webhooks
 * arrive late, reversed and twice, polls overlap them. Pure. A state is ranked by (attempt,
 * status): a later state is never replaced by an earlier one, and a re-run (a higher
 * run_attempt) starts over from its own first state.
 */
import type { RetrainingStatus } from "./model.ts";

export type RunStatus = "requested" | "queued" | "in_progress" | "completed";

const RANK: Record<RetrainingStatus, number> = {
  // Not on GitHub yet (or the dispatch call failed as far as Vigil could tell): any word of the run wins.
  pending: 0,
  failed: 0,
  skipped: -1,
  requested: 1,
  queued: 2,
  in_progress: 3,
  completed: 4,
};

/** GitHub's run status (REST and webhooks) as Vigil's: pending and waiting runs are queued. */
export function runStatus(github: string): RunStatus {
  switch (github) {
    case "requested":
      return "requested";
    case "in_progress":
      return "in_progress";
    case "completed":
      return "completed";
    default:
      // queued, pending, waiting (an environment's approval): the run exists and has not started.
      return "queued";
  }
}

export interface RunState {
  status: RetrainingStatus;
  /** GitHub's run_attempt; null until Vigil has heard of the run. */
  attempt: number | null;
  conclusion: string | null;
}

export interface Heard {
  status: RunStatus;
  attempt: number;
  conclusion: string | null;
}

export type Advance =
  | { changed: false; why: "skipped record" | "earlier or same state" | "earlier attempt" }
  | { changed: true; next: RunState; finished?: "success" | "failure" };

export function advance(current: RunState, heard: Heard): Advance {
  if (current.status === "skipped") return { changed: false, why: "skipped record" };
  const attempt = current.attempt ?? 1;
  if (heard.attempt < attempt) return { changed: false, why: "earlier attempt" };
  const newAttempt = heard.attempt > attempt;
  if (!newAttempt && RANK[heard.status] <= RANK[current.status])
    return { changed: false, why: "earlier or same state" };
  const next: RunState = {
    status: heard.status,
    attempt: heard.attempt,
    conclusion: heard.status === "completed" ? heard.conclusion : null,
  };
  if (next.status !== "completed") return { changed: true, next };
  return { changed: true, next, finished: next.conclusion === "success" ? "success" : "failure" };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The dispatch ids a run's title may carry (the workflow's run-name puts `inputs.dispatch_id` there). */
export function dispatchIdsIn(title: string): string[] {
  return [...new Set((title.match(UUID) ?? []).map((id) => id.toLowerCase()))];
}

/** Whether GitHub refused `return_run_details` itself (older Enterprise Server), not the dispatch. */
export function refusesRunDetails(status: number, body: unknown, message: string): boolean {
  if (status !== 400 && status !== 422) return false;
  return /return_run_details/.test(`${message} ${JSON.stringify(body ?? "")}`);
}
