import { Worker } from "node:worker_threads";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "../../http/errors.ts";
import { type ExportRequest, type PreparedExport, prepareExport } from "./export.ts";

type Reply = {
  id: number;
  prepared?: PreparedExport;
  error?: {
    status?: ContentfulStatusCode;
    code?: string;
    message: string;
    details?: unknown;
    retryAfter?: number;
  };
};

/**
 * A request allocates several megabytes here, nearly all of it dead once answered. With V8's
 * default young generation a scavenge falls mid-request about every other request, with the
 * request's data still live to copy; one large enough for a few requests' garbage scavenges
 * between them, where it is cheap. (The measurements are in bench/README.md, bench:ingest.)
 */
const YOUNG_GENERATION_MB = 96;

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve(p: PreparedExport): void; reject(e: Error): void }>;
}

/**
 * Runs prepareExport (gunzip, decode, validate, serialise: ~15 ms of CPU and a few megabytes of
 * garbage per 1,000 spans) on `size` worker threads, so the event loop — which answers requests
 * and talks to the database — never waits for it, and its garbage is collected elsewhere.
 * Threads start on first use and do not keep the process alive; `size` 0 prepares inline.
 */
export class PreparePool {
  private readonly threads: Thread[] = [];
  private nextId = 0;

  constructor(readonly size: number) {}

  run(request: ExportRequest): Promise<PreparedExport> {
    if (this.size <= 0) return Promise.resolve().then(() => prepareExport(request));
    const thread = this.leastBusy();
    const id = this.nextId++;
    return new Promise<PreparedExport>((resolve, reject) => {
      // A thread keeps the process alive only while it owes an answer.
      if (thread.pending.size === 0) thread.worker.ref();
      thread.pending.set(id, { resolve, reject });
      // The body is this request's own buffer: handed over, not copied.
      const { buffer, byteOffset, byteLength } = request.body;
      const whole = byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer;
      thread.worker.postMessage({ id, request }, whole ? [buffer] : []);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.splice(0).map((t) => t.worker.terminate()));
  }

  private leastBusy(): Thread {
    if (this.threads.length < this.size) return this.spawn();
    return this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private spawn(): Thread {
    const worker = new Worker(new URL("./thread.mjs", import.meta.url), {
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const thread: Thread = { worker, pending: new Map() };
    worker.on("message", ({ id, prepared, error }: Reply) => {
      const task = thread.pending.get(id);
      if (!task) return;
      thread.pending.delete(id);
      if (thread.pending.size === 0) worker.unref();
      if (prepared) task.resolve(prepared);
      else if (error?.status && error.code) {
        task.reject(new ApiError(error.status, error.code, error.message, error.details, error.retryAfter));
      } else task.reject(new Error(`prepare thread: ${error?.message ?? "no answer"}`));
    });
    const fail = (error: Error) => {
      // A thread that died takes its tasks with it (answered 500); the next request gets a new one.
      const i = this.threads.indexOf(thread);
      if (i >= 0) this.threads.splice(i, 1);
      for (const task of thread.pending.values()) task.reject(error);
      thread.pending.clear();
    };
    worker.on("error", fail);
    worker.on("messageerror", fail);
    worker.on("exit", (code) => fail(new Error(`prepare thread exited with code ${code}`)));
    // Idle threads must not keep the process alive. After the listeners: adding a "message"
    // listener refs the thread's port again.
    worker.unref();
    this.threads.push(thread);
    return thread;
  }
}

const pools = new Map<number, PreparePool>();

/** The process's pool of this size: threads are stateless, so every app in the process shares them. */
export function sharedPreparePool(size: number): PreparePool {
  let pool = pools.get(size);
  if (!pool) {
    pool = new PreparePool(size);
    pools.set(size, pool);
  }
  return pool;
}
