import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { apiClient } from "../../src/http/api-client.ts";
import {
  parseEvents,
  runLineageSend,
  runSchemaHistory,
  runSchemaImpact,
  runSchemaPush,
} from "../../src/schemas/cli-remote.ts";
import { useApp, useServedApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const execFileP = promisify(execFile);
const cli = join(import.meta.dirname, "../../src/cli.ts");
const tsx = join(import.meta.dirname, "../../node_modules/.bin/tsx");

describe("parseEvents", () => {
  it("reads one event, an array, or NDJSON; a bad line is named", () => {
    expect(parseEvents("a", '{"x":1}')).toEqual([{ x: 1 }]);
    expect(parseEvents("a", '[{"x":1},{"x":2}]')).toHaveLength(2);
    expect(parseEvents("a", '{"x":1}\n\n{"x":2}\r\n')).toEqual([{ x: 1 }, { x: 2 }]);
    expect(() => parseEvents("f.ndjson", '{"x":1}\n{"x":\n')).toThrow(/f\.ndjson:2: not JSON/);
    expect(() => parseEvents("f", "  ")).toThrow(/empty/);
  });
});

// The remote schema commands are HTTP clients: the real `vigil` process against the app on a socket.
describeEachDatabase("vigil schema push/history/impact, lineage send", (db) => {
  const t = useApp(db, { project: "schema-cli" });
  const served = useServedApp(t);
  const dir = mkdtempSync(join(tmpdir(), "vigil-schema-cli-"));
  const file = (name: string, content: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
    return p;
  };
  /** Runs vigil; resolves with the exit code instead of rejecting. */
  const vigil = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    try {
      const r = await execFileP(tsx, [cli, ...args], { env: { ...served.env, ...extraEnv } });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, stdout: x.stdout, stderr: x.stderr };
    }
  };

  /**
   * The same commands in-process (the run* functions the actions call, over a real HTTP client and
   * socket): spawning tsx costs seconds per call, so only exit codes and argument parsing are checked
   * in a real `vigil` process.
   */
  const inProcess = async (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const client = () => apiClient({ ...served.env, ...extraEnv }, fetch, { attempts: 2 });
    const [group, command, ...rest] = args;
    const flag = (name: string) => {
      const i = rest.indexOf(`--${name}`);
      return i < 0 ? undefined : rest[i + 1];
    };
    const json = rest.includes("--json");
    const positional = rest.filter((a, i) => !a.startsWith("--") && !rest[i - 1]?.startsWith("--fields"));
    const r =
      group === "lineage"
        ? await runLineageSend(client, { files: positional, json })
        : command === "push"
          ? await runSchemaPush(client, { dataset: positional[0]!, file: positional[1]!, json })
          : command === "history"
            ? await runSchemaHistory(client, { dataset: positional[0]!, json })
            : await runSchemaImpact(client, { dataset: positional[0]!, fields: flag("fields"), json });
    return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  };

  const v1 = {
    fields: [
      { name: "id", type: "bigint", nullable: false },
      { name: "amount", type: "numeric(12,2)", nullable: true },
      { name: "note", type: "text", nullable: true },
    ],
  };

  it("push: a first version, then the same content as SQL is unchanged", async () => {
    const first = await inProcess(["schema", "push", "orders", file("v1.json", v1)]);
    expect(first, first.stderr).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/^orders \(default\): v1, the first version$/m);
    const sql = file("v1.sql", "CREATE TABLE orders (id bigint NOT NULL, amount numeric(12,2), note text);");
    const same = await inProcess(["schema", "push", "orders", sql]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/unchanged, still v1/);
  }, 60_000);

  it("push: a breaking version exits 1 with the diff and what downstream reads the field", async () => {
    const put = await t.request("/api/v1/models/revenue/inputs", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: [{ dataset: "orders", fields: ["amount"] }] }),
    });
    expect(put.status).toBe(200);
    // JSON Schema this time: amount gone, note retyped compatibly (text stays text).
    const jsonSchema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      required: ["id"],
      properties: { id: { type: "integer" }, note: { type: "string" } },
    };
    // A real `vigil` process: the exit code CI gates on.
    const r = await vigil(["schema", "push", "orders", file("v2.schema.json", jsonSchema)]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/v2 stored \(from v1\) — BREAKING/);
    expect(r.stdout).toMatch(/BREAKING\s+field_removed\s+amount/);
    expect(r.stdout).toMatch(/Schema incident \S+ opened/);
    expect(r.stdout).toMatch(/model\s+default\/revenue/);
    expect(r.stdout).toContain("dataset orders.amount → model revenue");
  }, 60_000);

  it("history and impact", async () => {
    const h = await inProcess(["schema", "history", "orders"]);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toMatch(/^orders \(default\): current v2 \(2 fields, api/m);
    expect(h.stdout).toMatch(/^v2 .* BREAKING {2}1 change$/m);
    expect(h.stdout).toMatch(/^ {2}BREAKING {2}field_removed {2}amount/m);
    expect(h.stdout).toMatch(/^v1 {2}the first version$/m);

    const json = await inProcess(["schema", "history", "orders", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ current: { version: 2 }, versions: [{ version: 2 }] });

    const i = await inProcess(["schema", "impact", "orders", "--fields", "amount,ghost"]);
    expect(i.code, i.stderr).toBe(0);
    expect(i.stdout).toMatch(/^Impact of orders \(default\), fields amount, ghost: 1 downstream node$/m);
    expect(i.stdout).toMatch(/not in the current schema, followed anyway: amount, ghost/);
    expect(i.stdout).toMatch(/model\s+default\/revenue\s+\(depth 1\)/);
    const none = await inProcess(["schema", "impact", "orders", "--fields", "note"]);
    expect(none.stdout).toMatch(/Nothing downstream reads these fields/);
  }, 60_000);

  it("push: a fix resolves the incident", async () => {
    const r = await inProcess(["schema", "push", "orders", file("v3.json", v1)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/v3 stored \(from v2\)$/m);
    expect(r.stdout).toMatch(/Resolved \(this version fixes them\): \S+/);
  }, 60_000);

  it("lineage send: NDJSON events; resending stores nothing new", async () => {
    const event = (n: number, fields: string[]) =>
      JSON.stringify({
        eventType: "COMPLETE",
        eventTime: `2026-05-01T00:00:0${n}.000Z`,
        producer: "https://example.com/cli-test",
        schemaURL: "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        run: { runId: `00000000-0000-4000-8000-00000000000${n}` },
        job: { namespace: "etl", name: "load_items" },
        inputs: [],
        outputs: [
          {
            namespace: "warehouse",
            name: "items",
            facets: {
              schema: {
                _producer: "https://example.com/cli-test",
                _schemaURL: "https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json",
                fields: fields.map((name) => ({ name, type: "INTEGER" })),
              },
            },
          },
        ],
      });
    const ndjson = file("events.ndjson", `${event(1, ["id", "qty"])}\n${event(2, ["id"])}\n`);
    const r = await inProcess(["lineage", "send", ndjson]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^2 events sent: 2 applied, 0 already stored$/m);
    expect(r.stdout).toMatch(/^2 new schema versions, 1 breaking$/m);
    expect(r.stdout).toMatch(/^ {2}warehouse\/items v2 BREAKING$/m);
    expect(r.stdout).toMatch(/^Schema incident \S+ opened: items \(warehouse\), 0 downstream nodes$/m);
    const again = await inProcess(["lineage", "send", ndjson]);
    expect(again.stdout).toMatch(/^2 events sent: 0 applied, 2 already stored$/m);
    expect((await inProcess(["schema", "history", "items"])).stdout).toMatch(/current v2/);
  }, 60_000);

  it("errors exit 2 with one clear line", async () => {
    const missing = await inProcess(["schema", "push", "orders", join(dir, "nope.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^vigil schema push: cannot read .*nope\.json/);

    const unknown = await vigil(["schema", "history", "no_such_table"]); // a real process: exit 2
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^vigil schema history: 404 No dataset "no_such_table"/);

    const invalid = await inProcess(["schema", "push", "orders", file("bad.json", { hello: "world" })]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^vigil schema push: 422 .*\(unknown_schema_form\)/);

    const badKey = await inProcess(["schema", "impact", "orders"], { VIGIL_API_KEY: "vgl_wrong" });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/^vigil schema impact: 401 /);

    const noKey = await inProcess(["lineage", "send", file("e.json", "{}")], { VIGIL_API_KEY: "" });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/VIGIL_API_KEY/);

    const badLine = await inProcess(["lineage", "send", file("bad.ndjson", '{"a":1}\nnot json\n')]);
    expect(badLine.code).toBe(2);
    expect(badLine.stderr).toMatch(/bad\.ndjson:2: not JSON/);
  }, 60_000);

  it("an unreachable server is an error after retrying", async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    const r = await inProcess(["schema", "impact", "orders"], { VIGIL_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^vigil schema impact: cannot reach Vigil at http://127.0.0.1:${port} \\(ECONNREFUSED\\)`),
    );
  }, 60_000);
});
