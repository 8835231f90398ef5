import { Worker } from "node:worker_threads";
import { type PieceInput, type PieceOutput, preparePiece } from "./prepare.ts";

/**
 * A piece allocates a few megabytes (parsed rows, validated copies, COPY text), nearly all dead
 * once it is answered: a young generation that holds a few pieces' garbage is scavenged between
 * them, where it is cheap.
 */
const YOUNG_GENERATION_MB = 64;

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve(p: PieceOutput): void; reject(e: Error): void }>;
}

/**
 * Runs preparePiece (parse, validate, contract check, COPY text: the CPU of a prediction ingest) on
 * `size` worker threads, so the event loop only splits the body and talks to the database, and the
 * pieces' garbage is collected elsewhere. Threads start on first use and do not keep the process
 * alive; `size` 0 prepares inline.
 */
export class PreparePiecePool {
  private readonly threads: Thread[] = [];
  private nextId = 0;

  constructor(readonly size: number) {}

  run(input: PieceInput): Promise<PieceOutput> {
    if (this.size <= 0) return Promise.resolve().then(() => preparePiece(input));
    const thread = this.leastBusy();
    const id = this.nextId++;
    return new Promise<PieceOutput>((resolve, reject) => {
      // A thread keeps the process alive only while it owes an answer.
      if (thread.pending.size === 0) thread.worker.ref();
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, input });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.splice(0).map((t) => t.worker.terminate()));
  }

  private leastBusy(): Thread {
    const idle = this.threads.find((t) => t.pending.size === 0);
    if (idle) return idle;
    if (this.threads.length < this.size) return this.spawn();
    return this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private spawn(): Thread {
    const worker = new Worker(new URL("./prepare-thread.mjs", import.meta.url), {
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const thread: Thread = { worker, pending: new Map() };
    worker.on("message", ({ id, output, error }: { id: number; output?: PieceOutput; error?: string }) => {
      const task = thread.pending.get(id);
      if (!task) return;
      thread.pending.delete(id);
      if (thread.pending.size === 0) worker.unref();
      if (output) task.resolve(output);
      else task.reject(new Error(`prediction prepare thread: ${error ?? "no answer"}`));
    });
    const fail = (error: Error) => {
      // A thread that died takes its tasks with it (answered 500); the next piece gets a new one.
      const i = this.threads.indexOf(thread);
      if (i >= 0) this.threads.splice(i, 1);
      for (const task of thread.pending.values()) task.reject(error);
      thread.pending.clear();
    };
    worker.on("error", fail);
    worker.on("messageerror", fail);
    worker.on("exit", (code) => fail(new Error(`prediction prepare thread exited with code ${code}`)));
    // Idle threads must not keep the process alive. After the listeners: adding a "message"
    // listener refs the thread's port again.
    worker.unref();
    this.threads.push(thread);
    return thread;
  }
}

const pools = new Map<number, PreparePiecePool>();

/** The process's pool of this size: threads are stateless, so every request and app shares them. */
export function sharedPiecePool(size = 2): PreparePiecePool {
  let pool = pools.get(size);
  if (!pool) {
    pool = new PreparePiecePool(size);
    pools.set(size, pool);
  }
  return pool;
}
