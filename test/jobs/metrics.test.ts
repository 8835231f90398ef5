import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, expect, it } from "vitest";
import { registerDatabaseMetrics } from "../../src/db/metrics.ts";
import { registerJobMetrics } from "../../src/jobs/metrics.ts";
import { Jobs } from "../../src/jobs/queue.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const sample = (text: string, line: RegExp) => Number(line.exec(text)?.[1] ?? Number.NaN);

describeEachDatabase("job and database gauges", (db) => {
  let jobs: Jobs;
  afterAll(async () => jobs?.stop(2000));

  it("vigil_jobs counts a job that ran out of retries as failed, from 0; vigil_database_up is 1", async () => {
    jobs = Jobs.create(db.database, { log: pino({ level: "silent" }), runWorkers: true, url: db.url });
    let attempts = 0;
    jobs.define<Record<string, never>>({
      name: "test.doomed",
      retryLimit: 0,
      handler: async () => {
        attempts++;
        throw new Error("always fails");
      },
    });
    const registry = new Registry();
    registerJobMetrics(registry, db.database);
    registerJobMetrics(registry, db.database); // a second app on the registry registers nothing twice
    registerDatabaseMetrics(registry, db.database, 5000);
    await jobs.start();
    const failed = /^vigil_jobs\{queue="test\.doomed",state="failed"\} (\d+)$/m;
    let text = await registry.metrics();
    expect(sample(text, failed)).toBe(0);
    expect(sample(text, /^vigil_database_up (\d+)$/m)).toBe(1);

    await jobs.send("test.doomed", {});
    for (const end = Date.now() + 60_000; sample(text, failed) !== 1; ) {
      if (Date.now() > end) throw new Error(`no failed job counted:\n${text}`);
      await new Promise((r) => setTimeout(r, 200));
      text = await registry.metrics();
    }
    expect(attempts).toBe(1);
    expect(sample(text, /^vigil_jobs\{queue="test\.doomed",state="completed"\} (\d+)$/m)).toBe(0);
  });
});
