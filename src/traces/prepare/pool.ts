import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "../../http/errors.ts";
import { poolsBySize, type ThreadError, ThreadPool } from "../../lib/thread-pool.ts";
import { type ExportRequest, type PreparedExport, prepareExport } from "./export.ts";

/**
 * Runs prepareExport (gunzip, decode, validate, serialise: ~15 ms of CPU and a few megabytes of
 * garbage per 1,000 spans) on worker threads (src/lib/thread-pool.ts). A 400, 413 or 415 found there
 * comes back as the same ApiError.
 */
export class PreparePool extends ThreadPool<ExportRequest, PreparedExport> {
  constructor(size: number) {
    super(size, {
      name: "prepare thread",
      entry: new URL("./thread.mjs", import.meta.url),
      inline: prepareExport,
      // With V8's default a scavenge fell mid-request about every other request, with the request's
      // data still live to copy (bench/README.md, bench:ingest).
      youngGenerationMb: 96,
      transfer: ({ body: { buffer, byteOffset, byteLength } }) =>
        // The body is this request's own buffer: handed over, not copied.
        byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer ? [buffer] : [],
      revive: (e: ThreadError) =>
        typeof e.status === "number" && typeof e.code === "string"
          ? new ApiError(
              e.status as ContentfulStatusCode,
              e.code,
              e.message,
              e.details,
              e.retryAfter as number | undefined,
            )
          : undefined,
    });
  }
}

/** The process's pool of this size. */
export const sharedPreparePool = poolsBySize((size) => new PreparePool(size));
