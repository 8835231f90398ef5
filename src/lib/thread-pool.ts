import { parentPort, type Transferable, Worker } from "node:worker_threads";

/** An error as a thread sends it back: its stack as the message, plus whatever `describe` adds. */
export interface ThreadError {
  message: string;
  [field: string]: unknown;
}

type Reply<Out> = { id: number; output: Out; error?: undefined } | { id: number; error: ThreadError };

export interface ThreadPoolOptions<In, Out> {
  /** What the threads are called in errors ("prediction prepare thread"). */
  name: string;
  /**
   * The thread's entry: plain JavaScript, so Node starts it as is, that loads the TypeScript worker
   * (which calls serveThread) through tsx, as bin/vigil.js does for the main thread.
   */
  entry: URL;
  /** The same work, run inline when the pool's size is 0. */
  inline(input: In): Out;
  /**
   * Young generation of each thread: a task's data is nearly all dead once it is answered, and one
   * large enough for a few tasks' garbage is scavenged between them, where it is cheap.
   */
  youngGenerationMb: number;
  /** Buffers of `input` to hand over rather than copy. */
  transfer?(input: In): Transferable[];
  /** The caller's own error for what a thread sent back (undefined: a plain Error with its stack). */
  revive?(error: ThreadError): Error | undefined;
}

interface Thread<Out> {
  worker: Worker;
  pending: Map<number, { resolve(output: Out): void; reject(error: Error): void }>;
}

/**
 * Runs a pure function on up to `size` worker threads, so the event loop — which answers requests and
 * talks to the database — never waits for its CPU, and its garbage is collected elsewhere. A task
 * goes to an idle thread, else to a new one while there are fewer than `size`, else to the least
 * busy. Threads start on first use and keep the process alive only while they owe an answer; one
 * that dies fails its tasks, and the next task gets a new one. `size` 0 runs inline.
 */
export class ThreadPool<In, Out> {
  private readonly threads: Thread<Out>[] = [];
  private nextId = 0;

  constructor(
    readonly size: number,
    private readonly options: ThreadPoolOptions<In, Out>,
  ) {}

  run(input: In): Promise<Out> {
    if (this.size <= 0) return Promise.resolve().then(() => this.options.inline(input));
    const thread = this.leastBusy();
    const id = this.nextId++;
    return new Promise<Out>((resolve, reject) => {
      if (thread.pending.size === 0) thread.worker.ref();
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, input }, this.options.transfer?.(input) ?? []);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.splice(0).map((t) => t.worker.terminate()));
  }

  private leastBusy(): Thread<Out> {
    const idle = this.threads.find((t) => t.pending.size === 0);
    if (idle) return idle;
    if (this.threads.length < this.size) return this.spawn();
    return this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  private spawn(): Thread<Out> {
    const { name, entry, youngGenerationMb, revive } = this.options;
    const worker = new Worker(entry, { resourceLimits: { maxYoungGenerationSizeMb: youngGenerationMb } });
    const thread: Thread<Out> = { worker, pending: new Map() };
    worker.on("message", (reply: Reply<Out>) => {
      const task = thread.pending.get(reply.id);
      if (!task) return;
      thread.pending.delete(reply.id);
      if (thread.pending.size === 0) worker.unref();
      if (reply.error === undefined) task.resolve(reply.output);
      else task.reject(revive?.(reply.error) ?? new Error(`${name}: ${reply.error.message}`));
    });
    const fail = (error: Error) => {
      // Answered 500 by the routes; the next task gets a new thread.
      const i = this.threads.indexOf(thread);
      if (i >= 0) this.threads.splice(i, 1);
      for (const task of thread.pending.values()) task.reject(error);
      thread.pending.clear();
    };
    worker.on("error", fail);
    worker.on("messageerror", fail);
    worker.on("exit", (code) => fail(new Error(`${name} exited with code ${code}`)));
    // After the listeners: adding a "message" listener refs the thread's port again.
    worker.unref();
    this.threads.push(thread);
    return thread;
  }
}

/** One pool per size for the whole process (threads are stateless: every app and request shares them). */
export function poolsBySize<P>(make: (size: number) => P): (size: number) => P {
  const pools = new Map<number, P>();
  return (size) => {
    let pool = pools.get(size);
    if (!pool) {
      pool = make(size);
      pools.set(size, pool);
    }
    return pool;
  };
}

/**
 * The thread's side of a ThreadPool: each input through `work`, the output or the error back.
 * `describe` adds an error's fields the pool's `revive` rebuilds it from (status, code, …).
 */
export function serveThread<In, Out>(
  work: (input: In) => Out,
  describe: (error: unknown) => Record<string, unknown> | undefined = () => undefined,
): void {
  parentPort!.on("message", ({ id, input }: { id: number; input: In }) => {
    let reply: Reply<Out>;
    try {
      reply = { id, output: work(input) };
    } catch (error) {
      const e = error as Error;
      reply = { id, error: { message: e?.stack ?? String(error), ...describe(error) } };
    }
    parentPort!.postMessage(reply);
  });
}
