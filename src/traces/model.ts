/**
 * The span as Vigil keeps it, whichever OTLP encoding it came in. Both decoders (protobuf, JSON)
 * produce `DecodedSpan`s; `validateSpans` turns them into `SpanRecord`s or rejections.
 */

/** An OTLP AnyValue as plain JSON: int64 beyond 2^53 stays a string, bytes become base64. */
export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export interface SpanEvent {
  timeNs: string;
  name: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  attributes: Attributes;
  flags?: number;
}

export interface Scope {
  name?: string;
  version?: string;
  attributes?: Attributes;
}

/** What a decoder hands over: ids as hex (possibly of the wrong length), times as bigint. */
export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  flags: number;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  statusCode: number;
  statusMessage: string;
  dropped: { attributes: number; events: number; links: number };
  resource: Attributes;
  scope: Scope;
}

/** A valid span, ready for the store. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  flags: number | null;
  name: string;
  kind: number;
  service: string;
  startNs: bigint;
  durationNs: bigint;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  statusCode: number;
  statusMessage: string | null;
  dropped: { attributes: number; events: number; links: number };
  resource: Attributes;
  scope: Scope;
}

export const SPAN_KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"] as const;
export const STATUS_CODES = ["unset", "ok", "error"] as const;
