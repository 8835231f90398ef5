import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { createRouter } from "../http/env.ts";
import { badRequest, notFound } from "../http/errors.ts";
import { ErrorResponses, errorResponse, json } from "../http/openapi.ts";
import { CanonicalSchemaSchema, SchemaFormatSchema } from "./canonical.ts";
import { SchemaChangeSchema } from "./diff.ts";
import { notParseable } from "./errors.ts";
import { ImpactedNodeSchema } from "./impact-paths.ts";
import { impactOf } from "./impact-store.ts";
import { ingestSnapshot } from "./ingest.ts";
import { normalizeSchema } from "./normalize.ts";
import {
  DEFAULT_NAMESPACE,
  decodeDatasetCursor,
  encodeDatasetCursor,
  findDataset,
  getSnapshot,
  listChanges,
  listDatasets,
} from "./store.ts";

const iso = (d: Date | string | null | undefined) => (d == null ? null : new Date(d).toISOString());

const NameParam = z.object({
  name: z
    .string()
    .min(1)
    .max(1000)
    .openapi({ param: { name: "name", in: "path" }, example: "orders" }),
});

const NamespaceQuery = z
  .string()
  .min(1)
  .max(1000)
  .optional()
  .openapi({
    description:
      "The dataset's namespace (OpenLineage: the data source, e.g. postgres://db:5432). Writing: `default` " +
      "when omitted. Reading: `default` when omitted, or the only namespace that has a dataset of this name.",
  });

const DatasetRef = z.object({ namespace: z.string(), name: z.string() });

const IncidentOut = z.object({
  id: z.string(),
  created: z.boolean(),
  impacted: z.array(ImpactedNodeSchema),
  truncated: z.boolean(),
});

const SnapshotOut = z
  .object({
    dataset: DatasetRef,
    version: z.number().int(),
    hash: z.string(),
    created: z.boolean().openapi({ description: "A new version was stored (the content changed)" }),
    previousVersion: z.number().int().optional(),
    breaking: z.boolean(),
    changes: z.array(SchemaChangeSchema),
    format: SchemaFormatSchema,
    warnings: z.array(z.string()),
    incident: IncidentOut.optional().openapi({ description: "The schema incident a breaking change opened" }),
    resolvedIncidents: z
      .array(z.string())
      .optional()
      .openapi({
        description:
          "Earlier schema incidents of this dataset that the new version fixed (it no longer breaks what " +
          "readers of the last version before each break used), resolved automatically",
      }),
  })
  .openapi("SchemaSnapshotResult");

const postSchemaRoute = createRoute({
  method: "post",
  path: "/api/v1/datasets/{name}/schema",
  summary: "Record a dataset's schema: a new version only when the content changed, with the classified diff",
  description:
    "The body is a schema in any accepted form: JSON (Vigil's {fields:[…]}, JSON Schema, an OpenLineage schema " +
    "facet, information_schema.columns rows) or text (`psql --csv` output of information_schema.columns, " +
    "CREATE TABLE SQL). The form is detected; `format` forces it. A breaking change opens a `schema` incident " +
    "listing the downstream datasets, jobs and models that read the changed fields.",
  tags: ["datasets"],
  request: {
    params: NameParam,
    query: z.object({
      namespace: NamespaceQuery,
      format: SchemaFormatSchema.optional(),
      table: z
        .string()
        .min(1)
        .optional()
        .openapi({ description: "Which table, when the input describes several" }),
    }),
    // Plain OpenAPI schemas, not zod: the body is read as text whatever its content type (curl's
    // default form type included) and normalizeSchema decides what it is.
    body: {
      required: true,
      content: {
        "application/json": { schema: { type: "object", description: "A schema in any JSON form" } },
        "text/csv": {
          schema: { type: "string", description: "psql --csv output of information_schema.columns" },
        },
        "application/sql": { schema: { type: "string", description: "CREATE TABLE statements" } },
        "text/plain": { schema: { type: "string", description: "JSON, CSV or SQL text" } },
      },
    },
  },
  responses: {
    200: json(SnapshotOut, "Same content as the current version: nothing stored"),
    201: json(SnapshotOut, "A new version was stored"),
    400: errorResponse("Empty body, not JSON, broken CSV or SQL, bad query"),
    401: ErrorResponses[401],
    413: errorResponse("A schema over the size, field or depth limits"),
    422: errorResponse("Unknown schema form, invalid schema, unresolvable or cyclic $ref"),
  },
});

const DatasetOut = z
  .object({
    namespace: z.string(),
    name: z.string(),
    version: z
      .number()
      .int()
      .openapi({ description: "Current schema version; 0 = seen in lineage, no schema yet" }),
    hash: z.string().nullable(),
    fields: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Top-level field count of the current version" }),
    lastBreakingChangeAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Dataset");

const listRoute = createRoute({
  method: "get",
  path: "/api/v1/datasets",
  summary: "Datasets of the project (posted snapshots and OpenLineage datasets)",
  tags: ["datasets"],
  request: {
    query: z.object({
      namespace: z.string().min(1).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      cursor: z
        .string()
        .max(6000)
        .optional()
        .openapi({ description: "nextCursor of the previous page (keyset paging in namespace, name order)" }),
    }),
  },
  responses: {
    200: json(
      z.object({
        datasets: z.array(DatasetOut),
        nextCursor: z.string().nullable().openapi({ description: "null on the last page" }),
      }),
      "Datasets in namespace, name order",
    ),
    400: errorResponse("An invalid cursor, or `offset` (paging is by cursor)"),
    401: ErrorResponses[401],
  },
});

const SchemaOut = z
  .object({
    dataset: DatasetRef,
    version: z.number().int(),
    latestVersion: z.number().int(),
    hash: z.string(),
    format: z.string(),
    source: z.string().openapi({ description: "api | lineage" }),
    warnings: z.array(z.string()),
    observedAt: z.string(),
    createdAt: z.string(),
    schema: CanonicalSchemaSchema,
  })
  .openapi("SchemaVersion");

const getSchemaRoute = createRoute({
  method: "get",
  path: "/api/v1/datasets/{name}/schema",
  summary: "A dataset's schema: the current version, or ?version=",
  tags: ["datasets"],
  request: {
    params: NameParam,
    query: z.object({ namespace: NamespaceQuery, version: z.coerce.number().int().min(1).optional() }),
  },
  responses: {
    200: json(SchemaOut, "The schema version"),
    400: ErrorResponses[400],
    401: ErrorResponses[401],
    404: ErrorResponses[404],
    409: errorResponse("The name exists in several namespaces: pass namespace"),
  },
});

const ChangesOut = z
  .object({
    dataset: DatasetRef,
    versions: z.array(
      z.object({
        version: z.number().int(),
        previousVersion: z.number().int(),
        breaking: z.boolean(),
        hash: z.string(),
        source: z.string(),
        createdAt: z.string(),
        changes: z.array(SchemaChangeSchema),
      }),
    ),
  })
  .openapi("SchemaChanges");

const changesRoute = createRoute({
  method: "get",
  path: "/api/v1/datasets/{name}/changes",
  summary: "A dataset's schema history: each version's classified changes, newest first",
  tags: ["datasets"],
  request: {
    params: NameParam,
    query: z.object({
      namespace: NamespaceQuery,
      since: z.coerce
        .number()
        .int()
        .min(0)
        .default(0)
        .openapi({ description: "Only versions after this one" }),
      breaking: z
        .enum(["true", "false"])
        .optional()
        .openapi({ description: "true: only versions with a breaking change" }),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: {
    200: json(ChangesOut, "The history"),
    400: ErrorResponses[400],
    401: ErrorResponses[401],
    404: ErrorResponses[404],
    409: errorResponse("The name exists in several namespaces: pass namespace"),
  },
});

const impactRoute = createRoute({
  method: "get",
  path: "/api/v1/datasets/{name}/impact",
  summary: "Every downstream dataset, job and model that reads these fields, with the path",
  description:
    "Follows field-level lineage (OpenLineage columnLineage, declared model inputs) and falls back to " +
    "dataset-level edges for jobs without column lineage. Cycle-safe. Without `fields`, the whole dataset.",
  tags: ["datasets", "lineage"],
  request: {
    params: NameParam,
    query: z.object({
      namespace: NamespaceQuery,
      fields: z.string().optional().openapi({
        description: "Comma-separated field paths (dotted for nested fields)",
        example: "id,email",
      }),
    }),
  },
  responses: {
    200: json(
      z
        .object({
          dataset: DatasetRef,
          fields: z.array(z.string()),
          unknownFields: z.array(z.string()).openapi({
            description: "Requested fields absent from the current schema version (still followed)",
          }),
          impacted: z.array(ImpactedNodeSchema),
          truncated: z.boolean().openapi({ description: "The walk hit its depth or size cap" }),
        })
        .openapi("Impact"),
      "Downstream nodes",
    ),
    400: ErrorResponses[400],
    401: ErrorResponses[401],
    404: ErrorResponses[404],
    409: errorResponse("The name exists in several namespaces: pass namespace"),
  },
});

/** Top-level and nested (dotted) paths of a canonical schema. */
function fieldPaths(fields: { name: string; fields?: unknown[] }[], prefix = "", out = new Set<string>()) {
  for (const f of fields) {
    const p = prefix ? `${prefix}.${f.name}` : f.name;
    out.add(p);
    if (Array.isArray(f.fields)) fieldPaths(f.fields as { name: string; fields?: unknown[] }[], p, out);
  }
  return out;
}

/** Snapshots, history and impact of datasets. Mounted by schemaRoutes. */
export function datasetRoutes(deps: AppDeps) {
  const app = createRouter();
  const db = deps.database.db;

  app.openapi(postSchemaRoute, async (c) => {
    const { name } = c.req.valid("param");
    const q = c.req.valid("query");
    const text = await c.req.text();
    if (text.trim() === "") throw badRequest("Empty body: send a schema (JSON, CSV or CREATE TABLE SQL)");
    let input: unknown = text;
    if (/^application\/([a-z.-]+\+)?json/i.test(c.req.header("content-type") ?? "")) {
      try {
        input = JSON.parse(text);
      } catch (e) {
        throw notParseable(`Body is not valid JSON: ${(e as Error).message}`);
      }
    }
    const n = normalizeSchema(input, {
      ...(q.format ? { format: q.format } : {}),
      ...(q.table ? { table: q.table } : {}),
    });
    const r = await ingestSnapshot(
      deps.database,
      c.get("project").id,
      {
        namespace: q.namespace ?? DEFAULT_NAMESPACE,
        name,
      },
      n,
    );
    const body = {
      dataset: r.dataset,
      version: r.version,
      hash: r.hash,
      created: r.created,
      ...(r.previousVersion !== undefined ? { previousVersion: r.previousVersion } : {}),
      breaking: r.breaking,
      changes: r.changes,
      format: n.format,
      warnings: n.warnings,
      ...(r.incident ? { incident: r.incident } : {}),
      ...(r.resolvedIncidents ? { resolvedIncidents: r.resolvedIncidents } : {}),
    };
    return r.created ? c.json(body, 201) : c.json(body, 200);
  });

  app.openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    // Offset paging is gone: ignoring `offset` would hand an old client page one forever.
    if (c.req.query("offset") !== undefined)
      throw badRequest("Datasets page by cursor: pass the previous page's nextCursor as `cursor`");
    const cursor = q.cursor !== undefined ? decodeDatasetCursor(q.cursor) : undefined;
    if (q.cursor !== undefined && !cursor) throw badRequest("Invalid cursor");
    const rows = await listDatasets(db, c.get("project").id, {
      ...(q.namespace ? { namespace: q.namespace } : {}),
      limit: q.limit,
      ...(cursor ? { cursor } : {}),
    });
    const last = rows.at(-1);
    return c.json(
      {
        datasets: rows.map((r) => ({
          namespace: r.namespace,
          name: r.name,
          version: r.currentVersion,
          hash: r.currentHash,
          fields: r.fieldCount === null ? null : Number(r.fieldCount),
          lastBreakingChangeAt: iso(r.lastBreakingAt),
          createdAt: iso(r.createdAt)!,
          updatedAt: iso(r.updatedAt)!,
        })),
        nextCursor: rows.length === q.limit && last ? encodeDatasetCursor(last) : null,
      },
      200,
    );
  });

  app.openapi(getSchemaRoute, async (c) => {
    const { name } = c.req.valid("param");
    const q = c.req.valid("query");
    const ds = await findDataset(db, c.get("project").id, name, q.namespace);
    const snap = await getSnapshot(db, ds.id, q.version);
    if (!snap)
      throw notFound(
        q.version !== undefined
          ? `Dataset "${name}" has no version ${q.version} (latest is ${ds.currentVersion})`
          : `Dataset "${name}" has no schema yet`,
      );
    return c.json(
      {
        dataset: { namespace: ds.namespace, name: ds.name },
        version: snap.version,
        latestVersion: ds.currentVersion,
        hash: snap.hash,
        format: snap.format,
        source: snap.source,
        warnings: snap.warnings,
        observedAt: iso(snap.observedAt)!,
        createdAt: iso(snap.createdAt)!,
        schema: snap.schema,
      },
      200,
    );
  });

  app.openapi(changesRoute, async (c) => {
    const { name } = c.req.valid("param");
    const q = c.req.valid("query");
    const ds = await findDataset(db, c.get("project").id, name, q.namespace);
    const versions = await listChanges(db, ds.id, {
      sinceVersion: q.since,
      breakingOnly: q.breaking === "true",
      limit: q.limit,
    });
    return c.json(
      {
        dataset: { namespace: ds.namespace, name: ds.name },
        versions: versions.map((v) => ({ ...v, createdAt: iso(v.createdAt)! })),
      },
      200,
    );
  });

  app.openapi(impactRoute, async (c) => {
    const { name } = c.req.valid("param");
    const q = c.req.valid("query");
    const projectId = c.get("project").id;
    const fields = [
      ...new Set(
        (q.fields ?? "")
          .split(",")
          .map((f) => f.trim())
          .filter((f) => f !== ""),
      ),
    ];
    if (fields.length > 1000) throw badRequest("At most 1000 fields");
    const ds = await findDataset(db, projectId, name, q.namespace);
    const snap = ds.currentVersion > 0 ? await getSnapshot(db, ds.id) : undefined;
    const known = snap ? fieldPaths(snap.schema.fields) : undefined;
    const r = await impactOf(db, projectId, ds.id, fields);
    return c.json(
      {
        dataset: { namespace: ds.namespace, name: ds.name },
        fields,
        unknownFields: known ? fields.filter((f) => !known.has(f)) : [],
        impacted: r.impacted,
        truncated: r.truncated,
      },
      200,
    );
  });

  return app;
}
