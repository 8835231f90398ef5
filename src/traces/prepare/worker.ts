import { ApiError } from "../../http/errors.ts";
import { serveThread } from "../../lib/thread-pool.ts";
import { prepareExport } from "./export.ts";

/** A prepare thread (pool.ts): an ApiError goes back with what rebuilds it. */
serveThread(prepareExport, (error) =>
  error instanceof ApiError
    ? {
        status: error.status,
        code: error.code,
        message: error.message,
        details: error.details,
        retryAfter: error.retryAfter,
      }
    : undefined,
);
