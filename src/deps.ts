import type { Logger } from "pino";
import type { Config } from "./config.ts";
import type { Database } from "./db/client.ts";
import type { JobQueue } from "./jobs/queue.ts";

/**
 * What every capability gets: built once by a composition root (src/main.ts, src/cli.ts), passed
 * down, never global. Only shared layers here: a capability's own collaborators (the span writer
 * of traces, say) are handed to it by the root that builds them.
 */
export interface AppDeps {
  config: Config;
  database: Database;
  log: Logger;
  jobs: JobQueue;
}
