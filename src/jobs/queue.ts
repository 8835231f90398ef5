import PgBoss from "pg-boss";
import type { Logger } from "pino";
import type { Database } from "../db/client.ts";

export type JobHandler<T> = (data: T, job: { id: string; name: string; retryCount: number }) => Promise<void>;

export interface JobDefinition<T = unknown> {
  name: string;
  handler: JobHandler<T>;
  /** Retries with exponential backoff before a job is marked failed. */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Jobs fetched per poll. */
  batchSize?: number;
  /**
   * Jobs of this kind worked at once in one process (independent pollers). Raise it for I/O-bound
   * jobs such as outbound webhooks, so one slow receiver does not hold up the rest.
   */
  concurrency?: number;
  /** A cron expression: the job is enqueued on this schedule (once across all workers). */
  cron?: string;
}

/** A job of insert(): pg-boss's shape (an id makes a second insert of the same job a no-op). */
export type JobInsert = PgBoss.JobInsert<object>;

/**
 * What capabilities see of the job queue (AppDeps.jobs): define handlers, enqueue work, announce
 * events. Implemented by Jobs; tests may pass their own.
 */
export interface JobQueue {
  define<T>(definition: JobDefinition<T>): void;
  send<T extends object>(name: string, data: T, options?: PgBoss.SendOptions): Promise<string | null>;
  /** Many jobs in one statement. */
  insert(jobs: JobInsert[]): Promise<void>;
  /**
   * Sends `event` to every queue subscribed to it (pg-boss pub/sub), so the capability that
   * announces something need not know who listens.
   */
  publish(event: string, data?: object): Promise<void>;
  /** Subscribes a queue to an event; recorded on start. */
  subscribe(event: string, queue: string): void;
}

/**
 * The Postgres-backed job queue (pg-boss). On a server it uses its own `pg` pool; on the embedded
 * database it runs through Vigil's single PGlite connection via pg-boss's `db` adapter, so the
 * same queue, tables and semantics serve both.
 */
export class Jobs implements JobQueue {
  private readonly definitions = new Map<string, JobDefinition<never>>();
  private readonly subscriptions: { event: string; queue: string }[] = [];
  /** This process's pg-boss workers of each queue, to wake when work arrives. */
  private readonly workers = new Map<string, string[]>();
  private started = false;

  private constructor(
    readonly boss: PgBoss,
    private readonly log: Logger,
    private readonly runWorkers: boolean,
  ) {}

  static create(database: Database, options: { log: Logger; runWorkers: boolean; url?: string }): Jobs {
    const common = { schema: "pgboss", application_name: "vigil-jobs" } as const;
    const boss =
      database.kind === "postgres" && options.url
        ? new PgBoss({ ...common, connectionString: options.url, max: 4 })
        : new PgBoss({
            ...common,
            db: { executeSql: async (text, values) => ({ rows: await database.execute(text, values) }) },
          });
    const jobs = new Jobs(boss, options.log, options.runWorkers);
    boss.on("error", (error) => options.log.error({ err: error }, "job queue error"));
    return jobs;
  }

  /** Registers a job kind; its queue is created and (when this process runs workers) worked on start. */
  define<T>(definition: JobDefinition<T>): void {
    if (this.started) throw new Error(`define job ${definition.name} before start()`);
    this.definitions.set(definition.name, definition as JobDefinition<never>);
  }

  async start(): Promise<void> {
    await this.boss.start();
    for (const def of this.definitions.values()) {
      await this.boss.createQueue(def.name, {
        name: def.name,
        retryLimit: def.retryLimit ?? 3,
        retryDelay: def.retryDelaySeconds ?? 5,
        retryBackoff: true,
      });
      if (def.cron) await this.boss.schedule(def.name, def.cron);
      if (this.runWorkers) {
        const options = {
          batchSize: def.batchSize ?? 1,
          pollingIntervalSeconds: 1,
          includeMetadata: true as const,
        };
        const ids: string[] = [];
        for (let i = 0; i < (def.concurrency ?? 1); i++) {
          let id = "";
          id = await this.boss.work(def.name, options, async (batch) => {
            // A worker that found work fetches again at once instead of after its polling
            // interval, so a backlog drains at the handlers' pace, not one batch a second.
            if (id) this.boss.notifyWorker(id);
            for (const job of batch) {
              await def.handler(job.data as never, {
                id: job.id,
                name: job.name,
                retryCount: job.retryCount,
              });
            }
          });
          ids.push(id);
        }
        this.workers.set(def.name, ids);
      }
    }
    for (const { event, queue } of this.subscriptions) await this.boss.subscribe(event, queue);
    this.started = true;
    this.log.debug({ queues: [...this.definitions.keys()], workers: this.runWorkers }, "jobs started");
  }

  async send<T extends object>(
    name: string,
    data: T,
    options: PgBoss.SendOptions = {},
  ): Promise<string | null> {
    const id = await this.boss.send(name, data, options);
    if (id) this.wake(name);
    return id;
  }

  async insert(jobs: JobInsert[]): Promise<void> {
    await this.boss.insert(jobs);
    for (const name of new Set(jobs.map((j) => j.name))) this.wake(name);
  }

  /** Work queued in this process starts now rather than at the next poll (other processes poll). */
  private wake(name: string): void {
    const ids = this.workers.get(name);
    if (ids?.length) this.boss.notifyWorker(ids[Math.floor(Math.random() * ids.length)]!);
  }

  async publish(event: string, data: object = {}): Promise<void> {
    await this.boss.publish(event, data);
    // The subscribers this process knows of start now too (pg-boss sent to every subscriber).
    for (const s of this.subscriptions) if (s.event === event) this.wake(s.queue);
  }

  subscribe(event: string, queue: string): void {
    if (this.started) throw new Error(`subscribe ${queue} to ${event} before start()`);
    this.subscriptions.push({ event, queue });
  }

  /** Stops fetching new jobs and waits (up to the timeout) for running ones to finish. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: true });
  }
}
