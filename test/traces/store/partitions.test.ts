import { describe, expect, it } from "vitest";
import { daysOf, partitionDay, partitionName } from "../../../src/traces/store/partitions.ts";

describe("partitions", () => {
  it("names and days", () => {
    const day = new Date("2026-11-24T00:00:00Z");
    expect(partitionName(new Date("2026-11-24T23:59:59Z"))).toBe("spans_p20261124");
    expect(partitionDay("spans_p20261124")).toEqual(day);
    expect(partitionDay("spans")).toBeUndefined();
    const ns = BigInt(day.getTime()) * 1_000_000n;
    expect(daysOf([ns, ns + 1n, ns - 1n])).toEqual([new Date("2026-11-23T00:00:00Z"), day]);
  });
});
