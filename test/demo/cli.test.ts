import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { useApp, useServedApp } from "../helpers/app.ts";
import { describeEachDatabase } from "../helpers/db.ts";

const bin = join(import.meta.dirname, "../../bin/vigil.js");

// biome-ignore lint/suspicious/noExplicitAny: the --json line
type Json = Record<string, any>;

/** Runs `vigil demo` until its stdout holds `done(stdout)`; returns the process and what it wrote. */
function startDemo(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [bin, "demo", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  const out = { stdout: "", stderr: "" };
  child.stdout!.on("data", (b: Buffer) => {
    out.stdout += b;
  });
  child.stderr!.on("data", (b: Buffer) => {
    out.stderr += b;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const until = (done: (stdout: string) => boolean, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`vigil demo timed out:\n${out.stderr}`)), timeoutMs);
      const check = () => {
        if (done(out.stdout)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on("data", check);
      exited.then(() => {
        clearTimeout(timer);
        done(out.stdout) ? resolve() : reject(new Error(`vigil demo exited:\n${out.stderr}`));
      });
    });
  return { child, out, exited, until };
}

const baseEnv = (): NodeJS.ProcessEnv => {
  const { VIGIL_URL: _u, VIGIL_API_KEY: _k, DATABASE_URL: _d, ...env } = process.env;
  return { ...env, NO_COLOR: "1" };
};

describe("vigil demo (its own Vigil)", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  it("--help says what it does and how", () => {
    const res = spawnSync(process.execPath, [bin, "demo", "--help"], { encoding: "utf8", env: baseEnv() });
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/fresh embedded database/);
    expect(res.stdout).toMatch(/--keep-running/);
    expect(res.stdout).toMatch(/VIGIL_URL/);
  });

  it("starts, prints the URL and the key, serves the story until Ctrl-C, then deletes its database", async () => {
    const demo = startDemo(["--port", "0", "--keep-running", "--interval", "1"], baseEnv());
    child = demo.child;
    await demo.until((s) => /Key:\s+vgl_/.test(s), 170_000);
    const url = /URL:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(demo.out.stdout)?.[1];
    const key = /Key:\s+(vgl_[A-Za-z0-9_-]+)/.exec(demo.out.stdout)?.[1];
    expect(url).toBeDefined();
    expect(key).toBeDefined();
    const dataDir = /data in (\S+)\)/.exec(demo.out.stderr)?.[1];
    expect(dataDir && existsSync(dataDir)).toBe(true);
    // Progress on stderr, one line per step.
    for (const step of ["runbooks:", "lineage:", "monitor", "traces:", "predictions:", "schema:", "alerts:"])
      expect(demo.out.stderr).toContain(`vigil demo: ${step}`);

    const api = async (path: string) => {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status, path).toBe(200);
      return (await res.json()) as Json;
    };
    const { incidents } = await api("/api/v1/incidents?limit=100");
    expect(new Set(incidents.map((i: Json) => i.kind))).toEqual(
      new Set(["exception", "drift", "schema", "alert"]),
    );
    expect((await fetch(`${url}/`)).status).toBe(200);

    // The live trickle: traced requests keep arriving after the story was printed.
    const printedAt = new Date().toISOString();
    const live = async () => (await api(`/api/v1/traces?service=checkout&from=${printedAt}`)).traces.length;
    const until = Date.now() + 90_000;
    while ((await live()) === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
    expect(await live()).toBeGreaterThan(0);
    expect(demo.out.stderr).toMatch(/live: spans and predictions every 1 s/);

    demo.child.kill("SIGINT");
    expect(await demo.exited).toBe(0);
    expect(existsSync(dataDir!)).toBe(false);
  }, 300_000);
});

describeEachDatabase(
  "vigil demo against VIGIL_URL",
  (db) => {
    const t = useApp(db, { project: "shared" });
    const served = useServedApp(t);

    it("plays the story there, prints the result as JSON and exits", async () => {
      const demo = startDemo(["--json"], { ...served.env });
      expect(await demo.exited).toBe(0);
      const result = JSON.parse(demo.out.stdout.trim()) as Json;
      expect(result.url).toBe(served.env.VIGIL_URL);
      expect(result.key).toBeUndefined(); // the user's own key is not echoed
      expect(result.project.name).toBe("shared");
      expect(demo.out.stderr).not.toContain(t.key);
      const res = await t.request(`/api/v1/incidents/${result.incidents.drift}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as Json).incident).toMatchObject({ kind: "drift", status: "open" });
    }, 180_000);
  },
  ["pglite"],
);
