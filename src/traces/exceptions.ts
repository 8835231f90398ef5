import type { Occurrence } from "../incidents/model.ts";
import { fingerprintException } from "./fingerprint.ts";
import type { SpanRecord } from "./model.ts";

/**
 * Span events named "exception" (OpenTelemetry semantic conventions: exception.type,
 * exception.message, exception.stacktrace) → one incident occurrence per fingerprint in the batch,
 * counting repeats. Pure. The sample is the first occurrence in the batch; the incident keeps the
 * very first sample forever and the latest one as `latest`.
 */
export function exceptionOccurrences(projectId: string, records: SpanRecord[]): Occurrence[] {
  const byFingerprint = new Map<string, Occurrence & { count: number; at: Date }>();
  for (const span of records) {
    for (const event of span.events) {
      if (event.name !== "exception") continue;
      const a = event.attributes;
      const type = str(a["exception.type"]);
      const message = str(a["exception.message"]);
      const stacktrace = str(a["exception.stacktrace"]);
      if (!type && !message) continue; // the conventions require one of the two
      const fp = fingerprintException({ type, message, stacktrace, service: span.service });
      const at = new Date(
        Number(BigInt(event.timeNs || "0") / 1_000_000n) || Number(span.startNs / 1_000_000n),
      );
      const seen = byFingerprint.get(fp.fingerprint);
      if (seen) {
        seen.count++;
        if (at > seen.at) seen.at = at;
        continue;
      }
      const shownType = type || fp.basis.type;
      byFingerprint.set(fp.fingerprint, {
        projectId,
        kind: "exception",
        fingerprint: fp.fingerprint,
        title: `${shownType}: ${message}`.slice(0, 300),
        severity: "error",
        source: span.service,
        at,
        count: 1,
        sample: {
          type: shownType,
          message,
          stacktrace,
          format: fp.format,
          frames: fp.frames.slice(0, 50),
          basis: fp.basis,
          service: span.service,
          spanName: span.name,
          traceId: span.traceId,
          spanId: span.spanId,
        },
        evidence: { traceId: span.traceId, spanId: span.spanId, service: span.service },
      });
    }
  }
  return [...byFingerprint.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
}

function str(v: unknown): string {
  return typeof v === "string" ? v : v == null ? "" : String(v);
}
