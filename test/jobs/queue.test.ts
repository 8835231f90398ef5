import pino from "pino";
import { afterAll, expect, it } from "vitest";
import { Jobs } from "../../src/jobs/queue.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const waitFor = async (check: () => boolean, ms = 30_000) => {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
};

describeEachDatabase("job queue", (db) => {
  let jobs: Jobs;
  afterAll(async () => jobs?.stop(2000));

  it("works jobs concurrently up to `concurrency`, and hands retries their attempt number", async () => {
    jobs = Jobs.create(db.database, { log: pino({ level: "silent" }), runWorkers: true, url: db.url });
    let inside = 0;
    let peak = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    jobs.define<{ n: number }>({
      name: "test.slow",
      concurrency: 3,
      handler: async () => {
        inside++;
        peak = Math.max(peak, inside);
        await gate;
        inside--;
      },
    });
    const attempts: number[] = [];
    jobs.define<Record<string, never>>({
      name: "test.flaky",
      retryLimit: 2,
      retryDelaySeconds: 1,
      handler: async (_data, job) => {
        attempts.push(job.retryCount);
        if (job.retryCount === 0) throw new Error("first attempt fails");
      },
    });
    await jobs.start();
    for (let n = 0; n < 3; n++) await jobs.send("test.slow", { n });
    await jobs.send("test.flaky", {});
    await waitFor(() => peak === 3);
    release();
    await waitFor(() => inside === 0 && attempts.length === 2);
    expect(peak).toBe(3);
    expect(attempts).toEqual([0, 1]);
  });
});
