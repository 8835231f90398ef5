import { defineAlertJobs } from "./alerts/retention.ts";
import type { AppDeps } from "./deps.ts";
import { defineMonitorJobs } from "./drift/monitors/jobs.ts";
import { defineGitHubJobs } from "./github/jobs.ts";
import { defineNotificationJobs } from "./notifications/jobs.ts";
import { definePredictionJobs } from "./predictions/jobs.ts";
import { ragRunbookSuggester } from "./rag/incidents.ts";
import { defineRagJobs } from "./rag/jobs.ts";
import { defineRetrainingJobs } from "./retraining/jobs.ts";
import { defineSchemaJobs } from "./schemas/jobs.ts";
import { defineTraceJobs } from "./traces/jobs.ts";

/**
 * Every background job Vigil runs, registered in one place so `vigil serve` and `vigil worker`
 * work the same queues. Capabilities add their definitions here.
 */
export function defineJobs(deps: AppDeps): void {
  // Notifications link the best runbook (RAG); wired here so notifications never import rag.
  defineNotificationJobs(deps, { suggestRunbook: ragRunbookSuggester(deps.database, deps.config) });
  defineTraceJobs(deps);
  defineRagJobs(deps);
  defineMonitorJobs(deps);
  definePredictionJobs(deps);
  defineSchemaJobs(deps);
  defineAlertJobs(deps);
  defineGitHubJobs(deps);
  // Hears drift.reported and github.workflow_run: drift and github never import it.
  defineRetrainingJobs(deps);
}
