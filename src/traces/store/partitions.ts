import type { Database } from "../../db/client.ts";

const NS_PER_DAY = 86_400_000_000_000n;
const NAME = /^spans_p(\d{4})(\d{2})(\d{2})$/;

/** "spans_p20261124" for the UTC day containing this instant. */
export function partitionName(day: Date): string {
  return `spans_p${day.toISOString().slice(0, 10).replaceAll("-", "")}`;
}

/** The UTC days (as midnight Dates) a set of span start times fall on. */
export function daysOf(startNs: Iterable<bigint>): Date[] {
  const days = new Set<bigint>();
  for (const ns of startNs) days.add(ns / NS_PER_DAY);
  return [...days].sort().map((d) => new Date(Number(d * 86_400_000n)));
}

/** The day a partition covers, from its name; undefined for tables that are not ours. */
export function partitionDay(name: string): Date | undefined {
  const m = NAME.exec(name);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
}

/**
 * Creates day partitions on demand. Remembers which exist so the hot path costs nothing after the
 * first batch of a day; `forget` clears that after retention dropped some (or an insert found one
 * missing).
 */
export class Partitions {
  private readonly known = new Set<string>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly database: Database) {}

  async ensure(days: Date[]): Promise<void> {
    await Promise.all(days.map((day) => this.ensureDay(day)));
  }

  forget(): void {
    this.known.clear();
  }

  private ensureDay(day: Date): Promise<void> {
    const name = partitionName(day);
    if (this.known.has(name)) return Promise.resolve();
    let p = this.pending.get(name);
    if (!p) {
      p = this.create(name, day).finally(() => this.pending.delete(name));
      this.pending.set(name, p);
    }
    return p;
  }

  private async create(name: string, day: Date): Promise<void> {
    const from = day.toISOString();
    const to = new Date(day.getTime() + 86_400_000).toISOString();
    try {
      await this.database.execute(
        `create table if not exists ${name} partition of spans for values from ('${from}') to ('${to}')`,
      );
    } catch (error) {
      // Another Vigil process created it between our "if not exists" check and the create.
      const code = (error as { code?: string }).code;
      if (code !== "42P07" && code !== "23505") throw error;
    }
    this.known.add(name);
  }
}

/** Day partitions of spans, oldest first. */
export async function listPartitions(database: Database): Promise<{ name: string; day: Date }[]> {
  const rows = await database.execute<{ name: string }>(
    `select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'spans'::regclass`,
  );
  return rows
    .map((r) => ({ name: r.name, day: partitionDay(r.name) }))
    .filter((p): p is { name: string; day: Date } => p.day !== undefined)
    .sort((a, b) => a.day.getTime() - b.day.getTime());
}

/**
 * Drops whole day partitions that ended before now − retentionDays (instant, no row-by-row
 * delete, no bloat), and the span_resources of those days (a few rows a day). Returns the names dropped.
 */
export async function dropExpiredPartitions(
  database: Database,
  retentionDays: number,
  now = new Date(),
): Promise<string[]> {
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  const dropped: string[] = [];
  for (const p of await listPartitions(database)) {
    if (p.day.getTime() + 86_400_000 > cutoff) continue;
    await database.execute(`drop table if exists ${p.name}`);
    dropped.push(p.name);
  }
  await database.execute(
    `delete from span_resources where (day + 1)::timestamp at time zone 'UTC' <= $1::timestamptz`,
    [new Date(cutoff).toISOString()],
  );
  return dropped;
}
