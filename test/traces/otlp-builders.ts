import { randomBytes } from "node:crypto";
import { acceptSpans } from "../../src/traces/ingest.ts";
import { encodeProtobufRequest } from "../../src/traces/otlp/protobuf.ts";
import { prepareExport } from "../../src/traces/prepare/export.ts";
import type { SpanWriter } from "../../src/traces/store/writer.ts";

/** Hand-built OTLP requests for the error and edge cases the SDKs never produce. */

export const hexId = (bytes: number) => randomBytes(bytes).toString("hex");
export const nowNs = () => BigInt(Date.now()) * 1_000_000n;

export interface SpanSpec {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  startNs?: bigint;
  endNs?: bigint;
  kind?: number;
  flags?: number;
  status?: { code: number; message?: string };
  attributes?: Record<string, string | number | boolean>;
  events?: { name: string; timeNs?: bigint; attributes?: Record<string, string> }[];
}

export function span(s: SpanSpec = {}) {
  const start = s.startNs ?? nowNs() - 5_000_000n;
  return {
    traceId: s.traceId ?? hexId(16),
    spanId: s.spanId ?? hexId(8),
    parentSpanId: s.parentSpanId,
    name: s.name ?? "GET /checkout",
    kind: s.kind ?? 2,
    flags: s.flags,
    startNs: start,
    endNs: s.endNs ?? start + 1_500_000n,
    status: s.status,
    attributes: s.attributes ?? { "http.method": "GET" },
    events: s.events ?? [],
  };
}
export type Span = ReturnType<typeof span>;

const kv = (attrs: Record<string, string | number | boolean>) =>
  Object.entries(attrs).map(([key, v]) => ({
    key,
    value:
      typeof v === "string"
        ? { stringValue: v }
        : typeof v === "boolean"
          ? { boolValue: v }
          : Number.isInteger(v)
            ? { intValue: String(v) }
            : { doubleValue: v },
  }));

/** OTLP/JSON mapping of one resource with these spans. */
export function jsonRequest(spans: Span[], service = "checkout") {
  return {
    resourceSpans: [
      {
        resource: { attributes: kv({ "service.name": service }) },
        scopeSpans: [
          {
            scope: { name: "test", version: "1.0" },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind,
              ...(s.flags !== undefined ? { flags: s.flags } : {}),
              startTimeUnixNano: s.startNs.toString(),
              endTimeUnixNano: s.endNs.toString(),
              attributes: kv(s.attributes),
              events: s.events.map((e) => ({
                name: e.name,
                timeUnixNano: (e.timeNs ?? s.startNs).toString(),
                attributes: kv(e.attributes ?? {}),
              })),
              ...(s.status ? { status: s.status } : {}),
            })),
          },
        ],
      },
    ],
  };
}

/** The same request as protobuf bytes (via the official definitions). */
export function protobufRequest(spans: Span[], service = "checkout"): Uint8Array {
  const hex = (h: string | undefined) => (h ? Buffer.from(h, "hex") : undefined);
  const json = jsonRequest(spans, service);
  const rs = json.resourceSpans[0]!;
  return encodeProtobufRequest({
    resourceSpans: [
      {
        resource: rs.resource,
        scopeSpans: [
          {
            scope: rs.scopeSpans[0]!.scope,
            spans: rs.scopeSpans[0]!.spans.map((s) => ({
              ...s,
              traceId: hex(s.traceId),
              spanId: hex(s.spanId),
              parentSpanId: hex((s as { parentSpanId?: string }).parentSpanId),
            })),
          },
        ],
      },
    ],
  });
}

/** Queues an export of `spans` on `writer` as the receiver does (JSON, prepared inline). */
export async function queueExport(writer: SpanWriter, projectId: string, spans: Span[], service: string) {
  const prepared = prepareExport({
    projectId,
    body: new TextEncoder().encode(JSON.stringify(jsonRequest(spans, service))),
    encoding: "json",
    limit: 1 << 24,
    nowMs: Date.now(),
    retentionDays: 7,
  });
  await acceptSpans(writer, projectId, prepared);
  return prepared;
}
