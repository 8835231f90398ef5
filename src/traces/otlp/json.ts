import { z } from "zod";
import type { Attributes, AttrValue, DecodedSpan } from "../model.ts";
import { DecodeError, int64 } from "./protobuf.ts";
import { toDecodedSpan, wireScope } from "./wire-span.ts";

/**
 * The OTLP/JSON mapping (opentelemetry-proto docs/specification.md#json-protobuf-encoding):
 * lowerCamelCase names, trace/span ids as hex, enums as integers (names accepted too), 64-bit
 * integers as decimal strings (numbers accepted), unknown fields ignored. The envelope must have
 * this shape or the request is a 400; a span that does not parse is rejected on its own
 * (partial success) so one bad span does not cost the batch.
 */

const uint64 = z.union([
  z.string().regex(/^\d+$/, "expected a decimal integer string"),
  z.number().int().min(0),
]);
const int64Json = z.union([
  z.string().regex(/^-?\d+$/, "expected a decimal integer string"),
  z.number().int(),
]);
const double = z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity"])]);
const count = z.number().int().min(0).optional();

type JsonAnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  arrayValue?: { values?: JsonAnyValue[] };
  kvlistValue?: { values?: JsonKeyValue[] };
  bytesValue?: string;
};
type JsonKeyValue = { key: string; value?: JsonAnyValue | null };

const AnyValue: z.ZodType<JsonAnyValue> = z.lazy(() =>
  z.object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: int64Json.optional(),
    doubleValue: double.optional(),
    arrayValue: z.object({ values: z.array(AnyValue).optional() }).optional(),
    kvlistValue: z.object({ values: z.array(KeyValue).optional() }).optional(),
    bytesValue: z.string().optional(),
  }),
);
const KeyValue: z.ZodType<JsonKeyValue> = z.lazy(() =>
  z.object({ key: z.string(), value: AnyValue.nullish() }),
);
const KeyValues = z.array(KeyValue).nullish();

const enumValue = (names: readonly string[]) =>
  z.union([
    z.number().int().min(0),
    z.enum(names as [string, ...string[]]).transform((name) => names.indexOf(name)),
  ]);
const SpanKind = enumValue([
  "SPAN_KIND_UNSPECIFIED",
  "SPAN_KIND_INTERNAL",
  "SPAN_KIND_SERVER",
  "SPAN_KIND_CLIENT",
  "SPAN_KIND_PRODUCER",
  "SPAN_KIND_CONSUMER",
]);
const StatusCode = enumValue(["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"]);

const Span = z.object({
  traceId: z.string().default(""),
  spanId: z.string().default(""),
  traceState: z.string().nullish(),
  parentSpanId: z.string().nullish(),
  flags: z.number().int().min(0).nullish(),
  name: z.string().default(""),
  kind: SpanKind.nullish(),
  startTimeUnixNano: uint64.default("0"),
  endTimeUnixNano: uint64.default("0"),
  attributes: KeyValues,
  droppedAttributesCount: count,
  events: z
    .array(
      z.object({
        timeUnixNano: uint64.default("0"),
        name: z.string().default(""),
        attributes: KeyValues,
        droppedAttributesCount: count,
      }),
    )
    .nullish(),
  droppedEventsCount: count,
  links: z
    .array(
      z.object({
        traceId: z.string().default(""),
        spanId: z.string().default(""),
        traceState: z.string().nullish(),
        attributes: KeyValues,
        droppedAttributesCount: count,
        flags: z.number().int().min(0).nullish(),
      }),
    )
    .nullish(),
  droppedLinksCount: count,
  status: z.object({ code: StatusCode.nullish(), message: z.string().nullish() }).nullish(),
});

const Envelope = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: KeyValues }).nullish(),
        scopeSpans: z
          .array(
            z.object({
              scope: z
                .object({ name: z.string().nullish(), version: z.string().nullish(), attributes: KeyValues })
                .nullish(),
              spans: z.array(z.unknown()).nullish(),
            }),
          )
          .nullish(),
      }),
    )
    .nullish(),
});

export interface JsonDecoded {
  spans: DecodedSpan[];
  /** Spans whose JSON did not have the span's shape: rejected, with why. */
  malformed: string[];
}

/** Parsed JSON body → spans. Throws DecodeError when the envelope is not an ExportTraceServiceRequest. */
export function decodeJsonRequest(body: unknown): JsonDecoded {
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) {
    throw new DecodeError(`Not an OTLP/JSON ExportTraceServiceRequest: ${z.prettifyError(envelope.error)}`);
  }
  const spans: DecodedSpan[] = [];
  const malformed: string[] = [];
  for (const rs of envelope.data.resourceSpans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      const scope = wireScope(ss.scope, attributes, (kv) => Boolean(kv?.length));
      for (const raw of ss.spans ?? []) {
        const parsed = Span.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          malformed.push(`malformed span: ${issue?.path.join(".") || "span"}: ${issue?.message}`);
          continue;
        }
        spans.push(toDecodedSpan(parsed.data, JSON_CODEC, resource, scope));
      }
    }
  }
  return { spans, malformed };
}

/** Hex ids are case-insensitive on the wire; Vigil keeps them lowercase. Validation checks length. */
const JSON_CODEC = {
  id: (id: string | null | undefined) => (id ?? "").toLowerCase(),
  ns: (v: string | number) => BigInt(v),
  attributes,
};

function attributes(list: JsonKeyValue[] | null | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

function anyValue(v: JsonAnyValue | null | undefined): AttrValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return int64(v.intValue);
  if (v.doubleValue !== undefined) {
    // JSON has no NaN/Infinity: those stay strings, spelled as the mapping spells them.
    return v.doubleValue;
  }
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(anyValue);
  if (v.kvlistValue !== undefined) return attributes(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return null;
}

/** ExportTraceServiceResponse in the JSON mapping (int64 as a string). */
export function jsonResponse(rejected: number, errorMessage: string): Record<string, unknown> {
  return rejected > 0 || errorMessage
    ? { partialSuccess: { rejectedSpans: String(rejected), errorMessage } }
    : {};
}
