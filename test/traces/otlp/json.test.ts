import { describe, expect, it } from "vitest";
import { decodeJsonRequest } from "../../../src/traces/otlp/json.ts";
import { jsonRequest, span } from "../otlp-builders.ts";

describe("OTLP/JSON mapping", () => {
  it("reads hex ids (any case), int64 strings, enum names, nested values; ignores unknown fields", () => {
    const s = span({ attributes: { n: 3 } });
    const req = jsonRequest([s]) as unknown as {
      resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    const raw = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    raw.traceId = (raw.traceId as string).toUpperCase();
    raw.kind = "SPAN_KIND_CONSUMER";
    raw.somethingNew = { x: 1 };
    (raw.attributes as unknown[]).push(
      { key: "big", value: { intValue: "9007199254740993" } },
      { key: "list", value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: 2 }] } } },
      { key: "map", value: { kvlistValue: { values: [{ key: "k", value: { boolValue: true } }] } } },
      { key: "nan", value: { doubleValue: "NaN" } },
      { key: "empty" },
    );
    const { spans, malformed } = decodeJsonRequest(req);
    expect(malformed).toEqual([]);
    expect(spans[0]).toMatchObject({
      traceId: s.traceId,
      kind: 5,
      startNs: s.startNs,
      attributes: {
        n: 3,
        big: "9007199254740993",
        list: ["a", 2],
        map: { k: true },
        nan: "NaN",
        empty: null,
      },
    });
  });
});
