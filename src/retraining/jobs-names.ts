/** Queue names of the retraining loop's jobs (routes and services enqueue, jobs.ts works them). */
export const ON_DRIFT_JOB = "retraining.on-drift";
export const DISPATCH_JOB = "retraining.dispatch";
export const WORKFLOW_RUN_JOB = "retraining.workflow-run";
export const POLL_JOB = "retraining.poll";
export const RETENTION_JOB = "retraining.retention";
