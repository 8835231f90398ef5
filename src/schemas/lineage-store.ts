import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { lineageEdges, lineageEvents, lineageNodes, modelInputDeclarations } from "../db/schema/index.ts";
import { withTransaction } from "../db/transaction.ts";
import type { ModelInput } from "./model-input.ts";
import type { Transformation } from "./openlineage.ts";
import { DEFAULT_NAMESPACE, type NodeRef, nodeKey, upsertNode, upsertNodes } from "./store.ts";

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

/** Who declares when no one is named: the `PUT /api/v1/models/{model}/inputs` route. */
export const API_DECLARER = "api";

/**
 * Declares which dataset fields a model reads, as one declarer (`by`): the PUT route (`api`, the
 * default), a monitor (`monitor:<id>`), a contract. It replaces that declarer's earlier declaration
 * for the model; the model's edges `dataset.field → model` (no `fields` = the whole dataset) are the
 * union of every declarer's, so two monitors of one model naming different sources add up. Empty
 * `inputs` withdraws the declarer's part. Models are lineage nodes (kind `model`, namespace
 * `default`), so the impact of a schema change reaches them. Runs in a transaction (a savepoint when
 * `db` is one already).
 */
export async function declareModelInputs(
  db: Db,
  projectId: string,
  model: string,
  inputs: ModelInput[],
  opts: { by?: string } = {},
): Promise<{ modelId: string; edges: number }> {
  const by = opts.by ?? API_DECLARER;
  return withTransaction(db, async (tx) => {
    const modelId = await upsertNode(tx, projectId, "model", { namespace: DEFAULT_NAMESPACE, name: model });
    await lockModel(tx, modelId);
    if (inputs.length === 0)
      await tx
        .delete(modelInputDeclarations)
        .where(
          and(
            eq(modelInputDeclarations.projectId, projectId),
            eq(modelInputDeclarations.modelNode, modelId),
            eq(modelInputDeclarations.declaredBy, by),
          ),
        );
    else
      await tx
        .insert(modelInputDeclarations)
        .values({ projectId, modelNode: modelId, declaredBy: by, inputs })
        .onConflictDoUpdate({
          target: [
            modelInputDeclarations.projectId,
            modelInputDeclarations.modelNode,
            modelInputDeclarations.declaredBy,
          ],
          set: { inputs, updatedAt: sql`now()` },
        });
    return { modelId, edges: await rebuildDeclaredEdges(tx, projectId, modelId) };
  });
}

/**
 * Removes every declaration `by` made (a deleted monitor), except for `keepModel` (a monitor that
 * moved to another model keeps only its new one), and rebuilds the models it touched.
 */
export async function withdrawModelInputs(
  db: Db,
  projectId: string,
  by: string,
  keepModel?: string,
): Promise<void> {
  await withTransaction(db, async (tx) => {
    const rows = await tx
      .select({ modelNode: modelInputDeclarations.modelNode, name: lineageNodes.name })
      .from(modelInputDeclarations)
      .innerJoin(lineageNodes, eq(lineageNodes.id, modelInputDeclarations.modelNode))
      .where(and(eq(modelInputDeclarations.projectId, projectId), eq(modelInputDeclarations.declaredBy, by)))
      .orderBy(asc(modelInputDeclarations.modelNode));
    for (const r of rows) {
      if (r.name === keepModel) continue;
      await lockModel(tx, r.modelNode);
      await tx
        .delete(modelInputDeclarations)
        .where(
          and(
            eq(modelInputDeclarations.projectId, projectId),
            eq(modelInputDeclarations.modelNode, r.modelNode),
            eq(modelInputDeclarations.declaredBy, by),
          ),
        );
      await rebuildDeclaredEdges(tx, projectId, r.modelNode);
    }
  });
}

/**
 * Declarers of one model serialise on its node row: each rebuilds the union of all declarations,
 * and two rebuilding at once would each miss the other's. NO KEY UPDATE, not UPDATE: edge inserts
 * hold KEY SHARE locks on their nodes, which UPDATE would wait on.
 */
async function lockModel(tx: Db, modelId: string): Promise<void> {
  await tx
    .select({ id: lineageNodes.id })
    .from(lineageNodes)
    .where(eq(lineageNodes.id, modelId))
    .for("no key update");
}

/** The model's `declared` edges := the union of its declarations. Returns the distinct (dataset, field) count. */
async function rebuildDeclaredEdges(tx: Db, projectId: string, modelId: string): Promise<number> {
  const declarations = await tx
    .select({ inputs: modelInputDeclarations.inputs })
    .from(modelInputDeclarations)
    .where(
      and(eq(modelInputDeclarations.projectId, projectId), eq(modelInputDeclarations.modelNode, modelId)),
    )
    .orderBy(asc(modelInputDeclarations.declaredBy));
  await tx
    .delete(lineageEdges)
    .where(
      and(
        eq(lineageEdges.projectId, projectId),
        eq(lineageEdges.toNode, modelId),
        eq(lineageEdges.source, "declared"),
      ),
    );
  const all = declarations.flatMap((d) => d.inputs as ModelInput[]);
  // Sorted node creation: concurrent declarers of different models may name the same datasets.
  const refs = all.map((i) => ({
    kind: "dataset" as const,
    ref: { namespace: i.namespace ?? DEFAULT_NAMESPACE, name: i.dataset },
  }));
  const ids = await upsertNodes(tx, projectId, refs);
  const edges: EdgeInput[] = [];
  for (const input of all) {
    const datasetId = ids.get(
      nodeKey("dataset", { namespace: input.namespace ?? DEFAULT_NAMESPACE, name: input.dataset }),
    )!;
    const fields = input.fields && input.fields.length > 0 ? input.fields : [""];
    for (const f of fields)
      edges.push({ fromNode: datasetId, fromField: f, toNode: modelId, source: "declared" });
  }
  await upsertEdges(tx, projectId, edges);
  return new Set(edges.map((e) => `${e.fromNode}|${e.fromField}`)).size;
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

/** Each declarer's part of the model's inputs (the union is what impact follows). */
export async function getModelDeclarations(
  db: Db,
  projectId: string,
  model: string,
): Promise<{ declaredBy: string; inputs: ModelInput[]; updatedAt: Date }[]> {
  const rows = await db
    .select({
      declaredBy: modelInputDeclarations.declaredBy,
      inputs: modelInputDeclarations.inputs,
      updatedAt: modelInputDeclarations.updatedAt,
    })
    .from(modelInputDeclarations)
    .innerJoin(lineageNodes, eq(lineageNodes.id, modelInputDeclarations.modelNode))
    .where(
      and(
        eq(modelInputDeclarations.projectId, projectId),
        eq(lineageNodes.kind, "model"),
        eq(lineageNodes.namespace, DEFAULT_NAMESPACE),
        eq(lineageNodes.name, model),
      ),
    )
    .orderBy(asc(modelInputDeclarations.declaredBy));
  return rows.map((r) => ({ ...r, inputs: r.inputs as ModelInput[] }));
}
