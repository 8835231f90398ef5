import type { Command } from "commander";
import { loadConfig } from "../config.ts";
import { openAndMigrate } from "../db/open.ts";
import { dropExpiredPartitions, listPartitions } from "./store/partitions.ts";
import { retentionDays } from "./store/retention.ts";

/**
 * `vigil traces partitions` lists the span store's day partitions; `vigil traces prune` drops the
 * ones older than the retention period (what the hourly `traces.retention` job does), e.g. after
 * lowering it or to free space at once.
 */
export function registerTraceCommands(program: Command): void {
  const traces = program.command("traces").description("The span store");
  traces
    .command("partitions")
    .description("List the day partitions of the span store")
    .action(async () => {
      const database = await openAndMigrate(loadConfig());
      try {
        const parts = await listPartitions(database);
        if (!parts.length) console.log("no span partitions yet");
        for (const p of parts) console.log(`${p.name}\t${p.day.toISOString().slice(0, 10)}`);
      } finally {
        await database.close();
      }
    });
  traces
    .command("prune")
    .description("Drop day partitions of spans older than the retention period")
    .option("--days <n>", "keep this many days instead of the configured retention")
    .action(async (opts: { days?: string }) => {
      const config = loadConfig();
      const days = opts.days === undefined ? retentionDays(config) : Number(opts.days);
      if (!Number.isInteger(days) || days < 1)
        throw new Error(`--days must be a whole number ≥ 1, not ${opts.days}`);
      const database = await openAndMigrate(config);
      try {
        const dropped = await dropExpiredPartitions(database, days);
        console.log(dropped.length ? `dropped ${dropped.join(", ")}` : `nothing older than ${days} days`);
      } finally {
        await database.close();
      }
    });
}
