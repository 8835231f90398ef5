import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../../src/db/errors.ts";

describe("isDatabaseUnavailable", () => {
  it("recognises connection failures, also wrapped in causes", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("connect"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseUnavailable(new Error("query failed", { cause: { code: "57P01" } }))).toBe(true);
    const refused = Object.assign(new Error('database "x" is not currently accepting connections'), {
      code: "55000",
    });
    expect(isDatabaseUnavailable(new Error("wrapped", { cause: refused }))).toBe(true);
  });

  it("does not mistake query errors for an outage", () => {
    expect(isDatabaseUnavailable(Object.assign(new Error("syntax"), { code: "42601" }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error("pending trigger events"), { code: "55000" }))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
