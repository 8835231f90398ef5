import { ApiError } from "../../http/errors.ts";
import { decompressSync } from "../../http/middleware/decompress.ts";
import { jsonDepthExceeds } from "../../lib/json-depth.ts";
import type { DecodedSpan } from "../model.ts";
import type { OtlpEncoding } from "../otlp/encoding.ts";
import { decodeJsonRequest } from "../otlp/json.ts";
import { DecodeError, decodeProtobufRequest } from "../otlp/protobuf.ts";
import { type PreparedSpans, prepareSpans } from "../store/copy-text.ts";
import { daysOf } from "../store/partitions.ts";
import { derivedJson, derivingSpans } from "./derived.ts";
import { validateSpans } from "./validate.ts";

/** One OTLP export request as it arrived. Plain data: it crosses to a prepare thread. */
export interface ExportRequest {
  /** The project the spans are stored under (the API key's): their rows carry it. */
  projectId: string;
  body: Uint8Array;
  encoding: OtlpEncoding;
  contentEncoding?: string;
  /** Bytes allowed after gunzip. */
  limit: number;
  /** "Now" in Unix milliseconds: what retention and the future-skew check are measured from. */
  nowMs: number;
  retentionDays: number;
}

/** What the receiver needs to answer and to queue the batch. Plain data: it crosses back. */
export interface PreparedExport {
  /** Spans in the request, valid or not. */
  received: number;
  rejected: number;
  /** partial_success.error_message; empty when nothing was rejected. */
  errorMessage: string;
  /** The valid spans, ready for span_batches; absent when there are none. */
  batch?: PreparedSpans & {
    /** UTC days (YYYY-MM-DD) the spans start on. */
    days: string[];
    /** The spans something is derived from when written (src/traces/prepare/derived.ts), as JSON. */
    derived: string;
  };
}

/** JSON nesting an OTLP/JSON body may have: four levels per AnyValue level, so 64 of attributes. */
const MAX_JSON_DEPTH = 256;

/**
 * Everything a request costs before the database: gunzip, decode (protobuf or the OTLP JSON
 * mapping), validate, sort and serialise for the queue. Pure and synchronous — it runs on a prepare
 * thread so the event loop stays free; 400/413/415 are thrown as ApiError.
 */
export function prepareExport(request: ExportRequest): PreparedExport {
  const body = decompressSync(request.body, request.contentEncoding, request.limit);
  let spans: DecodedSpan[];
  let malformed: string[] = [];
  try {
    if (request.encoding === "protobuf") {
      spans = decodeProtobufRequest(body);
    } else {
      const parsed: unknown = body.length ? JSON.parse(new TextDecoder().decode(body)) : {};
      if (jsonDepthExceeds(parsed, MAX_JSON_DEPTH))
        throw new DecodeError(`OTLP/JSON is nested deeper than ${MAX_JSON_DEPTH} levels`);
      ({ spans, malformed } = decodeJsonRequest(parsed));
    }
  } catch (error) {
    // protobufjs decodes nested messages recursively: a body nested past the stack is the client's.
    if (error instanceof RangeError && request.encoding === "protobuf")
      throw new ApiError(400, "bad_request", "Protobuf messages nested too deep");
    if (error instanceof DecodeError || error instanceof SyntaxError) {
      throw new ApiError(
        400,
        "bad_request",
        error instanceof SyntaxError ? `Invalid JSON: ${error.message}` : error.message,
      );
    }
    throw error;
  }
  const { records, rejected, errorMessage } = validateSpans(
    spans,
    { nowNs: BigInt(request.nowMs) * 1_000_000n, retentionDays: request.retentionDays },
    malformed,
  );
  const received = spans.length + malformed.length;
  if (!records.length) return { received, rejected, errorMessage };
  return {
    received,
    rejected,
    errorMessage,
    batch: {
      ...prepareSpans(request.projectId, records),
      days: daysOf(records.map((r) => r.startNs)).map((d) => d.toISOString().slice(0, 10)),
      derived: derivedJson(derivingSpans(records)),
    },
  };
}
