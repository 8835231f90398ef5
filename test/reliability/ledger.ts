import { appendFileSync, readFileSync } from "node:fs";
import { inject } from "vitest";

/**
 * One row of the reliability table: what a test sent under which load and faults, and what came
 * of it. `stored` is counted in the database, never taken from the responses; `lost` is acked but
 * not stored, `duplicated` is stored more than once; `fiveXX` counts 5xx answers the test did not
 * expect (an outage's 503 with Retry-After is expected and is not counted here).
 */
export interface RunRecord {
  test: string;
  /** What was sent, e.g. "300 spans × 4 clients". */
  load: string;
  /** What went wrong on purpose, e.g. "kill -9 × 3", "none". */
  faults: string;
  sent: number;
  /** null (printed "–") where a test checks answers rather than rows, e.g. the bad-input fuzz. */
  acked: number | null;
  stored: number | null;
  lost: number | null;
  duplicated: number | null;
  fiveXX: number;
}

/** The env variable that names the ledger file outside a vitest run (and beside `inject`). */
export const LEDGER_ENV = "VIGIL_RELIABILITY_LEDGER";

declare module "vitest" {
  export interface ProvidedContext {
    reliabilityLedger: string;
  }
}

function ledgerFile(): string | undefined {
  try {
    const provided = inject("reliabilityLedger");
    if (provided) return provided;
  } catch {
    // Not inside a vitest worker.
  }
  return process.env[LEDGER_ENV] || undefined;
}

/**
 * Appends one row to the run's ledger (a JSON line per row; an append of one short line is atomic,
 * so workers may write at once). The ledger reporter prints the table when the run ends. Without a
 * ledger (a file run by another config) the row is printed instead, so it is never silently lost.
 */
export function recordRun(record: RunRecord): void {
  const file = ledgerFile();
  if (file) appendRecord(file, record);
  else console.log(`reliability: ${JSON.stringify(record)}`);
}

export function appendRecord(file: string, record: RunRecord): void {
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}

export function readLedger(file: string): RunRecord[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RunRecord);
}

const COLUMNS: ReadonlyArray<[string, (r: RunRecord) => string | number | null]> = [
  ["test", (r) => r.test],
  ["load", (r) => r.load],
  ["faults", (r) => r.faults],
  ["sent", (r) => r.sent],
  ["acked", (r) => r.acked],
  ["stored", (r) => r.stored],
  ["lost", (r) => r.lost],
  ["duplicated", (r) => r.duplicated],
  ["5xx", (r) => r.fiveXX],
];

/** The rows as a Markdown table (readable in a terminal, pasteable into the README), by test name. */
export function formatLedger(rows: readonly RunRecord[]): string {
  const sorted = [...rows].sort((a, b) => a.test.localeCompare(b.test));
  const cells = sorted.map((r) => COLUMNS.map(([, get]) => String(get(r) ?? "–").replaceAll("|", "\\|")));
  const widths = COLUMNS.map(([name], i) => Math.max(name.length, ...cells.map((c) => c[i]!.length)));
  const numeric = COLUMNS.map(([name]) => !["test", "load", "faults"].includes(name));
  const line = (values: string[]) =>
    `| ${values.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(" | ")} |`;
  return [
    line(COLUMNS.map(([name]) => name)),
    `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`,
    ...cells.map(line),
  ].join("\n");
}
