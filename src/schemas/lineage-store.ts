import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { lineageEdges, lineageEvents, lineageNodes } from "../db/schema/index.ts";
import type { Transformation } from "./openlineage.ts";
import { DEFAULT_NAMESPACE, type NodeRef, upsertNode } from "./store.ts";

/** Lineage graph writes: OpenLineage events, edges, model inputs. */

export interface EventRecord {
  key: string;
  kind: "run" | "job" | "dataset";
  runId?: string;
  eventType?: string;
  eventTime?: Date;
  job?: NodeRef;
  event: unknown;
}

/** Stores the event under its idempotency key; false when it was stored before (a retry). */
export async function insertLineageEvent(db: Db, projectId: string, e: EventRecord): Promise<boolean> {
  const rows = await db
    .insert(lineageEvents)
    .values({
      projectId,
      idempotencyKey: e.key,
      kind: e.kind,
      runId: e.runId ?? null,
      eventType: e.eventType ?? null,
      eventTime: e.eventTime ?? null,
      jobNamespace: e.job?.namespace ?? null,
      jobName: e.job?.name ?? null,
      event: e.event,
    })
    .onConflictDoNothing()
    .returning({ id: lineageEvents.id });
  return rows.length > 0;
}

/** Keeps the job's latest run (by event time; events may arrive out of order). */
export async function touchJobRun(
  db: Db,
  jobId: string,
  run: { runId?: string; eventType?: string; eventTime?: Date },
): Promise<void> {
  if (!run.runId) return;
  const at = run.eventTime ?? new Date();
  await db
    .update(lineageNodes)
    .set({
      lastRunId: run.runId,
      lastEventType: run.eventType ?? null,
      lastEventTime: at,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(lineageNodes.id, jobId),
        sql`(${lineageNodes.lastEventTime} is null or ${lineageNodes.lastEventTime} <= ${at.toISOString()}::timestamptz)`,
      ),
    );
}

export interface EdgeInput {
  fromNode: string;
  fromField?: string;
  toNode: string;
  toField?: string;
  viaJob?: string | null;
  source: "openlineage" | "declared";
  transformations?: Transformation[];
}

/** Adds the edge, or refreshes last_seen and transformations when it exists. */
export async function upsertEdges(db: Db, projectId: string, edges: EdgeInput[]): Promise<void> {
  if (edges.length === 0) return;
  // One statement may not touch the same row twice (ON CONFLICT): drop duplicates first. Sorted, so
  // concurrent writers lock shared edges in the same order (no deadlock).
  const unique = new Map<string, EdgeInput>();
  for (const e of edges)
    unique.set(`${e.fromNode}|${e.fromField ?? ""}|${e.toNode}|${e.toField ?? ""}|${e.viaJob ?? ""}`, e);
  const sorted = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  await db
    .insert(lineageEdges)
    .values(
      sorted.map((e) => ({
        projectId,
        fromNode: e.fromNode,
        fromField: e.fromField ?? "",
        toNode: e.toNode,
        toField: e.toField ?? "",
        viaJob: e.viaJob ?? null,
        source: e.source,
        transformations: e.transformations ?? [],
      })),
    )
    .onConflictDoUpdate({
      target: [
        lineageEdges.projectId,
        lineageEdges.fromNode,
        lineageEdges.fromField,
        lineageEdges.toNode,
        lineageEdges.toField,
        lineageEdges.viaJob,
      ],
      set: {
        lastSeen: sql`now()`,
        transformations: sql`excluded.transformations`,
        source: sql`excluded.source`,
      },
    });
}

/**
 * An output's columnLineage facet is its whole field mapping for that job: the job's earlier
 * field-level edges into the output are replaced, so a column the job stopped reading stops counting.
 */
export async function replaceColumnLineage(
  db: Db,
  projectId: string,
  output: string,
  viaJob: string | null,
  edges: EdgeInput[],
): Promise<void> {
  await db
    .delete(lineageEdges)
    .where(
      and(
        eq(lineageEdges.projectId, projectId),
        eq(lineageEdges.toNode, output),
        eq(lineageEdges.source, "openlineage"),
        sql`${lineageEdges.fromField} <> ''`,
        viaJob ? eq(lineageEdges.viaJob, viaJob) : isNull(lineageEdges.viaJob),
      ),
    );
  await upsertEdges(db, projectId, edges);
}

export interface ModelInput {
  dataset: string;
  /** Defaults to `default`, the namespace of datasets posted to /api/v1/datasets/{name}. */
  namespace?: string;
  /** The dataset fields the model's features come from; empty/absent = the whole dataset. */
  fields?: string[];
}

/**
 * Declares which dataset fields a model reads, replacing what was declared before. Models are
 * lineage nodes (kind `model`, namespace `default`), so the impact of a schema change reaches them.
 * For the monitors/contracts capability to call when a monitor or contract names its features'
 * sources; `PUT /api/v1/models/{model}/inputs` does the same over HTTP.
 */
export async function declareModelInputs(
  db: Db,
  projectId: string,
  model: string,
  inputs: ModelInput[],
): Promise<{ modelId: string; edges: number }> {
  return db.transaction(async (tx) => {
    const modelId = await upsertNode(tx as unknown as Db, projectId, "model", {
      namespace: DEFAULT_NAMESPACE,
      name: model,
    });
    await tx
      .delete(lineageEdges)
      .where(
        and(
          eq(lineageEdges.projectId, projectId),
          eq(lineageEdges.toNode, modelId),
          eq(lineageEdges.source, "declared"),
        ),
      );
    const edges: EdgeInput[] = [];
    for (const input of inputs) {
      const datasetId = await upsertNode(tx as unknown as Db, projectId, "dataset", {
        namespace: input.namespace ?? DEFAULT_NAMESPACE,
        name: input.dataset,
      });
      const fields = input.fields && input.fields.length > 0 ? input.fields : [""];
      for (const f of fields)
        edges.push({ fromNode: datasetId, fromField: f, toNode: modelId, source: "declared" });
    }
    await upsertEdges(tx as unknown as Db, projectId, edges);
    return { modelId, edges: new Set(edges.map((e) => `${e.fromNode}|${e.fromField}`)).size };
  });
}

/** The model's declared inputs, grouped by dataset; undefined when the model is unknown. */
export async function getModelInputs(
  db: Db,
  projectId: string,
  model: string,
): Promise<{ dataset: string; namespace: string; fields: string[] }[] | undefined> {
  const [node] = await db
    .select({ id: lineageNodes.id })
    .from(lineageNodes)
    .where(
      and(
        eq(lineageNodes.projectId, projectId),
        eq(lineageNodes.kind, "model"),
        eq(lineageNodes.namespace, DEFAULT_NAMESPACE),
        eq(lineageNodes.name, model),
      ),
    );
  if (!node) return undefined;
  const rows = await db
    .select({ namespace: lineageNodes.namespace, name: lineageNodes.name, field: lineageEdges.fromField })
    .from(lineageEdges)
    .innerJoin(lineageNodes, eq(lineageNodes.id, lineageEdges.fromNode))
    .where(and(eq(lineageEdges.projectId, projectId), eq(lineageEdges.toNode, node.id)))
    .orderBy(asc(lineageNodes.namespace), asc(lineageNodes.name), asc(lineageEdges.fromField));
  const out = new Map<string, { dataset: string; namespace: string; fields: string[] }>();
  for (const r of rows) {
    const k = `${r.namespace}\u0000${r.name}`;
    const entry = out.get(k) ?? { dataset: r.name, namespace: r.namespace, fields: [] };
    if (r.field !== "") entry.fields.push(r.field);
    out.set(k, entry);
  }
  return [...out.values()];
}
