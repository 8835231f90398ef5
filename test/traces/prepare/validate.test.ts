import { describe, expect, it } from "vitest";
import { decodeJsonRequest } from "../../../src/traces/otlp/json.ts";
import { validateSpans } from "../../../src/traces/prepare/validate.ts";
import { jsonRequest, nowNs, span } from "../otlp-builders.ts";

describe("validation", () => {
  const opts = { nowNs: nowNs(), retentionDays: 7 };
  it("keeps valid spans, names the service, counts each reason", () => {
    const decoded = decodeJsonRequest(
      jsonRequest([span(), span({ name: "" }), span({ name: "" })], "svc"),
    ).spans;
    const v = validateSpans(decoded, opts);
    expect(v.records).toHaveLength(1);
    expect(v.records[0]!.service).toBe("svc");
    expect(v.rejected).toBe(2);
    expect(v.errorMessage).toBe("2 spans rejected: 2 × missing span name");
  });
  it("spans without service.name belong to unknown_service; future spans are rejected", () => {
    const req = jsonRequest([span(), span({ startNs: opts.nowNs + 2n * 86_400_000_000_000n })]);
    req.resourceSpans[0]!.resource.attributes = [];
    const v = validateSpans(decodeJsonRequest(req).spans, opts);
    expect(v.records.map((r) => r.service)).toEqual(["unknown_service"]);
    expect(v.errorMessage).toMatch(/future/);
  });
});
