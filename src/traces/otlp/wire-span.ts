import type { Attributes, DecodedSpan, Scope } from "../model.ts";

/**
 * The span shape both OTLP encodings share once decoded (JSON after zod, protobuf after protobufjs);
 * only the leaves differ: ids (hex string vs bytes), 64-bit times (string/number vs Long) and
 * attribute lists. One mapping to DecodedSpan serves both, with the leaves converted by a codec.
 */
export interface WireSpan<Id, Ns, Kv> {
  traceId: Id;
  spanId: Id;
  parentSpanId?: Id | null;
  traceState?: string | null;
  flags?: number | null;
  name?: string | null;
  kind?: number | null;
  startTimeUnixNano: Ns;
  endTimeUnixNano: Ns;
  attributes?: Kv | null;
  droppedAttributesCount?: number | null;
  events?:
    | {
        timeUnixNano: Ns;
        name?: string | null;
        attributes?: Kv | null;
        droppedAttributesCount?: number | null;
      }[]
    | null;
  droppedEventsCount?: number | null;
  links?:
    | { traceId: Id; spanId: Id; traceState?: string | null; attributes?: Kv | null; flags?: number | null }[]
    | null;
  droppedLinksCount?: number | null;
  status?: { code?: number | null; message?: string | null } | null;
}

export interface WireCodec<Id, Ns, Kv> {
  id(v: Id | null | undefined): string;
  ns(v: Ns): bigint;
  attributes(v: Kv | null | undefined): Attributes;
}

export function wireScope<Kv>(
  scope: { name?: string | null; version?: string | null; attributes?: Kv | null } | null | undefined,
  attributes: (v: Kv | null | undefined) => Attributes,
  hasAttributes: (v: Kv | null | undefined) => boolean,
): Scope {
  const out: Scope = {};
  if (scope?.name) out.name = scope.name;
  if (scope?.version) out.version = scope.version;
  if (hasAttributes(scope?.attributes)) out.attributes = attributes(scope?.attributes);
  return out;
}

export function toDecodedSpan<Id, Ns, Kv>(
  s: WireSpan<Id, Ns, Kv>,
  codec: WireCodec<Id, Ns, Kv>,
  resource: Attributes,
  scope: Scope,
): DecodedSpan {
  return {
    traceId: codec.id(s.traceId),
    spanId: codec.id(s.spanId),
    parentSpanId: codec.id(s.parentSpanId),
    traceState: s.traceState ?? "",
    flags: s.flags ?? 0,
    name: s.name ?? "",
    kind: s.kind ?? 0,
    startNs: codec.ns(s.startTimeUnixNano),
    endNs: codec.ns(s.endTimeUnixNano),
    attributes: codec.attributes(s.attributes),
    events: (s.events ?? []).map((e) => ({
      timeNs: codec.ns(e.timeUnixNano).toString(),
      name: e.name ?? "",
      attributes: codec.attributes(e.attributes),
      ...(e.droppedAttributesCount ? { droppedAttributesCount: e.droppedAttributesCount } : {}),
    })),
    links: (s.links ?? []).map((l) => ({
      traceId: codec.id(l.traceId),
      spanId: codec.id(l.spanId),
      ...(l.traceState ? { traceState: l.traceState } : {}),
      attributes: codec.attributes(l.attributes),
      ...(l.flags ? { flags: l.flags } : {}),
    })),
    statusCode: s.status?.code ?? 0,
    statusMessage: s.status?.message ?? "",
    dropped: {
      attributes: s.droppedAttributesCount ?? 0,
      events: s.droppedEventsCount ?? 0,
      links: s.droppedLinksCount ?? 0,
    },
    resource,
    scope,
  };
}
