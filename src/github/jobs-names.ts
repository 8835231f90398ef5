/** Queue names of the GitHub capability's jobs (the webhook route enqueues, jobs.ts works them). */
export const WEBHOOK_JOB = "github.webhook";
export const RETENTION_JOB = "github.retention";
