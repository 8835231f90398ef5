import { Readable } from "node:stream";
import { Busboy } from "@fastify/busboy";
import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { AppDeps } from "../../deps.ts";
import { createRouter } from "../../http/env.ts";
import { ApiError, badRequest } from "../../http/errors.ts";
import {
  type CompareOptions,
  CompareOptionsSchema,
  CompareRequestSchema,
  CompareResultSchema,
  compareDatasets,
  type Dataset,
  DriftInputError,
} from "../stats/index.ts";
import { CsvReader, formatFromName, type InputFormat, NdjsonReader, parseDataset } from "./input.ts";

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

const BAD_REQUEST_CODES = new Set(["invalid_input", "invalid_options", "unknown_test"]);

/** Engine input errors → the API's 400/422 with the engine's code and details. */
export function toApiError(e: DriftInputError): ApiError {
  const status = BAD_REQUEST_CODES.has(e.code) ? 400 : 422;
  return new ApiError(status, e.code, e.message, e.details);
}

interface DatasetReader {
  push(text: string): void;
  end(): Dataset;
}

/** Formats that cannot be parsed piecewise (one JSON document) are collected, then parsed. */
class BufferedReader implements DatasetReader {
  private chunks: string[] = [];
  constructor(private readonly format?: InputFormat) {}
  push(text: string): void {
    this.chunks.push(text);
  }
  end(): Dataset {
    return parseDataset(this.chunks.join(""), this.format);
  }
}

/**
 * One uploaded file. CSV and NDJSON (by file name or type) stream into column arrays; without
 * either, the first non-blank character decides: `[` or `{` → buffered JSON/NDJSON sniffing as
 * parseDataset does, anything else → streamed CSV.
 */
class UploadReader implements DatasetReader {
  private inner: DatasetReader | undefined;
  private pending = "";
  constructor(format: InputFormat | undefined) {
    if (format === "csv") this.inner = new CsvReader();
    else if (format === "ndjson") this.inner = new NdjsonReader();
    else if (format === "json") this.inner = new BufferedReader("json");
  }
  push(text: string): void {
    if (this.inner) {
      this.inner.push(text);
      return;
    }
    this.pending += text;
    const first = this.pending.trimStart()[0];
    if (first === undefined) return;
    this.inner = first === "[" || first === "{" ? new BufferedReader() : new CsvReader();
    this.inner.push(this.pending);
    this.pending = "";
  }
  end(): Dataset {
    return this.inner ? this.inner.end() : parseDataset(this.pending);
  }
}

const tooLarge = (limit: number) =>
  new ApiError(413, "payload_too_large", `Request body exceeds ${limit} bytes (VIGIL_UPLOAD_LIMIT)`);

interface Upload {
  reference?: DatasetReader;
  current?: DatasetReader;
  options?: string;
}

/**
 * Streams a multipart body through busboy: file parts `reference` and `current` are decoded and
 * parsed chunk by chunk into typed columns, so memory holds the columns, not the files. Bytes are
 * counted against `limit` as they arrive (413 beyond it).
 */
async function readMultipart(request: Request, contentType: string, limit: number): Promise<Upload> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) throw badRequest('Multipart fields "reference" and "current" are required');
  const upload: Upload = {};
  let failure: unknown;
  const fail = (e: unknown) => {
    failure ??= e;
  };
  const seen = new Set<string>();
  const take = (field: string) => {
    if (seen.has(field)) throw badRequest(`Multipart field "${field}" appears more than once`);
    seen.add(field);
  };
  const fileEnds: Promise<void>[] = [];
  const bb = new Busboy({
    headers: { "content-type": contentType },
    limits: { fieldSize: limit, files: 2, fields: 3 },
  });
  bb.on("file", (field, stream, filename, _encoding, mimeType) => {
    if ((field !== "reference" && field !== "current") || failure) {
      stream.resume();
      return;
    }
    let reader: DatasetReader | undefined;
    const decoder = new TextDecoder("utf-8");
    try {
      take(field);
      reader = new UploadReader(formatFromName(filename) ?? formatFromName(mimeType));
      upload[field] = reader;
    } catch (e) {
      fail(e);
    }
    stream.on("data", (chunk: Buffer) => {
      if (failure || !reader) return;
      try {
        reader.push(decoder.decode(chunk, { stream: true }));
      } catch (e) {
        fail(e);
      }
    });
    fileEnds.push(
      new Promise((resolve) => {
        stream.on("end", () => {
          try {
            if (!failure && reader) reader.push(decoder.decode());
          } catch (e) {
            fail(e);
          }
          resolve();
        });
        // A part cut short (truncated body) errors its stream; that is the client's fault.
        stream.on("error", (e) => {
          fail(badRequest(`Malformed multipart body: ${e.message}`));
          resolve();
        });
      }),
    );
  });
  bb.on("field", (field, value, _nameTruncated, valueTruncated) => {
    try {
      if (valueTruncated) throw tooLarge(limit);
      if (field === "options") {
        take(field);
        upload.options = value;
      } else if (field === "reference" || field === "current") {
        take(field);
        const reader = new BufferedReader();
        reader.push(value);
        upload[field] = reader;
      }
    } catch (e) {
      fail(e);
    }
  });
  const finished = new Promise<void>((resolve, reject) => {
    bb.on("finish", resolve);
    bb.on("error", reject);
  });
  finished.catch(() => {}); // awaited below unless an earlier failure ends the read first
  let size = 0;
  try {
    for await (const chunk of Readable.fromWeb(request.body as never) as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limit) throw tooLarge(limit);
      if (!bb.write(chunk)) await new Promise((resolve) => bb.once("drain", resolve));
      if (failure) break;
    }
    if (!failure) {
      bb.end();
      await finished;
      await Promise.all(fileEnds);
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw badRequest(`Malformed multipart body: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    bb.removeAllListeners("data");
  }
  if (failure) throw failure;
  return upload;
}

function readUpload(reader: DatasetReader | undefined, field: string): Dataset {
  if (!reader) throw badRequest(`Multipart field "${field}" is required (a CSV, NDJSON or JSON file)`);
  return reader.end();
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
  // Multipart uploads are counted while they stream (readMultipart); JSON bodies get hono's limit.
  const jsonLimit = bodyLimit({
    maxSize: limit,
    onError: () => {
      throw tooLarge(limit);
    },
  });
  app.use(DRIFT_COMPARE_PATH, (c, next) =>
    (c.req.header("content-type") ?? "").startsWith("multipart/form-data") ? next() : jsonLimit(c, next),
  );
  app.openapi(compareRoute, async (c) => {
    const type = c.req.header("content-type") ?? "";
    let reference: Dataset;
    let current: Dataset;
    let options: CompareOptions;
    try {
      if (type.startsWith("multipart/form-data")) {
        const upload = await readMultipart(c.req.raw, type, limit);
        options = parseOptions(upload.options);
        reference = readUpload(upload.reference, "reference");
        current = readUpload(upload.current, "current");
      } else if (type.includes("json")) {
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
