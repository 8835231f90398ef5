import { and, desc, eq, gte, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { incidentEvents, incidents } from "../db/schema/index.ts";
import type { Incident, IncidentEvent } from "./model.ts";

export interface IncidentFilter {
  kind?: string;
  status?: string;
  severity?: string;
  source?: string;
  since?: Date;
  /** Keyset cursor: last_seen|id of the last row of the previous page. */
  cursor?: { lastSeen: Date; id: string };
  limit: number;
}

type Row = typeof incidents.$inferSelect;

export function toIncident(row: Row): Incident {
  return {
    id: row.id,
    kind: row.kind as Incident["kind"],
    fingerprint: row.fingerprint,
    title: row.title,
    status: row.status as Incident["status"],
    severity: row.severity as Incident["severity"],
    source: row.source,
    firstSeen: row.firstSeen.toISOString(),
    lastSeen: row.lastSeen.toISOString(),
    count: row.count,
    sample: row.sample as Record<string, unknown>,
    latest: row.latest as Record<string, unknown>,
    evidence: row.evidence as Record<string, unknown>,
    labels: row.labels as Record<string, unknown>,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
  };
}

export async function listIncidents(db: Db, projectId: string, f: IncidentFilter): Promise<Incident[]> {
  const where: (SQL | undefined)[] = [eq(incidents.projectId, projectId)];
  if (f.kind) where.push(eq(incidents.kind, f.kind));
  if (f.status) where.push(eq(incidents.status, f.status));
  if (f.severity) where.push(eq(incidents.severity, f.severity));
  if (f.source) where.push(eq(incidents.source, f.source));
  if (f.since) where.push(gte(incidents.lastSeen, f.since));
  if (f.cursor) {
    where.push(
      or(
        lt(incidents.lastSeen, f.cursor.lastSeen),
        and(eq(incidents.lastSeen, f.cursor.lastSeen), lt(incidents.id, f.cursor.id)),
      ),
    );
  }
  const rows = await db
    .select()
    .from(incidents)
    .where(and(...where))
    .orderBy(desc(incidents.lastSeen), desc(incidents.id))
    .limit(f.limit);
  return rows.map(toIncident);
}

/** Incidents per kind, severity and status (only the given statuses, when some are). */
export async function countIncidents(
  db: Db,
  projectId: string,
  statuses?: string[],
): Promise<Array<{ kind: string; severity: string; status: string; count: number }>> {
  const where: SQL[] = [eq(incidents.projectId, projectId)];
  if (statuses?.length) where.push(inArray(incidents.status, statuses));
  const rows = await db
    .select({
      kind: incidents.kind,
      severity: incidents.severity,
      status: incidents.status,
      count: sql<number | string>`count(*)`,
    })
    .from(incidents)
    .where(and(...where))
    .groupBy(incidents.kind, incidents.severity, incidents.status)
    .orderBy(incidents.kind, incidents.severity, incidents.status);
  return rows.map((r) => ({ ...r, count: Number(r.count) }));
}

export async function getIncident(db: Db, projectId: string, id: string): Promise<Incident | undefined> {
  const [row] = await db
    .select()
    .from(incidents)
    .where(and(eq(incidents.projectId, projectId), eq(incidents.id, id)));
  return row ? toIncident(row) : undefined;
}

/** The project an incident belongs to, for background jobs that get only its id. */
export async function incidentProjectId(db: Db, id: string): Promise<string | undefined> {
  const [row] = await db
    .select({ projectId: incidents.projectId })
    .from(incidents)
    .where(eq(incidents.id, id));
  return row?.projectId;
}

export async function incidentTimeline(db: Db, projectId: string, id: string): Promise<IncidentEvent[]> {
  const rows = await db
    .select()
    .from(incidentEvents)
    .where(and(eq(incidentEvents.projectId, projectId), eq(incidentEvents.incidentId, id)))
    .orderBy(incidentEvents.at, incidentEvents.id);
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    type: r.type,
    actor: r.actor,
    message: r.message,
    data: r.data as Record<string, unknown>,
  }));
}

export const encodeCursor = (i: Incident) => Buffer.from(`${i.lastSeen}|${i.id}`).toString("base64url");
export function decodeCursor(cursor: string): { lastSeen: Date; id: string } | undefined {
  const [ts, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const lastSeen = new Date(ts ?? "");
  if (!id || Number.isNaN(lastSeen.getTime())) return undefined;
  return { lastSeen, id };
}

export const countByStatus = (db: Db, projectId: string) =>
  db
    .select({ status: incidents.status, n: sql<number>`count(*)::int` })
    .from(incidents)
    .where(eq(incidents.projectId, projectId))
    .groupBy(incidents.status);
