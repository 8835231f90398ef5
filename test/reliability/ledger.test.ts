import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { appendRecord, formatLedger, type RunRecord, readLedger } from "./ledger.ts";

const row = (test: string, lost = 0): RunRecord => ({
  test,
  load: "10 spans",
  faults: "none",
  sent: 10,
  acked: 10,
  stored: 10 - lost,
  lost,
  duplicated: 0,
  fiveXX: 0,
});

const dir = mkdtempSync(join(tmpdir(), "vigil-ledger-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("reads back the rows appended, one JSON line each", () => {
  const file = join(dir, "rows.jsonl");
  appendRecord(file, row("a"));
  appendRecord(file, row("b", 2));
  expect(readLedger(file).map((r) => [r.test, r.lost])).toEqual([
    ["a", 0],
    ["b", 2],
  ]);
});

it("prints a Markdown table, sorted by test, numbers right-aligned, pipes escaped", () => {
  const table = formatLedger([row("b | pipes", 1), row("a")]).split("\n");
  expect(table[0]).toMatch(
    /^\| test +\| load +\| faults \| sent \| acked \| stored \| lost \| duplicated \| 5xx \|$/,
  );
  expect(table[1]).toMatch(/^\|-+\|-+\|-+\|-+:\|/);
  expect(table[2]).toMatch(/^\| a /);
  expect(table[3]).toContain("b \\| pipes");
  expect(table[3]).toMatch(/\| {6}9 \| {4}1 \| {10}0 \| {3}0 \|$/);
});

it("a missing ledger is an empty one", () => {
  expect(readLedger(join(dir, "absent.jsonl"))).toEqual([]);
});
