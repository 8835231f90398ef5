export const DISPATCH_JOB = "notifications.dispatch";
export const DELIVER_JOB = "notifications.deliver";
