import { createRoute, z } from "@hono/zod-openapi";
import type { AppDeps } from "../http/env.ts";
import { createRouter } from "../http/env.ts";
import { ApiError, badRequest } from "../http/errors.ts";
import { formatFromName, parseDataset } from "./compare-input.ts";
import {
  type CompareOptions,
  CompareOptionsSchema,
  CompareRequestSchema,
  CompareResultSchema,
  compareDatasets,
  type Dataset,
  DriftInputError,
} from "./stats/index.ts";

const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .openapi("DriftError");

const MultipartRequest = z
  .object({
    reference: z.any().openapi({ type: "string", format: "binary", description: "CSV, NDJSON or JSON file" }),
    current: z.any().openapi({ type: "string", format: "binary", description: "CSV, NDJSON or JSON file" }),
    options: z.string().optional().openapi({
      description: "JSON: { columns?, datasetDriftShare?, bins?, seed?, mmdPermutations?, mmdMaxSamples? }",
    }),
  })
  .openapi("DriftCompareUpload");

const compareRoute = createRoute({
  method: "post",
  path: "/api/v1/drift/compare",
  summary: "Drift tests between a reference and a current sample, column by column (stateless)",
  description:
    "Default test per column follows Evidently: reference ≤ 1000 rows → KS (numerical), chi-square or " +
    "z-test (categorical); larger → normed Wasserstein (numerical) or Jensen–Shannon. Dataset drift when " +
    "the share of drifted columns ≥ datasetDriftShare (0.5). Send JSON columns, or multipart files " +
    "`reference` and `current` (CSV with a header, NDJSON rows, or JSON) with an optional `options` field.",
  tags: ["drift"],
  request: {
    body: {
      required: false,
      content: {
        "application/json": { schema: CompareRequestSchema },
        "multipart/form-data": { schema: MultipartRequest },
      },
    },
  },
  responses: {
    200: {
      description: "Per-column results and the dataset verdict",
      content: { "application/json": { schema: CompareResultSchema } },
    },
    400: {
      description: "Malformed body, file or options; unknown test name",
      content: { "application/json": { schema: ErrorBody } },
    },
    422: {
      description: "Mismatched column sets, empty column, test/type mismatch, too few values",
      content: { "application/json": { schema: ErrorBody } },
    },
  },
});

const BAD_REQUEST_CODES = new Set(["invalid_input", "invalid_options", "unknown_test"]);

/** Engine input errors → the API's 400/422 with the engine's code and details. */
export function toApiError(e: DriftInputError): ApiError {
  const status = BAD_REQUEST_CODES.has(e.code) ? 400 : 422;
  return new ApiError(status, e.code, e.message, e.details);
}

async function readUpload(value: unknown, field: string): Promise<Dataset> {
  if (value instanceof File) {
    const text = await value.text();
    return parseDataset(text, formatFromName(value.name) ?? formatFromName(value.type));
  }
  if (typeof value === "string" && value.length > 0) return parseDataset(value);
  throw badRequest(`Multipart field "${field}" is required (a CSV, NDJSON or JSON file)`);
}

function parseOptions(raw: unknown): CompareOptions {
  if (raw === undefined || raw === "") return {};
  if (typeof raw !== "string") throw badRequest('Multipart field "options" must be a JSON string');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw badRequest('Multipart field "options" is not valid JSON');
  }
  const parsed = CompareOptionsSchema.safeParse(value);
  if (!parsed.success) {
    throw new ApiError(400, "invalid_options", `Invalid options: ${z.prettifyError(parsed.error)}`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  return parsed.data;
}

/** Stateless drift routes. Mounted at "/" by the app; paths are absolute. */
export function driftRoutes(_deps: AppDeps) {
  const app = createRouter();
  app.openapi(compareRoute, async (c) => {
    const type = c.req.header("content-type") ?? "";
    let reference: Dataset;
    let current: Dataset;
    let options: CompareOptions;
    try {
      if (type.startsWith("multipart/form-data")) {
        const form = await c.req.parseBody();
        options = parseOptions(form["options"]);
        reference = await readUpload(form["reference"], "reference");
        current = await readUpload(form["current"], "current");
      } else if (type.includes("json")) {
        const { reference: r, current: cur, ...rest } = c.req.valid("json");
        reference = r;
        current = cur;
        options = rest as CompareOptions;
      } else {
        throw badRequest("Send application/json or multipart/form-data");
      }
      return c.json(compareDatasets(reference, current, options), 200);
    } catch (e) {
      if (e instanceof DriftInputError) throw toApiError(e);
      throw e;
    }
  });
  return app;
}
