import type { AppDeps } from "../deps.ts";
import { INCIDENTS_CHANGED } from "../incidents/events.ts";
import { type DeliverOptions, deliverOne } from "./deliver.ts";
import { dispatchPending } from "./dispatch.ts";
import { DELIVER_JOB, DISPATCH_JOB } from "./jobs-names.ts";

/**
 * notifications.dispatch routes new incident events into deliveries: run when incidents announce
 * a change (alerts, status changes) and swept every minute for events other capabilities recorded.
 * notifications.deliver sends one delivery (retries and backoff per channel, set on each job).
 */
export function defineNotificationJobs(deps: AppDeps, options: DeliverOptions = {}): void {
  deps.jobs.define<{ deliveryId: string }>({
    name: DELIVER_JOB,
    // Outbound HTTP with a 10 s timeout: several at once so one slow receiver delays no one else.
    concurrency: 4,
    retryLimit: 6,
    retryDelaySeconds: 10,
    handler: async (data) => {
      await deliverOne(deps, data.deliveryId, options);
    },
  });
  deps.jobs.define({
    name: DISPATCH_JOB,
    cron: "* * * * *",
    retryLimit: 2,
    retryDelaySeconds: 5,
    handler: async () => {
      await dispatchPending(deps);
    },
  });
  deps.jobs.subscribe(INCIDENTS_CHANGED, DISPATCH_JOB);
}
