import { z } from "@hono/zod-openapi";
import type { CanonicalSchema } from "./canonical.ts";
import { invalidSchema, SchemaInputError } from "./errors.ts";
import { normalizeSchema } from "./normalize.ts";

/**
 * OpenLineage events (RunEvent, and the static JobEvent/DatasetEvent of spec 2.x) → plain
 * data for the lineage store: datasets with their normalised `schema` facet, the job, and
 * field-level edges from `columnLineage`. Unknown keys and facets are ignored, as the spec asks
 * of consumers. Pure: no I/O, so the route and tests share it.
 */
// Names and ids are keys of indexed columns: bounded so a btree row holds them (2,704 bytes).
const NAME_MAX = 1024;
const Named = z.object({ namespace: z.string().min(1).max(NAME_MAX), name: z.string().min(1).max(NAME_MAX) });
const Facets = z.record(z.string(), z.unknown()).nullish();
const Dataset = Named.extend({ facets: Facets, inputFacets: Facets, outputFacets: Facets });

const InputField = z.object({
  namespace: z.string().min(1).max(NAME_MAX),
  name: z.string().min(1).max(NAME_MAX),
  field: z.string().min(1).max(NAME_MAX),
  transformations: z
    .array(
      z.object({
        type: z.string().nullish(),
        subtype: z.string().nullish(),
        description: z.string().nullish(),
        masking: z.boolean().nullish(),
      }),
    )
    .nullish(),
});
const ColumnLineageFacet = z.object({
  fields: z
    .record(
      z.string(),
      z.object({
        inputFields: z.array(InputField).default([]),
        transformationDescription: z.string().nullish(),
        transformationType: z.string().nullish(),
      }),
    )
    .default({}),
  /** Inputs that affect the whole output dataset (filters, joins): spec 1-2-0. */
  dataset: z.array(InputField).nullish(),
});

export const OpenLineageEventSchema = z.object({
  eventType: z.string().max(64).nullish(),
  eventTime: z.string().max(64).nullish(),
  producer: z.string().max(NAME_MAX).nullish(),
  schemaURL: z.string().max(NAME_MAX).nullish(),
  run: z.object({ runId: z.string().min(1).max(256), facets: Facets }).nullish(),
  job: Named.extend({ facets: Facets }).nullish(),
  dataset: Dataset.nullish(),
  inputs: z.array(Dataset).nullish(),
  outputs: z.array(Dataset).nullish(),
});

export interface DatasetRef {
  namespace: string;
  name: string;
}

export interface LineageDataset extends DatasetRef {
  /** The `schema` facet normalised; absent when the event carries none. */
  schema?: CanonicalSchema;
  /** Approximations made while normalising the facet (e.g. a union read as json). */
  schemaWarnings?: string[];
  /** Names of the other facets present, for display. */
  facetNames: string[];
}

export interface Transformation {
  type?: string;
  subtype?: string;
  description?: string;
  masking?: boolean;
}

export interface ColumnLineageEdge {
  from: DatasetRef & { field: string };
  /** `field` absent: the input affects the whole output dataset (columnLineage.dataset). */
  to: DatasetRef & { field?: string };
  transformations: Transformation[];
}

export interface ParsedLineageEvent {
  kind: "run" | "job" | "dataset";
  eventType?: string;
  eventTime?: string;
  producer?: string;
  runId?: string;
  job?: DatasetRef;
  /** From the `parent` run facet: the orchestrating run and job (Airflow DAG, dbt run…). */
  parent?: { runId?: string; job?: DatasetRef };
  inputs: LineageDataset[];
  outputs: LineageDataset[];
  columnLineage: ColumnLineageEdge[];
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function clean<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined || o[k] === null) delete o[k];
  return o;
}

function dataset(d: z.infer<typeof Dataset>, where: string): LineageDataset {
  const facets = d.facets ?? {};
  const out: LineageDataset = {
    namespace: d.namespace,
    name: d.name,
    facetNames: Object.keys(facets).sort(),
  };
  const schema = facets.schema;
  if (isObj(schema) && Array.isArray(schema.fields)) {
    try {
      const n = normalizeSchema(schema, { format: "openlineage" });
      out.schema = n.schema;
      if (n.warnings.length > 0) out.schemaWarnings = n.warnings;
    } catch (e) {
      if (e instanceof SchemaInputError)
        throw new SchemaInputError(
          e.kind as "invalid" | "too_large" | "unprocessable",
          e.code,
          `${where}.facets.schema: ${e.message}`,
          e.details,
        );
      throw e;
    }
  }
  return out;
}

function edges(out: z.infer<typeof Dataset>, where: string): ColumnLineageEdge[] {
  const raw = out.facets?.columnLineage;
  if (raw === undefined || raw === null) return [];
  const r = ColumnLineageFacet.safeParse(raw);
  if (!r.success) throw invalidSchema(`${where}.facets.columnLineage: ${z.prettifyError(r.error)}`);
  const to = { namespace: out.namespace, name: out.name };
  const result: ColumnLineageEdge[] = [];
  const transformationsOf = (
    i: z.infer<typeof InputField>,
    legacy?: { type?: string | null; description?: string | null },
  ): Transformation[] => {
    if (i.transformations && i.transformations.length > 0)
      return i.transformations.map((t) => clean({ ...t }) as Transformation);
    // Spec < 1-1-0 described the transformation once per output field.
    if (legacy?.type || legacy?.description)
      return [
        clean({
          type: legacy.type ?? undefined,
          description: legacy.description ?? undefined,
        }) as Transformation,
      ];
    return [];
  };
  for (const [field, spec] of Object.entries(r.data.fields)) {
    for (const i of spec.inputFields) {
      result.push({
        from: { namespace: i.namespace, name: i.name, field: i.field },
        to: { ...to, field },
        transformations: transformationsOf(i, {
          type: spec.transformationType,
          description: spec.transformationDescription,
        }),
      });
    }
  }
  for (const i of r.data.dataset ?? [])
    result.push({
      from: { namespace: i.namespace, name: i.name, field: i.field },
      to: { ...to },
      transformations: transformationsOf(i),
    });
  return result;
}

/** Parses one OpenLineage event. Throws SchemaInputError (422) when it is not one. */
export function parseOpenLineageEvent(event: unknown): ParsedLineageEvent {
  const r = OpenLineageEventSchema.safeParse(event);
  if (!r.success) throw invalidSchema(`Invalid OpenLineage event: ${z.prettifyError(r.error)}`);
  const e = r.data;
  const kind = e.run && e.job ? "run" : e.job ? "job" : e.dataset ? "dataset" : undefined;
  if (!kind)
    throw invalidSchema(
      "Invalid OpenLineage event: expected a RunEvent (run + job), a JobEvent (job) or a DatasetEvent (dataset)",
    );
  const inputs = (e.inputs ?? []).map((d, i) => dataset(d, `inputs[${i}]`));
  const outputs =
    kind === "dataset" && e.dataset
      ? [dataset(e.dataset, "dataset")]
      : (e.outputs ?? []).map((d, i) => dataset(d, `outputs[${i}]`));
  const columnLineage =
    kind === "dataset" && e.dataset
      ? edges(e.dataset, "dataset")
      : (e.outputs ?? []).flatMap((d, i) => edges(d, `outputs[${i}]`));
  const parsed: ParsedLineageEvent = { kind, inputs, outputs, columnLineage };
  if (e.eventType) parsed.eventType = e.eventType;
  if (e.eventTime) parsed.eventTime = e.eventTime;
  if (e.producer) parsed.producer = e.producer;
  if (e.run) parsed.runId = e.run.runId;
  if (e.job) parsed.job = { namespace: e.job.namespace, name: e.job.name };
  const parentFacet = e.run?.facets?.parent;
  if (isObj(parentFacet)) {
    const parent: NonNullable<ParsedLineageEvent["parent"]> = {};
    if (isObj(parentFacet.run) && typeof parentFacet.run.runId === "string")
      parent.runId = parentFacet.run.runId;
    const pj = Named.safeParse(parentFacet.job);
    if (pj.success) parent.job = pj.data;
    if (parent.runId || parent.job) parsed.parent = parent;
  }
  return parsed;
}
