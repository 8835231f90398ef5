/** What is wrong with an answer to a hostile request, if anything: the checks the fuzz suites share. */

/** Statuses a route may answer bad input with only when it says why and when to retry. */
const RETRYABLE = new Set([429, 503]);

/**
 * Why `res` is not an acceptable answer to a request Vigil should refuse or serve: a 5xx other
 * than a 503 that is not an internal error, or an error body that is not `{ error: { code,
 * message } }` (OTLP's protobuf google.rpc.Status on /v1/traces is its own shape).
 */
export async function problemWith(path: string, res: Response): Promise<string | undefined> {
  const text = await res.text();
  if (res.status < 400) return undefined;
  const type = res.headers.get("content-type") ?? "";
  if (path.startsWith("/v1/traces") && type.startsWith("application/x-protobuf")) return undefined;
  let body: { error?: { code?: unknown; message?: unknown } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    return `${res.status} with a body that is not JSON (${type}): ${text.slice(0, 200)}`;
  }
  const error = body?.error;
  if (typeof error?.code !== "string" || typeof error.message !== "string" || !error.message)
    return `${res.status} without the error shape: ${text.slice(0, 200)}`;
  if (res.status >= 500 && !(RETRYABLE.has(res.status) && error.code !== "internal"))
    return `${res.status} ${error.code}: ${error.message.slice(0, 200)}`;
  return undefined;
}
