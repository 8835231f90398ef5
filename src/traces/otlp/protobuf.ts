import { createRequire } from "node:module";
import type { Attributes, AttrValue, DecodedSpan } from "../model.ts";
import { toDecodedSpan, wireScope } from "./wire-span.ts";

/**
 * OTLP protobuf via protobufjs with the official opentelemetry-proto definitions, as compiled
 * (pbjs static code) by the OpenTelemetry JS project in @opentelemetry/otlp-transformer 0.213 —
 * installed under the alias `otlp-transformer-protobufjs`; later versions replaced it with a
 * hand-written writer that cannot decode.
 */
const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: pbjs static code ships no typings for its namespaces
const root: any = require("otlp-transformer-protobufjs/build/src/generated/root.js");
const proto = root.opentelemetry.proto;
const ExportTraceServiceRequest = proto.collector.trace.v1.ExportTraceServiceRequest;
const ExportTraceServiceResponse = proto.collector.trace.v1.ExportTraceServiceResponse;

/** protobufjs decodes int64/fixed64 to Long (or a number when small); both print exactly. */
type Int64 = { toString(): string; low?: number; high?: number } | number;

/** fixed64 → bigint from Long's 32-bit halves (Long.toString divides: slow on the hot path). */
function uint64(v: Int64 | null | undefined): bigint {
  if (v == null) return 0n;
  if (typeof v === "number") return BigInt(v);
  if (typeof v.low === "number" && typeof v.high === "number") {
    return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  }
  return BigInt(v.toString());
}

interface PbAnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: Int64 | null;
  doubleValue?: number | null;
  arrayValue?: { values?: PbAnyValue[] } | null;
  kvlistValue?: { values?: PbKeyValue[] } | null;
  bytesValue?: Uint8Array | null;
}
interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}
interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  parentSpanId: Uint8Array;
  flags: number;
  name: string;
  kind: number;
  startTimeUnixNano: Int64;
  endTimeUnixNano: Int64;
  attributes: PbKeyValue[];
  droppedAttributesCount: number;
  events: {
    timeUnixNano: Int64;
    name: string;
    attributes: PbKeyValue[];
    droppedAttributesCount: number;
  }[];
  droppedEventsCount: number;
  links: {
    traceId: Uint8Array;
    spanId: Uint8Array;
    traceState: string;
    attributes: PbKeyValue[];
    flags: number;
  }[];
  droppedLinksCount: number;
  status?: { code: number; message: string } | null;
}
interface PbRequest {
  resourceSpans: {
    resource?: { attributes: PbKeyValue[] } | null;
    scopeSpans: {
      scope?: { name: string; version: string; attributes: PbKeyValue[] } | null;
      spans: PbSpan[];
    }[];
  }[];
}

const PB_CODEC = { id: hex, ns: uint64, attributes };

export class DecodeError extends Error {
  override name = "DecodeError";
}

/** ExportTraceServiceRequest bytes → spans. Throws DecodeError for bytes that are not one. */
export function decodeProtobufRequest(body: Uint8Array): DecodedSpan[] {
  let request: PbRequest;
  try {
    request = ExportTraceServiceRequest.decode(body) as PbRequest;
  } catch (error) {
    throw new DecodeError(`Not an ExportTraceServiceRequest: ${(error as Error).message}`);
  }
  const out: DecodedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = wireScope(ss.scope, attributes, (kv) => Boolean(kv?.length));
      for (const s of ss.spans ?? []) out.push(toDecodedSpan(s, PB_CODEC, resource, scope));
    }
  }
  return out;
}

/** ExportTraceServiceResponse; partial_success only when something was rejected. */
export function encodeProtobufResponse(rejected: number, errorMessage: string): Uint8Array {
  const message = ExportTraceServiceResponse.create(
    rejected > 0 || errorMessage ? { partialSuccess: { rejectedSpans: rejected, errorMessage } } : {},
  );
  return ExportTraceServiceResponse.encode(message).finish();
}

/** For tests and the benchmark: the same official definitions encode requests too. */
export function encodeProtobufRequest(request: unknown): Uint8Array {
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish();
}

export function decodeProtobufResponse(body: Uint8Array): {
  partialSuccess?: { rejectedSpans: string; errorMessage: string };
} {
  const message = ExportTraceServiceResponse.decode(body);
  return ExportTraceServiceResponse.toObject(message, { longs: String });
}

function hex(bytes: Uint8Array | null | undefined): string {
  return bytes?.length ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex") : "";
}

function attributes(list: PbKeyValue[] | null | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

function anyValue(v: PbAnyValue | null | undefined): AttrValue {
  if (!v) return null;
  if (v.stringValue != null) return v.stringValue;
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) return int64(v.intValue);
  if (v.doubleValue != null) return v.doubleValue;
  if (v.arrayValue != null) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue != null) return attributes(v.kvlistValue.values);
  if (v.bytesValue != null) return Buffer.from(v.bytesValue).toString("base64");
  return null;
}

/** int64 as a JSON number when exact, else as its decimal string. */
export function int64(v: Int64 | string): number | string {
  const s = String(v);
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}
