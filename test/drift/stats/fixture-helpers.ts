import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { generateSample, type SampleSpec } from "../../../src/drift/stats/generate.ts";

export type Sample = SampleSpec | number[];

export interface FixtureCase {
  name: string;
  reference: Sample;
  current: Sample;
  statistic?: number | null;
  pValue?: number | null;
  [key: string]: unknown;
}

export interface Fixture {
  test: string;
  scipy: string;
  note: string;
  cases: FixtureCase[];
}

export function loadFixture(name: string): Fixture {
  const url = new URL(`./fixtures/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as Fixture;
}

export function sample(s: Sample): Float64Array {
  return Array.isArray(s) ? Float64Array.from(s) : generateSample(s);
}

/**
 * The tolerance: 1e-9 relative, loosened to 1e-6 relative for p-values below 1e-10.
 * `absFloor` admits results scipy itself derives as 1 − cdf, whose last digits are rounding noise.
 */
export function expectClose(
  actual: number | null,
  expected: number | null | undefined,
  what: string,
  absFloor = 0,
) {
  if (expected === null || expected === undefined) {
    expect(actual === null || !Number.isFinite(actual), `${what}: expected non-finite, got ${actual}`).toBe(
      true,
    );
    return;
  }
  expect(actual, what).not.toBeNull();
  const a = actual as number;
  const rtol = Math.abs(expected) < 1e-10 ? 1e-6 : 1e-9;
  const err = Math.abs(a - expected);
  expect(
    err <= rtol * Math.abs(expected) || err <= absFloor || (expected === 0 && err < 1e-300),
    `${what}: got ${a}, scipy ${expected} (|Δ|=${err})`,
  ).toBe(true);
}
