import { and, desc, eq, lt, type SQL } from "drizzle-orm";
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
 */
export async function ingestAlerts(
  database: Database,
  input: {
    projectId: string;
    source: AlertSource;
    idempotencyKey: string;
    body: string;
    userAgent?: string;
    signals: AlertSignal[];
  },
): Promise<IngestResult> {
  const now = new Date();
  return withTransaction(database.db, async (db) => {
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
