import { inArray, sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Config } from "../../config.ts";
import type { Database, Db } from "../../db/client.ts";
import { isDatabaseUnavailable } from "../../db/errors.ts";
import { rowsOf } from "../../db/rows.ts";
import { spanBatches } from "../../db/schema/index.ts";
import { withTransaction } from "../../db/transaction.ts";
import type { Occurrence } from "../../incidents/model.ts";
import { recordOccurrence } from "../../incidents/record.ts";
import { DomainError } from "../../lib/errors.ts";
import { predictionsFromSpans } from "../../predictions/from-spans.ts";
import { storePredictions } from "../../predictions/ingest.ts";
import { exceptionOccurrences } from "../exceptions.ts";
import type { OtlpMetrics } from "../metrics.ts";
import type { SpanRecord } from "../model.ts";
import { parseDerived } from "../prepare/derived.ts";
import type { PreparedExport } from "../prepare/export.ts";
import { BATCH_FORMAT, upgradeBatchV1 } from "./copy-text.ts";
import { Partitions } from "./partitions.ts";
import { writeQueuedBatches } from "./spans.ts";

export interface SpanWriterOptions {
  /** Concurrent write transactions (each claims different batches). */
  writers: number;
  /** Spans accepted but not yet written past which new batches are refused (429). */
  queueSpans: number;
  /** Batches written per transaction at most. */
  claim?: number;
  /** A batch that failed this often (with backoff: 2, 4, 8 … s) is left in span_batches, with last_error. */
  maxAttempts?: number;
  /** How often to look for batches nobody woke the writer for (other processes, a restart). */
  pollMs?: number;
  /** A failed batch waits 2^attempts times this before its next attempt. */
  backoffMs?: number;
}

interface Claimed {
  /** bigint: a string from postgres.js. */
  id: number | string;
  project_id: string;
  received_at: Date | string;
  span_count: number;
  /** As claimed: the failed attempt is recorded only if no other writer recorded it meanwhile. */
  attempts: number;
  days: string[];
  derived: string;
  format: number;
  /** COPY text (copy-text.ts batchRows). */
  rows: string;
}

/**
 * Oldest first (so an incident's `latest` is the newest sample), batches that failed after the
 * others, and each failed one not before 2^attempts × backoffMs after its last failure.
 */
const CLAIM = (limit: number, maxAttempts: number, backoffMs: number) => sql`
  select id, project_id, received_at, span_count, attempts, days, derived, format, rows
  from span_batches
  where attempts < ${maxAttempts}
    and (failed_at is null or failed_at < now() - interval '1 millisecond' * ${backoffMs} * power(2, attempts))
  order by attempts, id limit ${limit}
  for update skip locked`;

/**
 * Moves queued OTLP batches (span_batches) into the span store. Each transaction claims up to
 * `claim` batches (SKIP LOCKED: writers and processes never take the same one), inserts their
 * spans, turns the exceptions and prediction logs of the spans that were new into incidents and
 * predictions, and deletes the batches — all or nothing, so a batch is written exactly once even
 * across crashes, and a client retry of an already written batch stores nothing twice.
 *
 * The receiver calls `admit` + `enqueue` and answers; `enqueue` wakes the writer. A poll covers
 * batches queued by other processes or left by a crash. A batch that keeps failing for a reason
 * other than the database being unavailable is kept, with its error, after `maxAttempts`.
 */
export class SpanWriter {
  private readonly partitions: Partitions;
  private readonly loops = new Set<Promise<void>>();
  private readonly claim: number;
  private readonly maxAttempts: number;
  private readonly pollMs: number;
  private readonly backoffMs: number;
  /** Spans queued, what `admit` bounds: recounted on every poll, moved by this process in between. */
  private pending = 0;
  private woken = false;
  /** Until start() and after stop(): queueing still works, writing waits for a start. */
  private stopped = true;
  private singles = false;
  private retryAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  private metrics: OtlpMetrics | undefined;

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
    private readonly options: SpanWriterOptions,
  ) {
    this.partitions = new Partitions(database);
    this.claim = options.claim ?? 8;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.pollMs = options.pollMs ?? 2000;
    this.backoffMs = options.backoffMs ?? 1000;
  }

  /** Attempts after which a failing batch is left for an operator (failed-batches.ts). */
  get attemptLimit(): number {
    return this.maxAttempts;
  }

  /** A failed batch was set to be tried again: look for it now. */
  retry(): void {
    this.wake();
  }

  /** Counts what is written on these metrics (the app's registry; src/app.ts). */
  useMetrics(metrics: OtlpMetrics): void {
    this.metrics = metrics;
    metrics.queueSpans.set(this.pending);
  }

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => {
      this.wake();
      void this.recount();
    }, this.pollMs).unref();
    this.wake();
  }

  /**
   * Finishes the transactions under way (waiting at most `timeoutMs`) and stops. What is still
   * queued — a transaction cut short rolls back — is written after the next start.
   */
  async stop(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    const finished = Promise.all(this.loops);
    if (!Number.isFinite(timeoutMs)) return void (await finished);
    await Promise.race([finished, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /**
   * What is queued, from the table: `pending` counts this process's own batches as they come and
   * go, but other processes write some of them and queue their own.
   */
  private async recount(): Promise<void> {
    try {
      const [row] = rowsOf<{ n: number; failed: number; failed_spans: number }>(
        await this.database.db.execute(
          sql`select coalesce(sum(span_count) filter (where attempts < ${this.maxAttempts}), 0)::int as n,
                count(*) filter (where attempts >= ${this.maxAttempts})::int as failed,
                coalesce(sum(span_count) filter (where attempts >= ${this.maxAttempts}), 0)::int as failed_spans
              from span_batches`,
        ),
      );
      this.pending = 0;
      this.addPending(row?.n ?? 0);
      this.metrics?.failedBatches.set(row?.failed ?? 0);
      this.metrics?.failedSpans.set(row?.failed_spans ?? 0);
    } catch {
      // The database is down: the writer's own retries report that.
    }
  }

  /** Refuses a batch of `spans` when the queue is full: 429, the client retries later. */
  admit(spans: number): void {
    if (this.pending > 0 && this.pending + spans > this.options.queueSpans) {
      this.metrics?.queueFull.inc();
      throw new DomainError(
        "busy",
        "too_many_requests",
        "Vigil's span queue is full; retry later",
        undefined,
        1,
      );
    }
  }

  /** Queues a prepared batch (one statement, committed when it returns) and wakes the writer. */
  async enqueue(projectId: string, batch: NonNullable<PreparedExport["batch"]>): Promise<void> {
    await this.partitions.ensure(batch.days.map(utcDay));
    // Counted before the insert: a writer may write the batch before this line would run after it.
    this.addPending(batch.count);
    try {
      await this.database.db.insert(spanBatches).values({
        projectId,
        spanCount: batch.count,
        days: batch.days,
        format: BATCH_FORMAT,
        rows: batch.rows,
        resources: batch.resources,
        derived: batch.derived,
      });
    } catch (error) {
      this.addPending(-batch.count);
      throw error;
    }
    this.wake();
  }

  /** Resolves once the writer found nothing left to write (tests; `vigil` itself never waits). */
  async idle(): Promise<void> {
    this.wake();
    if (!this.loops.size) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private wake(): void {
    if (this.stopped) return;
    this.woken = true;
    // PGlite has one connection: a second writer would only wait for the first.
    const wanted = this.database.kind === "pglite" ? 1 : Math.max(1, this.options.writers);
    while (this.loops.size < wanted) {
      const loop = this.loop().finally(() => {
        this.loops.delete(loop);
        if (!this.loops.size) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
        }
      });
      this.loops.add(loop);
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      const wait = this.retryAt - Date.now();
      if (wait > 0) {
        if (this.loops.size > 1) return; // one writer waits out the outage
        await new Promise((r) => setTimeout(r, Math.min(wait, this.pollMs)));
        continue;
      }
      let written: number;
      try {
        written = await this.writeSome();
      } catch (error) {
        this.log.error({ err: error }, "span writer: unexpected failure");
        written = 0;
      }
      // After a failure the one writer left keeps waiting it out (idle() means written, not given up).
      if (!written && !this.woken && this.retryAt <= Date.now()) return;
    }
  }

  /** One transaction: claim, write, delete. Returns how many batches it took (written or not). */
  private async writeSome(partitionsFixed = false): Promise<number> {
    let claimed: Claimed[] = [];
    try {
      const limit = this.singles ? 1 : this.claim;
      const done = await withTransaction(this.database.db, async (tx) => {
        claimed = rowsOf<Claimed>(await tx.execute(CLAIM(limit, this.maxAttempts, this.backoffMs)));
        if (!claimed.length) return undefined;
        return this.write(tx, claimed);
      });
      this.retryAt = 0;
      if (!done) {
        this.singles = false;
        return 0;
      }
      this.observe(claimed, done);
      if (claimed.length === 1) this.singles = false;
      return claimed.length;
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        this.log.warn({ err: error }, "span writer: database unavailable; retrying");
        this.retryAt = Date.now() + 1000;
        return 0;
      }
      if (isMissingPartition(error) && claimed.length && !partitionsFixed) {
        // Retention dropped a day the queue still had: create it again and retry, once.
        this.partitions.forget();
        await this.partitions.ensure(claimed.flatMap((b) => b.days.map(utcDay)));
        return this.writeSome(true);
      }
      if (claimed.length > 1) {
        // One bad batch (or one too big for a statement timeout) must not hold back the others.
        this.singles = true;
        return claimed.length;
      }
      if (claimed.length === 1) {
        // Deadlocks and timeouts too: counted, retried after a backoff, never forever.
        await this.markFailed(claimed[0]!, error);
        return 1;
      }
      this.retryAt = Date.now() + 1000;
      this.log.warn({ err: error }, "span writer: could not claim batches; retrying");
      return 0;
    }
  }

  private async write(tx: Db, batches: Claimed[]) {
    for (const b of batches) if (b.format !== BATCH_FORMAT) b.rows = await upgradeQueued(tx, b);
    const derived = batches.map((b) => ({ projectId: b.project_id, records: parseDerived(b.derived) }));
    const key = (projectId: string, r: SpanRecord) => `${projectId}:${r.traceId}:${r.spanId}`;
    const { stored, fresh } = await writeQueuedBatches(
      tx,
      batches.map((b) => ({ id: Number(b.id), count: b.span_count, rows: b.rows })),
      derived.flatMap((d) => d.records.map((r) => key(d.projectId, r))),
    );
    // Per project, across the claimed batches: one occurrence per fingerprint, one insert of predictions.
    const freshByProject = new Map<string, SpanRecord[]>();
    for (const { projectId, records } of derived) {
      for (const r of records) {
        // delete: a span queued twice (a retry) in the claimed batches counts once.
        if (!fresh.delete(key(projectId, r))) continue;
        const list = freshByProject.get(projectId) ?? [];
        if (!list.length) freshByProject.set(projectId, list);
        list.push(r);
      }
    }
    let predictions = 0;
    const occurrences: Occurrence[] = [];
    for (const [projectId, freshRecords] of freshByProject) {
      // Spans that carry prediction logs (vigil.prediction.*, GenAI conventions) become predictions
      // in the same transaction: a model instrumented with OpenTelemetry needs no second client.
      const { rows } = predictionsFromSpans(freshRecords);
      if (rows.length) await storePredictions(tx, projectId, rows, "trace");
      predictions += rows.length;
      occurrences.push(...exceptionOccurrences(projectId, freshRecords));
    }
    // Incidents last: every batch with the same exception updates the same incident row, and its
    // lock is held until commit. In a stable order, pipelined on the one connection.
    occurrences.sort((a, b) => compare(`${a.projectId}:${a.fingerprint}`, `${b.projectId}:${b.fingerprint}`));
    await Promise.all(occurrences.map((o) => recordOccurrence(tx, o)));
    await tx.delete(spanBatches).where(
      inArray(
        spanBatches.id,
        batches.map((b) => Number(b.id)),
      ),
    );
    return { stored, predictions, incidents: occurrences.length };
  }

  private observe(
    batches: Claimed[],
    done: { stored: number; incidents: number; predictions: number },
  ): void {
    const spans = batches.reduce((n, b) => n + b.span_count, 0);
    this.addPending(-spans);
    this.log.debug({ batches: batches.length, spans, ...done }, "span writer: wrote");
    const m = this.metrics;
    if (!m) return;
    m.spans.inc({ outcome: "accepted" }, done.stored);
    m.spans.inc({ outcome: "duplicate" }, spans - done.stored);
    const now = Date.now();
    for (const b of batches) m.writeLagSeconds.observe((now - new Date(b.received_at).getTime()) / 1000);
  }

  private addPending(spans: number): void {
    this.pending = Math.max(0, this.pending + spans);
    this.metrics?.queueSpans.set(this.pending);
  }

  private async markFailed(batch: Claimed, error: unknown): Promise<void> {
    // The driver's message quotes the failed statement's parameters: it may hold the very NUL that
    // failed it, which a text column refuses too.
    const message = String((error as Error)?.message ?? error)
      .replaceAll("\0", "")
      .slice(0, 2000);
    this.log.error({ err: error, batch: batch.id }, "span writer: a queued batch failed to write");
    this.metrics?.writeFailures.inc();
    try {
      // The claim's lock went with the rollback: another writer may have claimed the batch at the
      // same attempt count and failed too. One attempt is counted once, so maxAttempts holds.
      const [row] = rowsOf<{ attempts: number }>(
        await this.database.db.execute(
          sql`update span_batches set attempts = attempts + 1, last_error = ${message}, failed_at = now()
              where id = ${batch.id} and attempts = ${batch.attempts} returning attempts`,
        ),
      );
      if (row && row.attempts >= this.maxAttempts) {
        this.addPending(-batch.span_count);
        this.log.error(
          { batch: batch.id, attempts: row.attempts },
          "span writer: giving up on a batch; it stays queued with its error (GET /api/v1/span-batches to inspect, replay or drop it)",
        );
      }
    } catch (markError) {
      // Without the attempt recorded there is no backoff: pause this writer instead of spinning.
      this.retryAt = Date.now() + this.backoffMs;
      this.log.warn({ err: markError }, "span writer: could not record a failed attempt");
    }
  }
}

/**
 * Rewrites a batch queued by an earlier Vigil (format 1) in the current layout, in the write's
 * transaction (the resources are read from the row), and returns its new rows.
 */
async function upgradeQueued(tx: Db, batch: Claimed): Promise<string> {
  if (batch.format !== 1) throw new Error(`span batch ${batch.id} has unknown format ${batch.format}`);
  const [old] = rowsOf<{ resources: string }>(
    await tx.execute(sql`select resources from span_batches where id = ${batch.id}`),
  );
  const { rows, resources } = upgradeBatchV1(batch.project_id, batch.rows, old?.resources ?? "[]");
  await tx.execute(
    sql`update span_batches set rows = ${rows}, resources = ${resources}, format = ${BATCH_FORMAT}
        where id = ${batch.id}`,
  );
  return rows;
}

/** 23514 "no partition of relation … found for row" (and not some CHECK constraint). */
function isMissingPartition(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === "23514") return typeof message === "string" && message.includes("no partition");
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The writer as configured (VIGIL_OTLP_WRITERS, VIGIL_OTLP_QUEUE_SPANS); not started. */
export function createSpanWriter(database: Database, log: Logger, config: Config): SpanWriter {
  return new SpanWriter(database, log, {
    writers: config.VIGIL_OTLP_WRITERS,
    queueSpans: config.VIGIL_OTLP_QUEUE_SPANS,
  });
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** "2026-11-24" → that UTC midnight. */
const utcDay = (day: string) => new Date(`${day}T00:00:00Z`);
