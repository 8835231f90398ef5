import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createLogger } from "../../src/telemetry/logger.ts";
import { describeEachDatabase } from "../helpers/db.ts";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger("info", stream), lines };
}

describeEachDatabase("logs", (db) => {
  it("a failed query is logged with its statement and code, never its parameters", async () => {
    const secret = "whsec_do-not-log-me-0123456789";
    await db.database.db.execute(sql`create table log_probe (id int primary key, secret text)`);
    await db.database.db.execute(sql`insert into log_probe values (${1}, ${"first"})`);
    const error = await db.database.db
      .execute(sql`insert into log_probe values (${1}, ${secret})`)
      .catch((e: unknown) => e);
    const { log, lines } = capture();
    log.error({ err: error }, "unhandled error");
    const line = lines.join("");
    expect(line).not.toContain(secret);
    const logged = JSON.parse(line) as { err: Record<string, unknown> };
    expect(JSON.stringify(logged.err)).toMatch(/insert into log_probe values/);
    expect(JSON.stringify(logged.err)).toMatch(/23505/); // the unique violation, found in the cause chain
  });
});

it("no field of a log line carries megabytes", () => {
  const { log, lines } = capture();
  const huge = "x".repeat(15 * 1024 * 1024);
  log.error({ err: new Error(huge), body: huge }, "big");
  expect(lines.join("").length).toBeLessThan(20_000);
  const logged = JSON.parse(lines.join("")) as { err: { message: string }; body: string };
  expect(logged.err.message).toMatch(/…\[\d+ more\]$/);
  expect(logged.body).toMatch(/…\[\d+ more\]$/);
});
