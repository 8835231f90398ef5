import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";

/**
 * Read-only views of incidents for other capabilities (RAG indexes incidents as documents).
 * An incident's "version" is the later of its updated_at and its newest timeline event, so notes
 * and resolution comments count as changes.
 */

type Row = Record<string, unknown>;
async function rows<T = Row>(db: Db, q: SQL): Promise<T[]> {
  const r = await db.execute(q);
  return (Array.isArray(r) ? r : (r as unknown as { rows: T[] }).rows) as T[];
}

const version = sql`greatest(i.updated_at, coalesce((select max(e.at) from incident_events e where e.incident_id = i.id), i.updated_at))`;

/** Incidents (all projects) whose version is at or after `since`, oldest first. */
export async function incidentsChangedSince(
  db: Db,
  since: Date | undefined,
  limit: number,
): Promise<{ projectId: string; id: string; version: Date }[]> {
  const r = await rows<{ project_id: string; id: string; version: Date | string }>(
    db,
    sql`select i.project_id, i.id, ${version} as version from incidents i
        ${since ? sql`where ${version} >= ${since.toISOString()}` : sql``}
        order by 3, i.id limit ${limit}`,
  );
  return r.map((x) => ({ projectId: x.project_id, id: x.id, version: new Date(x.version) }));
}

export interface IncidentDocument {
  id: string;
  kind: string;
  title: string;
  status: string;
  severity: string;
  source: string | null;
  /** Markdown: title, what was seen (message, stack trace, annotations), labels, timeline with notes. */
  markdown: string;
  version: Date;
}

function text(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v, null, 2);
}

/** Renders one incident and its timeline as Markdown, for indexing and display. */
export async function incidentDocument(
  db: Db,
  projectId: string,
  id: string,
): Promise<IncidentDocument | undefined> {
  const [i] = await rows(
    db,
    sql`select i.*, ${version} as version from incidents i where i.project_id = ${projectId} and i.id = ${id}`,
  );
  if (!i) return undefined;
  const events = await rows(
    db,
    sql`select at, type, actor, message, data from incident_events where incident_id = ${id} order by at, id limit 200`,
  );
  const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : (v ?? {})) as Record<string, unknown>;
  const lines: string[] = [`# ${i.title}`, ""];
  lines.push(
    `${i.kind} incident, severity ${i.severity}, ${i.status}${i.source ? `, source ${i.source}` : ""}; ` +
      `seen ${i.count} times.`,
    "",
  );
  const section = (heading: string, obj: Record<string, unknown>) => {
    const entries = Object.entries(obj).filter(([, v]) => v !== null && v !== undefined && v !== "");
    if (!entries.length) return;
    lines.push(`## ${heading}`, "");
    for (const [k, v] of entries) {
      const t = text(v);
      // Stack traces and payloads stay whole as code blocks; short values stay on one line.
      if (t.includes("\n") || t.length > 200) lines.push(`${k}:`, "", "```", t, "```", "");
      else lines.push(`- ${k}: ${t}`);
    }
    lines.push("");
  };
  section("What was seen", json(i.sample));
  const latest = json(i.latest);
  if (JSON.stringify(latest) !== JSON.stringify(json(i.sample))) section("Latest occurrence", latest);
  section("Labels", json(i.labels));
  const notes = events.filter((e) => e.message);
  if (notes.length) {
    lines.push("## Timeline", "");
    for (const e of notes) {
      const at = new Date(e.at as string).toISOString();
      lines.push(`- ${at} ${e.type}${e.actor ? ` by ${e.actor}` : ""}: ${e.message}`);
    }
    lines.push("");
  }
  return {
    id,
    kind: String(i.kind),
    title: String(i.title),
    status: String(i.status),
    severity: String(i.severity),
    source: (i.source as string | null) ?? null,
    markdown: lines.join("\n"),
    version: new Date(i.version as string),
  };
}
