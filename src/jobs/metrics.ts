import { Gauge, type Registry } from "prom-client";
import type { Database } from "../db/client.ts";

/**
 * vigil_jobs{queue,state}: pg-boss jobs by queue and state (created, retry, active, completed,
 * cancelled, failed), counted in the database at scrape time. Workers may run in other processes
 * (`vigil worker`) that serve no /metrics, so no process could count their failures itself; the
 * job table holds them for every process, and any instance scraped gives the same answer. Failed
 * jobs stay in the table until pg-boss archives them, so the alert rule looks at increases.
 */
export function registerJobMetrics(registry: Registry, database: Database): void {
  if (registry.getSingleMetric("vigil_jobs")) return;
  new Gauge({
    name: "vigil_jobs",
    help: "Background jobs (pg-boss) by queue and state, in the job table at scrape time",
    labelNames: ["queue", "state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        // Every queue in every state, zeros included: a series that exists before the first
        // failure lets delta() see that failure.
        const rows = await database.execute<{ queue: string; state: string; n: number }>(
          `select q.name as queue, s.state::text as state, count(j.id)::int as n
           from pgboss.queue q
           cross join unnest(enum_range(null::pgboss.job_state)) as s(state)
           left join pgboss.job j on j.name = q.name and j.state = s.state
           group by 1, 2`,
        );
        for (const r of rows) this.set({ queue: r.queue, state: r.state }, r.n);
      } catch {
        // No job tables yet, or no database: vigil_database_up says which.
      }
    },
  });
}
