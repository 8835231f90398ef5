import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { incidentEvents, incidents } from "../db/schema/index.ts";
import type { Occurrence } from "./model.ts";

export interface Recorded {
  id: string;
  /** First time this fingerprint was seen. */
  created: boolean;
  /** It had been resolved and came back. */
  reopened: boolean;
  count: number;
}

/**
 * The one way every capability opens or updates an incident. Atomic upsert on
 * (project, kind, fingerprint): repeats bump count and last_seen and keep the latest sample;
 * the first sample is kept forever; first_seen only moves earlier (a reporter may know the problem
 * began before it told us: `firstSeen`); a resolved incident that recurs is reopened.
 */
export async function recordOccurrence(db: Db, o: Occurrence): Promise<Recorded> {
  const at = o.at ?? new Date();
  const firstSeen = o.firstSeen && o.firstSeen < at ? o.firstSeen : at;
  const sample = o.sample ?? {};
  const [row] = await db
    .insert(incidents)
    .values({
      projectId: o.projectId,
      kind: o.kind,
      fingerprint: o.fingerprint,
      title: o.title,
      severity: o.severity ?? "error",
      source: o.source,
      firstSeen,
      lastSeen: at,
      count: o.count ?? 1,
      sample,
      latest: sample,
      evidence: o.evidence ?? {},
      labels: o.labels ?? {},
    })
    .onConflictDoUpdate({
      target: [incidents.projectId, incidents.kind, incidents.fingerprint],
      set: {
        count: sql`${incidents.count} + excluded.count`,
        lastSeen: sql`greatest(${incidents.lastSeen}, excluded.last_seen)`,
        firstSeen: sql`least(${incidents.firstSeen}, excluded.first_seen)`,
        latest: sql`excluded.latest`,
        title: sql`excluded.title`,
        severity: sql`excluded.severity`,
        evidence: sql`${incidents.evidence} || excluded.evidence`,
        labels: sql`${incidents.labels} || excluded.labels`,
        status: sql`case when ${incidents.status} = 'resolved' then 'open' else ${incidents.status} end`,
        resolvedAt: sql`case when ${incidents.status} = 'resolved' then null else ${incidents.resolvedAt} end`,
        updatedAt: sql`now()`,
      },
    })
    .returning({
      id: incidents.id,
      count: incidents.count,
      // xmax = 0 only for a freshly inserted row: tells insert from update in one round trip.
      created: sql<boolean>`(xmax = 0)`,
    });
  const created = Boolean(row!.created);
  let reopened = false;
  if (created) {
    await addEvent(db, row!.id, o.projectId, {
      type: "opened",
      at: firstSeen,
      message: o.title,
      data: { evidence: o.evidence ?? {} },
    });
  } else {
    // RETURNING cannot see the old status, so the timeline tells whether this was a reopen.
    const [last] = await db
      .select({ type: incidentEvents.type })
      .from(incidentEvents)
      .where(
        and(
          eq(incidentEvents.incidentId, row!.id),
          sql`${incidentEvents.type} in ('resolved','reopened','acknowledged','opened')`,
        ),
      )
      .orderBy(sql`${incidentEvents.id} desc`)
      .limit(1);
    if (last?.type === "resolved") {
      reopened = true;
      await addEvent(db, row!.id, o.projectId, {
        type: "reopened",
        at,
        message: o.reopenMessage ?? "recurred after being resolved",
      });
    }
  }
  return { id: row!.id, created, reopened, count: row!.count };
}

/** Resolves the incident with this fingerprint, if open; returns its id when something changed. */
export async function resolveByFingerprint(
  db: Db,
  projectId: string,
  kind: Occurrence["kind"],
  fingerprint: string,
  options: ResolveOptions = {},
): Promise<string | undefined> {
  return resolveWhere(
    db,
    projectId,
    and(eq(incidents.kind, kind), eq(incidents.fingerprint, fingerprint))!,
    options,
  );
}

/** Resolves the incident with this id, if open; returns its id when something changed. */
export async function resolveIncident(
  db: Db,
  projectId: string,
  incidentId: string,
  options: ResolveOptions = {},
): Promise<string | undefined> {
  return resolveWhere(db, projectId, eq(incidents.id, incidentId), options);
}

export interface ResolveOptions {
  at?: Date;
  actor?: string;
  message?: string;
  /** Kept on the "resolved" event, e.g. what resolved it (a retraining run's page). */
  data?: Record<string, unknown>;
}

async function resolveWhere(db: Db, projectId: string, which: SQL, options: ResolveOptions) {
  const at = options.at ?? new Date();
  const [row] = await db
    .update(incidents)
    .set({ status: "resolved", resolvedAt: at, updatedAt: new Date() })
    .where(and(eq(incidents.projectId, projectId), which, sql`${incidents.status} <> 'resolved'`))
    .returning({ id: incidents.id });
  if (!row) return undefined;
  await addEvent(db, row.id, projectId, {
    type: "resolved",
    at,
    actor: options.actor,
    message: options.message,
    ...(options.data ? { data: options.data } : {}),
  });
  return row.id;
}

/**
 * The incidents of one kind whose fingerprint starts with `prefix` and that are not resolved, with
 * their latest sample: for a capability deciding which of its own incidents a change has fixed.
 */
export async function unresolvedByPrefix(
  db: Db,
  projectId: string,
  kind: Occurrence["kind"],
  prefix: string,
): Promise<{ id: string; fingerprint: string; latest: Record<string, unknown> }[]> {
  const rows = await db
    .select({ id: incidents.id, fingerprint: incidents.fingerprint, latest: incidents.latest })
    .from(incidents)
    .where(
      and(
        eq(incidents.projectId, projectId),
        eq(incidents.kind, kind),
        sql`${incidents.status} <> 'resolved'`,
        sql`starts_with(${incidents.fingerprint}, ${prefix})`,
      ),
    );
  return rows.map((r) => ({
    id: r.id,
    fingerprint: r.fingerprint,
    latest: (r.latest ?? {}) as Record<string, unknown>,
  }));
}

/**
 * Timeline events that may notify someone. They are written with pending_dispatch set, so the
 * notifications dispatcher routes them whichever capability caused them (the timeline is the outbox).
 */
export const NOTIFIABLE_EVENTS: ReadonlySet<string> = new Set([
  "opened",
  "reopened",
  "resolved",
  "acknowledged",
  "severity_changed",
  // The retraining loop's runs, on the drift incident they answer.
  "retraining_started",
  "retraining_succeeded",
  "retraining_failed",
]);

export async function addEvent(
  db: Db,
  incidentId: string,
  projectId: string,
  event: { type: string; at?: Date; actor?: string; message?: string; data?: Record<string, unknown> },
): Promise<void> {
  await db.insert(incidentEvents).values({
    incidentId,
    projectId,
    type: event.type,
    at: event.at ?? new Date(),
    actor: event.actor,
    message: event.message,
    data: event.data ?? {},
    pendingDispatch: NOTIFIABLE_EVENTS.has(event.type),
  });
}
