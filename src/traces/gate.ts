import { ApiError } from "../http/errors.ts";

/**
 * Bounds concurrent ingest work (and so memory and database connections): up to `concurrency`
 * requests run, up to `queue` wait; past that the client gets 429 + Retry-After and retries, as
 * OTLP exporters do — better than accepting work the database cannot keep up with.
 */
export class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.queue) {
        throw new ApiError(429, "too_many_requests", "Vigil is busy ingesting; retry later", undefined, 1);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  get load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }
}
