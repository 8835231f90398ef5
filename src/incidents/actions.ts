import { and, eq, sql } from "drizzle-orm";
import type { Database, Db } from "../db/client.ts";
import { incidents } from "../db/schema/index.ts";
import { withTransaction } from "../db/transaction.ts";
import { conflictError } from "../lib/errors.ts";
import type { Incident, Severity } from "./model.ts";
import { addEvent } from "./record.ts";
import { getIncident, toIncident } from "./store.ts";
import { type StatusAction, transition } from "./transitions.ts";

export interface ActionResult {
  incident: Incident;
  changed: boolean;
}

/** Locks the incident row for the rest of the transaction (concurrent actions apply one by one). */
async function lockIncident(db: Db, projectId: string, id: string) {
  const [row] = await db
    .select()
    .from(incidents)
    .where(and(eq(incidents.projectId, projectId), eq(incidents.id, id)))
    .for("update");
  return row;
}

/** acknowledge / resolve / reopen, with a timeline event; a resolve may carry a resolution note. */
export async function changeStatus(
  database: Database,
  projectId: string,
  id: string,
  action: StatusAction,
  by: { actor: string; message?: string; note?: string },
): Promise<ActionResult | undefined> {
  return withTransaction(database.db, async (db) => {
    const row = await lockIncident(db, projectId, id);
    if (!row) return undefined;
    const t = transition(row.status as Incident["status"], action);
    if ("conflict" in t) throw conflictError(t.conflict, { status: row.status });
    if (!t.changed) {
      if (by.note) await addEvent(db, id, projectId, { type: "note", actor: by.actor, message: by.note });
      return { incident: toIncident(row), changed: false };
    }
    const now = new Date();
    const [updated] = await db
      .update(incidents)
      .set({
        status: t.next,
        resolvedAt: t.next === "resolved" ? now : null,
        updatedAt: now,
      })
      .where(eq(incidents.id, id))
      .returning();
    await addEvent(db, id, projectId, { type: t.event, at: now, actor: by.actor, message: by.message });
    // Resolution notes are their own timeline entries: the RAG index reads notes as "what fixed it".
    if (by.note)
      await addEvent(db, id, projectId, { type: "note", at: now, actor: by.actor, message: by.note });
    return { incident: toIncident(updated!), changed: true };
  });
}

export async function addNote(
  database: Database,
  projectId: string,
  id: string,
  note: { actor: string; text: string },
): Promise<Incident | undefined> {
  const incident = await getIncident(database.db, projectId, id);
  if (!incident) return undefined;
  await addEvent(database.db, id, projectId, { type: "note", actor: note.actor, message: note.text });
  return incident;
}

export async function setSeverity(
  database: Database,
  projectId: string,
  id: string,
  severity: Severity,
  by: { actor: string; message?: string },
): Promise<ActionResult | undefined> {
  return withTransaction(database.db, async (db) => {
    const row = await lockIncident(db, projectId, id);
    if (!row) return undefined;
    if (row.severity === severity) return { incident: toIncident(row), changed: false };
    const [updated] = await db
      .update(incidents)
      .set({ severity, updatedAt: new Date() })
      .where(eq(incidents.id, id))
      .returning();
    await addEvent(db, id, projectId, {
      type: "severity_changed",
      actor: by.actor,
      message: by.message ?? `${row.severity} → ${severity}`,
      data: { from: row.severity, to: severity },
    });
    return { incident: toIncident(updated!), changed: true };
  });
}

export interface EvidenceLink {
  kind: "trace" | "drift_report" | "schema_change" | "alert" | "url";
  ref: string;
  url?: string;
  title?: string;
}

/** Appends a link to evidence.links (kept across later occurrences) and notes it in the timeline. */
export async function addLink(
  database: Database,
  projectId: string,
  id: string,
  link: EvidenceLink,
  actor: string,
): Promise<Incident | undefined> {
  return withTransaction(database.db, async (db) => {
    const [updated] = await db
      .update(incidents)
      .set({
        evidence: sql`jsonb_set(${incidents.evidence}, '{links}', coalesce(${incidents.evidence}->'links', '[]'::jsonb) || ${JSON.stringify([link])}::jsonb)`,
        updatedAt: new Date(),
      })
      .where(and(eq(incidents.projectId, projectId), eq(incidents.id, id)))
      .returning();
    if (!updated) return undefined;
    await addEvent(db, id, projectId, {
      type: "linked",
      actor,
      message: link.title ?? `${link.kind} ${link.ref}`,
      data: { ...link },
    });
    return toIncident(updated);
  });
}
