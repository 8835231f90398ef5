import type { AppDeps } from "../http/env.ts";

/**
 * Every background job Vigil runs, registered in one place so `vigil serve` and `vigil worker`
 * work the same queues. Capabilities add their definitions here.
 */
export function defineJobs(_deps: AppDeps): void {}
