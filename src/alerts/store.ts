import { and, desc, eq, lt, lte, type SQL, sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.ts";
import { alertPayloads, incidents } from "../db/schema/index.ts";
import { withTransaction } from "../db/transaction.ts";
import { recordOccurrence, resolveByFingerprint } from "../incidents/record.ts";
import type { AlertSignal } from "./signal.ts";

export type AlertSource = "alertmanager" | "grafana" | "generic";

export interface AlertResult {
  fingerprint: string;
  status: "firing" | "resolved";
  /** created | reopened | updated (firing); resolved | not_open (resolved). */
  action: "created" | "reopened" | "updated" | "resolved" | "not_open";
  incidentId: string | null;
}

export interface IngestResult {
  payloadId: string;
  /** The same delivery was received before: nothing was applied again. */
  duplicate: boolean;
  results: AlertResult[];
}

/**
 * Stores the payload as received and applies its alerts to incidents, in one transaction: the
 * sender gets 2xx only once both are committed, and a retry (same idempotency key) is a no-op.
 *
 * With `retryWindowSeconds`, the key identifies a retry only within that many seconds of the last
 * stored delivery with it: Alertmanager and Grafana send a still-firing alert again every
 * repeat_interval with a byte-identical body, and that repeat is an occurrence, not a retry. The
 * expired delivery gives up the key (renamed `<key>@<id>`; the unique index stays the arbiter),
 * so concurrent identical deliveries still apply once: the second waits on the first's row lock,
 * finds the key taken by the first's new row, and is answered as its duplicate.
 */
export async function ingestAlerts(
  database: Database,
  input: {
    projectId: string;
    source: AlertSource;
    idempotencyKey: string;
    /** The key expires this long after the last stored delivery with it; absent: never. */
    retryWindowSeconds?: number;
    body: string;
    userAgent?: string;
    signals: AlertSignal[];
  },
): Promise<IngestResult> {
  const now = new Date();
  return withTransaction(database.db, async (db) => {
    if (input.retryWindowSeconds !== undefined) {
      await db
        .update(alertPayloads)
        .set({ idempotencyKey: sql`${alertPayloads.idempotencyKey} || '@' || ${alertPayloads.id}` })
        .where(
          and(
            eq(alertPayloads.projectId, input.projectId),
            eq(alertPayloads.source, input.source),
            eq(alertPayloads.idempotencyKey, input.idempotencyKey),
            lte(alertPayloads.receivedAt, sql`now() - make_interval(secs => ${input.retryWindowSeconds})`),
          ),
        );
    }
    const [inserted] = await db
      .insert(alertPayloads)
      .values({
        projectId: input.projectId,
        source: input.source,
        idempotencyKey: input.idempotencyKey,
        body: input.body,
        userAgent: input.userAgent,
        alertCount: input.signals.length,
      })
      .onConflictDoNothing()
      .returning({ id: alertPayloads.id });
    if (!inserted) {
      const [previous] = await db
        .select({ id: alertPayloads.id, result: alertPayloads.result })
        .from(alertPayloads)
        .where(
          and(
            eq(alertPayloads.projectId, input.projectId),
            eq(alertPayloads.source, input.source),
            eq(alertPayloads.idempotencyKey, input.idempotencyKey),
          ),
        );
      return { payloadId: previous!.id, duplicate: true, results: previous!.result as AlertResult[] };
    }

    // Same order in every transaction, so concurrent payloads touching the same alerts cannot deadlock.
    const signals = [...input.signals].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
    const results: AlertResult[] = [];
    for (const s of signals) {
      if (s.status === "firing") {
        const r = await recordOccurrence(db, {
          projectId: input.projectId,
          kind: "alert",
          fingerprint: s.fingerprint,
          title: s.title,
          severity: s.severity,
          source: s.source,
          at: now,
          firstSeen: s.startsAt,
          reopenMessage: await reopenMessage(db, input.projectId, s),
          sample: s.sample,
          evidence: s.evidence,
          labels: s.labels,
        });
        const action = r.created ? "created" : r.reopened ? "reopened" : "updated";
        results.push({ fingerprint: s.fingerprint, status: s.status, action, incidentId: r.id });
      } else {
        // The sender's end time, but never before the incident was last seen: a late or replayed
        // resolution must not put "resolved" before "opened" in the timeline.
        const [seen] = await db
          .select({ lastSeen: incidents.lastSeen })
          .from(incidents)
          .where(
            and(
              eq(incidents.projectId, input.projectId),
              eq(incidents.kind, "alert"),
              eq(incidents.fingerprint, s.fingerprint),
            ),
          );
        const at = s.endsAt && seen && s.endsAt > seen.lastSeen ? s.endsAt : (seen?.lastSeen ?? now);
        const id = await resolveByFingerprint(db, input.projectId, "alert", s.fingerprint, {
          at: s.endsAt ? at : now,
          actor: s.source,
          message: `resolved by ${input.source}`,
        });
        results.push({
          fingerprint: s.fingerprint,
          status: s.status,
          action: id ? "resolved" : "not_open",
          incidentId: id ?? null,
        });
      }
    }
    await db.update(alertPayloads).set({ result: results }).where(eq(alertPayloads.id, inserted.id));
    return { payloadId: inserted.id, duplicate: false, results };
  });
}

/**
 * What the timeline says if this firing signal reopens a resolved incident: an alert that began
 * before the incident was resolved (resolved by hand, or a lost resolution) is still firing, one that
 * began after fired again.
 */
async function reopenMessage(db: Db, projectId: string, s: AlertSignal): Promise<string | undefined> {
  if (!s.startsAt) return undefined;
  const [row] = await db
    .select({ status: incidents.status, resolvedAt: incidents.resolvedAt })
    .from(incidents)
    .where(
      and(
        eq(incidents.projectId, projectId),
        eq(incidents.kind, "alert"),
        eq(incidents.fingerprint, s.fingerprint),
      ),
    );
  if (row?.status !== "resolved" || !row.resolvedAt) return undefined;
  return s.startsAt <= row.resolvedAt
    ? `still firing: ${s.source} sent it again after it was resolved`
    : "fired again after being resolved";
}

/** Stored payloads, newest first: what a sender really sent, for debugging an integration. */
export async function listPayloads(
  db: Db,
  projectId: string,
  f: { source?: AlertSource; before?: Date; limit: number },
) {
  const where: (SQL | undefined)[] = [eq(alertPayloads.projectId, projectId)];
  if (f.source) where.push(eq(alertPayloads.source, f.source));
  if (f.before) where.push(lt(alertPayloads.receivedAt, f.before));
  const rows = await db
    .select()
    .from(alertPayloads)
    .where(and(...where))
    .orderBy(desc(alertPayloads.receivedAt), desc(alertPayloads.id))
    .limit(f.limit);
  return rows.map((r) => ({
    id: r.id,
    source: r.source as AlertSource,
    receivedAt: r.receivedAt.toISOString(),
    userAgent: r.userAgent,
    alertCount: r.alertCount,
    body: r.body,
    results: r.result as AlertResult[],
  }));
}
