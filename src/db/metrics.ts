import { Gauge, type Registry } from "prom-client";
import { withTimeout } from "../lib/timeout.ts";
import type { Database } from "./client.ts";

/**
 * vigil_database_up: 1 when the database answered a ping within `timeoutMs` at scrape time, as
 * /readyz asks it. The scrape itself still succeeds when the database is down, so an alert can
 * tell "Vigil is up, its database is not" from "Vigil is gone".
 */
export function registerDatabaseMetrics(registry: Registry, database: Database, timeoutMs: number): void {
  if (registry.getSingleMetric("vigil_database_up")) return;
  new Gauge({
    name: "vigil_database_up",
    help: "1 when Vigil's database answered a ping at scrape time, else 0",
    registers: [registry],
    async collect() {
      try {
        await withTimeout(database.ping(), timeoutMs, "database ping");
        this.set(1);
      } catch {
        this.set(0);
      }
    },
  });
}
