/**
 * Writes prepared prediction rows (COPY text, prepare.ts) into `predictions` in the caller's
 * transaction, a group of pieces per `COPY … FROM STDIN`. A group is sent while the caller prepares
 * the next, so parsing and the database's work overlap. Idempotency is the unique index on
 * (project, model, request id): a COPY that meets a stored row fails with a unique violation, so
 * each COPY runs in a savepoint, and only when one is refused that way are its rows copied into a
 * temporary table and inserted from there with ON CONFLICT DO NOTHING.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { copyIn } from "../db/copy.ts";
import { PREDICTION_COLUMNS } from "./prepare.ts";
import { run } from "./store.ts";

/** Rows per COPY: large enough that a statement's round trips do not count, small enough to overlap. */
export const COPY_GROUP_ROWS = 5000;

const UNIQUE_VIOLATION = "23505";

export class PredictionCopier {
  /** Rows stored so far (duplicates of stored rows are not). */
  inserted = 0;
  private texts: string[] = [];
  private rows = 0;
  private inflight: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly tx: Db,
    private readonly groupRows = COPY_GROUP_ROWS,
  ) {}

  /** Queues the COPY text of `rows` rows; sends a group once it is large enough. Throws a write's error. */
  add(text: string, rows: number): void {
    if (this.failure !== undefined) throw this.failure;
    if (rows === 0) return;
    this.texts.push(text);
    this.rows += rows;
    if (this.rows >= this.groupRows) this.send();
  }

  /** Waits for what is being written (before the caller runs another statement on the transaction). */
  async idle(): Promise<void> {
    await this.inflight;
  }

  /** Writes what is queued and waits for every write. */
  async finish(): Promise<void> {
    if (this.rows > 0) this.send();
    await this.inflight;
  }

  private send(): void {
    const texts = this.texts;
    const rows = this.rows;
    this.texts = [];
    this.rows = 0;
    this.inflight = this.inflight.then(() => this.write(texts, rows));
    this.inflight.catch((error: unknown) => {
      this.failure ??= error;
    });
  }

  private async write(texts: string[], rows: number): Promise<void> {
    const copied = await this.tx
      .transaction((sp) => copyIn(sp, "predictions", PREDICTION_COLUMNS, texts))
      .then(
        () => true,
        (error: unknown) => {
          if ((error as { code?: string })?.code === UNIQUE_VIOLATION) return false;
          throw error;
        },
      );
    if (copied) {
      this.inserted += rows;
      return;
    }
    await this.tx.execute(
      sql`create temporary table if not exists predictions_in (like predictions including defaults) on commit drop`,
    );
    await this.tx.execute(sql`truncate predictions_in`);
    await copyIn(this.tx, "predictions_in", PREDICTION_COLUMNS, texts);
    const [row] = await run<{ inserted: number }>(
      this.tx,
      sql`with ins as (
            insert into predictions select * from predictions_in order by id
            on conflict (project_id, model, request_id) do nothing
            returning 1
          )
          select count(*)::int as inserted from ins`,
    );
    this.inserted += row?.inserted ?? 0;
  }
}
