import { gunzipSync } from "node:zlib";
import { ApiError } from "../../http/errors.ts";

export type OtlpEncoding = "protobuf" | "json";

const mediaType = (contentType: string | undefined) =>
  (contentType ?? "").split(";")[0]!.trim().toLowerCase();

/** The OTLP encoding a Content-Type names, if it names one. */
export function otlpEncoding(contentType: string | undefined): OtlpEncoding | undefined {
  const type = mediaType(contentType);
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  return undefined;
}

/** OTLP/HTTP content types: binary protobuf or the JSON mapping; anything else is a 415. */
export function encodingOf(contentType: string | undefined): OtlpEncoding {
  const encoding = otlpEncoding(contentType);
  if (encoding) return encoding;
  const type = mediaType(contentType);
  throw new ApiError(
    415,
    "unsupported_media_type",
    `Content-Type must be application/x-protobuf or application/json, not ${type || "none"}`,
  );
}

/**
 * The request body, gunzipped when `Content-Encoding: gzip`. The limit applies after
 * decompression too (the app's body limit only sees the compressed bytes): a small gzip bomb is a 413.
 * Synchronous: it runs on a prepare thread (src/traces/prepare/pool.ts).
 */
export function decodeBody(raw: Uint8Array, contentEncoding: string | undefined, limit: number): Uint8Array {
  const encoding = (contentEncoding ?? "identity").trim().toLowerCase();
  if (encoding === "identity" || encoding === "") return raw;
  if (encoding !== "gzip" && encoding !== "x-gzip") {
    throw new ApiError(
      415,
      "unsupported_media_type",
      `Content-Encoding ${encoding} is not supported; use gzip`,
    );
  }
  try {
    return gunzipSync(raw, { maxOutputLength: limit });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) {
      throw new ApiError(413, "payload_too_large", `Decompressed body exceeds ${limit} bytes`);
    }
    throw new ApiError(400, "bad_request", `Body is not valid gzip: ${(error as Error).message}`);
  }
}
