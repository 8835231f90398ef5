import { describe, expect, it } from "vitest";
import { runOwnProcess } from "../helpers/own-process.ts";

describe("PreparePiecePool threads and the process", () => {
  it("keep it alive while an answer is owed, and let it end once idle", () => {
    // Nothing but the pending answer holds this process: it must wait for it, print it, then exit.
    const out = runOwnProcess(`
      import { PreparePiecePool } from "@src/predictions/prepare-pool.ts";
      const pool = new PreparePiecePool(1);
      const output = await pool.run({ texts: ['{"model":"m","requestId":"r1","features":{"x":1}}'], first: 0,
        projectId: "00000000-0000-4000-8000-000000000001", source: "api", now: new Date().toISOString(),
        contracts: new Map([["m", null]]), maxErrors: 10, requestIds: false });
      console.log(output.kind);
    `);
    expect(out, out.stderr).toMatchObject({ status: 0, signal: null, stdout: "rows\n" });
  });
});
