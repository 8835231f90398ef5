import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Reporter, Vitest } from "vitest/node";
import { formatLedger, LEDGER_ENV, readLedger } from "./ledger.ts";

/**
 * Gives every worker the run's ledger file (test/reliability/ledger.ts appends rows to it) and
 * prints the reliability table when the run ends, if any test recorded a row.
 */
export default class LedgerReporter implements Reporter {
  private dir = "";
  private file = "";

  onInit(vitest: Vitest) {
    this.dir = mkdtempSync(join(tmpdir(), "vigil-reliability-"));
    this.file = join(this.dir, "ledger.jsonl");
    writeFileSync(this.file, "");
    vitest.provide("reliabilityLedger", this.file);
    process.env[LEDGER_ENV] = this.file;
    process.once("exit", () => rmSync(this.dir, { recursive: true, force: true }));
  }

  onTestRunStart() {
    // A watch-mode rerun starts a new table.
    if (this.file) writeFileSync(this.file, "");
  }

  onTestRunEnd() {
    const rows = readLedger(this.file);
    if (rows.length) console.log(`\nreliability (${rows.length} rows):\n${formatLedger(rows)}`);
  }
}
