import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { AppDeps } from "../../deps.ts";
import { createRouter } from "../../http/env.ts";
import { ApiError, badRequest } from "../../http/errors.ts";
import { fileField, isMultipart, multipart, textField } from "../../http/middleware/multipart.ts";
import {
  type CompareOptions,
  CompareOptionsSchema,
  CompareRequestSchema,
  CompareResultSchema,
  compareDatasets,
  type Dataset,
  DriftInputError,
} from "../stats/index.ts";
import { jsonTooLarge, toApiError, UploadReader } from "./upload.ts";

const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .openapi("DriftError");

// A plain OpenAPI schema, not a zod one: a zod multipart schema would make @hono/zod-openapi parse
// (and buffer) the whole form before the handler; the handler streams it instead.
const MultipartRequest = {
  type: "object" as const,
  required: ["reference", "current"],
  properties: {
    reference: { type: "string" as const, format: "binary", description: "CSV, NDJSON or JSON file" },
    current: { type: "string" as const, format: "binary", description: "CSV, NDJSON or JSON file" },
    options: {
      type: "string" as const,
      description: "JSON: { columns?, datasetDriftShare?, bins?, seed?, mmdPermutations?, mmdMaxSamples? }",
    },
  },
};

/** The compare path; the app's global body limit skips it (VIGIL_UPLOAD_LIMIT applies instead). */
export const DRIFT_COMPARE_PATH = "/api/v1/drift/compare";

const compareRoute = createRoute({
  method: "post",
  path: DRIFT_COMPARE_PATH,
  summary: "Drift tests between a reference and a current sample, column by column (stateless)",
  description:
    "Default test per column follows Evidently: reference ≤ 1000 rows → KS (numerical), chi-square or " +
    "z-test (categorical); larger → normed Wasserstein (numerical) or Jensen–Shannon. Dataset drift when " +
    "the share of drifted columns ≥ datasetDriftShare (0.5). Send JSON columns, or multipart files " +
    "`reference` and `current` (CSV with a header, NDJSON rows, or JSON) with an optional `options` field. " +
    "CSV and NDJSON files are parsed as they stream in; the body may be up to VIGIL_UPLOAD_LIMIT (512 MiB).",
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
    413: {
      description: "Body larger than VIGIL_UPLOAD_LIMIT",
      content: { "application/json": { schema: ErrorBody } },
    },
    422: {
      description: "Mismatched column sets, empty column, test/type mismatch, too few values",
      content: { "application/json": { schema: ErrorBody } },
    },
  },
});

/** The largest `options` field: JSON column settings, not data. */
const OPTIONS_MAX_BYTES = 1024 * 1024;

function readUpload(reader: UploadReader | undefined, field: string): Dataset {
  if (!reader) throw badRequest(`Multipart field "${field}" is required (a CSV, NDJSON or JSON file)`);
  return reader.dataset();
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
export function driftRoutes(deps: AppDeps) {
  const app = createRouter();
  const limit = deps.config.VIGIL_UPLOAD_LIMIT;
  const wholeLimit = deps.config.VIGIL_BODY_LIMIT;
  // Multipart uploads are counted while they stream (the route's multipart middleware); a JSON
  // body is parsed whole, so it gets the ordinary body limit, not the upload limit.
  const jsonLimit = bodyLimit({
    maxSize: wholeLimit,
    onError: () => {
      throw jsonTooLarge(wholeLimit);
    },
  });
  app.use(DRIFT_COMPARE_PATH, (c, next) =>
    isMultipart(c.req.header("content-type")) ? next() : jsonLimit(c, next),
  );
  const upload = fileField((part) => new UploadReader(part, wholeLimit));
  const uploads = multipart({
    limit,
    limitName: "VIGIL_UPLOAD_LIMIT",
    fields: { reference: upload, current: upload, options: textField(OPTIONS_MAX_BYTES) },
  });
  app.openapi({ ...compareRoute, middleware: [uploads] as const }, async (c) => {
    const form = c.var.multipart;
    let reference: Dataset;
    let current: Dataset;
    let options: CompareOptions;
    try {
      if (form) {
        options = parseOptions(form.options);
        reference = readUpload(form.reference, "reference");
        current = readUpload(form.current, "current");
      } else if ((c.req.header("content-type") ?? "").includes("json")) {
        // Typed by hand: the non-zod multipart content hides the JSON schema from hono's inference.
        const {
          reference: r,
          current: cur,
          ...rest
        } = (c.req.valid as unknown as (t: "json") => z.infer<typeof CompareRequestSchema>)("json");
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
