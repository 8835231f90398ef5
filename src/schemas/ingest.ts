import { createHash } from "node:crypto";
import type { Database, Db } from "../db/client.ts";
import { withTransaction } from "../db/transaction.ts";
import { recordOccurrence } from "../incidents/record.ts";
import { DomainError, invalidInput } from "../lib/errors.ts";
import { checkDatasetSnapshot, checkLineageEvent } from "./contracts/enforce.ts";
import type { ImpactedNode } from "./impact-paths.ts";
import { impactOf } from "./impact-store.ts";
import { resolveFixedSchemaIncidents } from "./incident-resolve.ts";
import {
  type EdgeInput,
  insertLineageEvent,
  replaceColumnLineage,
  touchJobRun,
  upsertEdges,
} from "./lineage-store.ts";
import type { Normalized } from "./normalize.ts";
import { type ParsedLineageEvent, parseOpenLineageEvent } from "./openlineage.ts";
import { readerImpactFields, schemaIncident } from "./schema-incident.ts";
import { type NodeRef, nodeKey, recordSnapshot, type SnapshotResult, upsertNodes } from "./store.ts";

/**
 * The write paths of snapshots and lineage: each request is one transaction, so what is
 * acknowledged is stored whole and a failure stores nothing; a breaking change opens its `schema`
 * incident in the same transaction.
 */

/**
 * A deadlock or serialization failure rolled the whole request back: nothing was stored, so the
 * client may simply retry. Sorted locking makes this rare (a batch racing another batch).
 */
function retryable(e: unknown): never {
  const code = (x: unknown) => (x && typeof x === "object" ? (x as { code?: unknown }).code : undefined);
  const c = code(e) ?? code((e as { cause?: unknown })?.cause);
  if (c === "40P01" || c === "40001")
    throw new DomainError(
      "unavailable",
      "write_conflict",
      "Concurrent writes conflicted; nothing was stored, retry",
      undefined,
      1,
    );
  throw e;
}

export interface IncidentRef {
  id: string;
  created: boolean;
  impacted: ImpactedNode[];
  truncated: boolean;
}

/** A breaking version: the downstream impact of the fields readers used, and the incident. */
async function openSchemaIncident(
  db: Db,
  projectId: string,
  r: SnapshotResult,
  source: "api" | "lineage",
  at: Date,
  job?: NodeRef,
): Promise<IncidentRef> {
  const fields = readerImpactFields(r.changes);
  const impact =
    fields.length > 0
      ? await impactOf(db, projectId, r.datasetId, fields)
      : { impacted: [], truncated: false };
  const rec = await recordOccurrence(
    db,
    schemaIncident({
      projectId,
      dataset: r.dataset,
      version: r.version,
      previousVersion: r.previousVersion ?? r.version - 1,
      hash: r.hash,
      changes: r.changes,
      impacted: impact.impacted,
      source,
      at,
      ...(job ? { job } : {}),
    }),
  );
  return { id: rec.id, created: rec.created, impacted: impact.impacted, truncated: impact.truncated };
}

export async function ingestSnapshot(
  database: Database,
  projectId: string,
  ref: NodeRef,
  n: Normalized,
): Promise<SnapshotResult & { incident?: IncidentRef; resolvedIncidents?: string[] }> {
  return withTransaction(database.db, async (tx) => {
    const now = new Date();
    const r = await recordSnapshot(tx, projectId, ref, {
      schema: n.schema,
      format: n.format,
      warnings: n.warnings,
      source: "api",
      observedAt: now,
    });
    await checkDatasetSnapshot(tx, projectId, ref, {
      schema: n.schema,
      at: now,
      write: true,
      schemaVersion: r.version,
    });
    if (!r.created) return r;
    const resolvedIncidents = await resolveFixedSchemaIncidents(tx, projectId, r, n.schema, now);
    const out = resolvedIncidents.length > 0 ? { ...r, resolvedIncidents } : r;
    if (!r.breaking) return out;
    return { ...out, incident: await openSchemaIncident(tx, projectId, r, "api", now) };
  }).catch(retryable);
}

export interface EventResult {
  kind: ParsedLineageEvent["kind"];
  runId?: string;
  eventType?: string;
  /** Stored before: nothing was applied again. */
  duplicate: boolean;
  job?: NodeRef;
  datasets: number;
  fieldEdges: number;
  snapshots: {
    namespace: string;
    name: string;
    version: number;
    created: boolean;
    stale: boolean;
    breaking: boolean;
  }[];
  incidents: { id: string; created: boolean; dataset: NodeRef; impacted: number }[];
  /** Earlier schema incidents a new version fixed (see resolveFixedSchemaIncidents). */
  resolvedIncidents: string[];
}

interface Prepared {
  raw: unknown;
  parsed: ParsedLineageEvent;
  key: string;
  at: Date;
}

/**
 * Validates every event before anything is stored, so a batch with one bad event is a 4xx that
 * stored nothing. The idempotency key is runId + eventType + eventTime for run events (what a
 * client's retry repeats), and the body's hash for JobEvent/DatasetEvent.
 */
export function prepareEvents(events: unknown[]): Prepared[] {
  return events.map((raw, i) => {
    let parsed: ParsedLineageEvent;
    try {
      parsed = parseOpenLineageEvent(raw);
    } catch (e) {
      if (events.length > 1 && e instanceof Error) e.message = `events[${i}]: ${e.message}`;
      throw e;
    }
    const at = parsed.eventTime ? new Date(parsed.eventTime) : new Date();
    if (Number.isNaN(at.getTime()))
      throw invalidInput(
        `${events.length > 1 ? `events[${i}]: ` : ""}eventTime is not an ISO 8601 date-time`,
        {
          eventTime: parsed.eventTime,
        },
      );
    const key = parsed.runId
      ? `run:${parsed.runId}:${parsed.eventType ?? ""}:${parsed.eventTime ?? ""}`
      : `body:${createHash("sha256").update(JSON.stringify(raw)).digest("hex")}`;
    return { raw, parsed, key, at };
  });
}

async function applyEvent(tx: Db, projectId: string, p: Prepared): Promise<EventResult> {
  const { parsed, at } = p;
  const result: EventResult = {
    kind: parsed.kind,
    duplicate: false,
    datasets: 0,
    fieldEdges: 0,
    snapshots: [],
    incidents: [],
    resolvedIncidents: [],
  };
  if (parsed.runId) result.runId = parsed.runId;
  if (parsed.eventType) result.eventType = parsed.eventType;
  if (parsed.job) result.job = parsed.job;
  const isNew = await insertLineageEvent(tx, projectId, {
    key: p.key,
    kind: parsed.kind,
    ...(parsed.runId ? { runId: parsed.runId } : {}),
    ...(parsed.eventType ? { eventType: parsed.eventType } : {}),
    ...(parsed.eventTime ? { eventTime: at } : {}),
    ...(parsed.job ? { job: parsed.job } : {}),
    event: p.raw,
  });
  if (!isNew) return { ...result, duplicate: true };

  // Every node the event names, created up front in sorted order: two events inserting the same new
  // nodes in different orders would otherwise wait on each other's unique-index entries (deadlock).
  const refs = new Map<string, { kind: "job" | "dataset"; ref: NodeRef }>();
  const want = (kind: "job" | "dataset", ref: NodeRef) =>
    refs.set(nodeKey(kind, ref), { kind, ref: { namespace: ref.namespace, name: ref.name } });
  if (parsed.job) want("job", parsed.job);
  for (const d of [...parsed.inputs, ...parsed.outputs]) want("dataset", d);
  for (const e of parsed.columnLineage) {
    want("dataset", e.from);
    want("dataset", e.to);
  }
  const ids = await upsertNodes(tx, projectId, [...refs.values()]);
  const nodeId = (ref: NodeRef) => ids.get(nodeKey("dataset", ref))!;
  const jobId = parsed.job ? ids.get(nodeKey("job", parsed.job)) : undefined;
  if (jobId)
    await touchJobRun(tx, jobId, { runId: parsed.runId, eventType: parsed.eventType, eventTime: at });

  const edges: EdgeInput[] = [];
  for (const d of parsed.inputs) {
    const id = nodeId(d);
    if (jobId) edges.push({ fromNode: id, toNode: jobId, source: "openlineage" });
  }
  for (const d of parsed.outputs) {
    const id = nodeId(d);
    if (jobId) edges.push({ fromNode: jobId, toNode: id, source: "openlineage" });
  }
  await upsertEdges(tx, projectId, edges);

  // Field-level edges, replaced per output (the facet is the output's whole mapping).
  const byOutput = new Map<string, EdgeInput[]>();
  for (const e of parsed.columnLineage) {
    const to = nodeId(e.to);
    const list = byOutput.get(to) ?? [];
    list.push({
      fromNode: nodeId(e.from),
      fromField: e.from.field,
      toNode: to,
      toField: e.to.field ?? "",
      viaJob: jobId ?? null,
      source: "openlineage",
      transformations: e.transformations,
    });
    byOutput.set(to, list);
  }
  for (const [to, list] of byOutput) {
    await replaceColumnLineage(tx, projectId, to, jobId ?? null, list);
    result.fieldEdges += list.length;
  }
  result.datasets = [...refs.values()].filter((r) => r.kind === "dataset").length;

  // Schemas: an output's facet describes what the job wrote, so it wins over the same dataset's input
  // facet. An empty field list is what integrations send when they know nothing (dbt without a
  // catalog): it is not read as "every field removed".
  const schemas = new Map<string, (typeof parsed.inputs)[number]>();
  for (const d of [...parsed.inputs, ...parsed.outputs])
    if (d.schema && d.schema.fields.length > 0) schemas.set(`${d.namespace}\u0000${d.name}`, d);
  const breaking: SnapshotResult[] = [];
  // Sorted: snapshots lock their dataset rows, and concurrent events must take them in one order.
  for (const [, d] of [...schemas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const r = await recordSnapshot(tx, projectId, d, {
      schema: d.schema!,
      format: "openlineage",
      warnings: d.schemaWarnings ?? [],
      source: "lineage",
      observedAt: at,
    });
    result.snapshots.push({
      namespace: d.namespace,
      name: d.name,
      version: r.version,
      created: r.created,
      stale: r.stale,
      breaking: r.breaking,
    });
    if (r.created)
      result.resolvedIncidents.push(...(await resolveFixedSchemaIncidents(tx, projectId, r, d.schema!, at)));
    if (r.created && r.breaking) breaking.push(r);
  }
  // After the edges, so the impact includes what this very event declared.
  for (const r of breaking) {
    const inc = await openSchemaIncident(tx, projectId, r, "lineage", at, parsed.job);
    result.incidents.push({
      id: inc.id,
      created: inc.created,
      dataset: r.dataset,
      impacted: inc.impacted.length,
    });
  }
  await checkLineageEvent(tx, projectId, { raw: p.raw, parsed, at, snapshots: result.snapshots });
  return result;
}

/** Applies OpenLineage events in order, in one transaction; retried events are skipped. */
export async function ingestLineageEvents(
  database: Database,
  projectId: string,
  events: unknown[],
): Promise<EventResult[]> {
  const prepared = prepareEvents(events);
  return withTransaction(database.db, async (tx) => {
    const out: EventResult[] = [];
    for (const p of prepared) out.push(await applyEvent(tx, projectId, p));
    return out;
  }).catch(retryable);
}
