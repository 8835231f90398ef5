import { Registry } from "prom-client";
import { expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.ts";
import { registerDatabaseMetrics } from "../../src/db/metrics.ts";
import { registerJobMetrics } from "../../src/jobs/metrics.ts";

const sample = (text: string, line: RegExp) => Number(line.exec(text)?.[1] ?? Number.NaN);

it("vigil_database_up is 0 once the database is gone, and the scrape still answers", async () => {
  const database = await openDatabase({});
  const registry = new Registry();
  registerDatabaseMetrics(registry, database, 2000);
  registerJobMetrics(registry, database);
  expect(sample(await registry.metrics(), /^vigil_database_up (\d+)$/m)).toBe(1);
  await database.close();
  const text = await registry.metrics();
  expect(sample(text, /^vigil_database_up (\d+)$/m)).toBe(0);
  expect(text).not.toMatch(/^vigil_jobs\{/m);
}, 120_000);
