import { carriesPrediction } from "../../predictions/from-spans.ts";
import type { SpanRecord } from "../model.ts";
import { safeJson } from "../store/copy-text.ts";

/**
 * The spans of a batch that something else is derived from when they are written: exception
 * events (→ incidents) and prediction logs (→ predictions). Only these travel with a queued batch
 * as records; the rest of the batch is only ever inserted. Pure.
 */
export function derivingSpans(records: SpanRecord[]): SpanRecord[] {
  // Parsing the predictions waits for the write (it runs on the spans that were new only).
  return records.filter((r) => r.events.some((e) => e.name === "exception") || carriesPrediction(r));
}

/**
 * SpanRecords as JSON: the two bigint fields as decimal strings; NUL and lone surrogates removed as
 * in the rows (incidents and predictions made from these go to text and jsonb columns too).
 */
export function derivedJson(records: SpanRecord[]): string {
  return safeJson(
    records.map((r) => ({ ...r, startNs: r.startNs.toString(), durationNs: r.durationNs.toString() })),
  );
}

export function parseDerived(json: string): SpanRecord[] {
  const parsed = JSON.parse(json) as (Omit<SpanRecord, "startNs" | "durationNs"> & {
    startNs: string;
    durationNs: string;
  })[];
  return parsed.map((r) => ({ ...r, startNs: BigInt(r.startNs), durationNs: BigInt(r.durationNs) }));
}
