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
