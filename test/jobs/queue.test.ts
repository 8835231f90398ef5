import pino from "pino";
import { afterAll, expect, it, vi } from "vitest";
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

  it("wakes this process's worker when work is sent, and a worker that found work fetches again at once", async () => {
    const queue = Jobs.create(db.database, { log: pino({ level: "silent" }), runWorkers: true, url: db.url });
    const done: number[] = [];
    queue.define<{ n: number }>({
      name: "test.wake",
      handler: async ({ n }) => {
        done.push(n);
      },
    });
    await queue.start();
    try {
      const notify = vi.spyOn(queue.boss, "notifyWorker");
      await queue.send("test.wake", { n: 1 });
      // Woken by the send, not left to the next poll.
      expect(notify).toHaveBeenCalledTimes(1);
      const worker = notify.mock.calls[0]![0];
      await waitFor(() => done.length === 1);
      // The worker that took the job asked to fetch again without waiting out its interval.
      expect(notify.mock.calls.filter(([id]) => id === worker).length).toBeGreaterThanOrEqual(2);
      await queue.insert([
        { name: "test.wake", data: { n: 2 } },
        { name: "test.wake", data: { n: 3 } },
      ]);
      await waitFor(() => done.length === 3);
      expect(done.sort()).toEqual([1, 2, 3]);
    } finally {
      await queue.stop(2000);
    }
  });
});
