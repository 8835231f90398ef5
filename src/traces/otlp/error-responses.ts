import type { MiddlewareHandler } from "hono";
import type { ErrorBody } from "../../http/errors.ts";
import type { OtlpMetrics } from "../metrics.ts";
import { otlpEncoding } from "./encoding.ts";
import { encodeStatus, rpcCode } from "./status.ts";

/**
 * OTLP/HTTP "Failures": an error response carries a google.rpc.Status in the request's encoding.
 * Mounted on /v1/traces ahead of the body limit and the API-key check, it re-encodes whatever
 * error the app rendered (401, 413, 415, 400, 429, 503, …) — the app's error handler stays the one
 * place that decides status, message and Retry-After; this only changes the body's form:
 * - protobuf request → `application/x-protobuf` Status { code, message };
 * - JSON request (and a Content-Type that is neither, which gets JSON) → the Status JSON mapping
 *   `{ code, message }` plus Vigil's usual `error: { code, message, details? }`, so OTLP clients and
 *   everything that reads Vigil's API errors both find their fields.
 * It also counts every request by encoding and status.
 */
export function otlpResponses(metrics: OtlpMetrics): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const encoding = otlpEncoding(c.req.header("content-type"));
    const status = c.res.status;
    metrics.requests.inc({ encoding: encoding ?? "other", status: String(status) });
    if (status < 400) return;

    const error = await renderedError(c.res);
    const rpc = { code: rpcCode(status), message: error.message };
    const headers = new Headers(c.res.headers);
    headers.delete("content-length");
    if (encoding === "protobuf") {
      headers.set("content-type", "application/x-protobuf");
      c.res = undefined;
      c.res = new Response(encodeStatus(rpc), { status, headers });
    } else {
      headers.set("content-type", "application/json");
      c.res = undefined;
      c.res = new Response(JSON.stringify({ ...rpc, error }), { status, headers });
    }
  };
}

async function renderedError(res: Response): Promise<ErrorBody["error"]> {
  try {
    const body = (await res.clone().json()) as Partial<ErrorBody>;
    if (body.error && typeof body.error.message === "string") return body.error;
  } catch {}
  return {
    code: res.status >= 500 ? "internal" : "bad_request",
    message: res.statusText || "Request failed",
  };
}
