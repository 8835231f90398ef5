import { parentPort } from "node:worker_threads";
import { ApiError } from "../../http/errors.ts";
import { type ExportRequest, prepareExport } from "./export.ts";

/** A prepare thread (src/traces/prepare/pool.ts): requests in, prepared exports or errors out. */
parentPort!.on("message", ({ id, request }: { id: number; request: ExportRequest }) => {
  try {
    parentPort!.postMessage({ id, prepared: prepareExport(request) });
  } catch (error) {
    const e = error as Error;
    parentPort!.postMessage({
      id,
      error:
        error instanceof ApiError
          ? {
              status: error.status,
              code: error.code,
              message: error.message,
              details: error.details,
              retryAfter: error.retryAfter,
            }
          : { message: e?.stack ?? String(error) },
    });
  }
});
