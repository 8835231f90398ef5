import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, expect, it } from "vitest";
import { describeEachDatabase, TEST_DATABASE_URL } from "./helpers/db.ts";

const bin = join(import.meta.dirname, "../bin/vigil.js");

interface Started {
  child: ChildProcess;
  output: string;
  exit: Promise<number | null>;
}

/** `vigil <command>` as a real process; resolves once it says it is up (or has exited). */
function start(command: "serve" | "worker", env: NodeJS.ProcessEnv): Promise<Started> {
  const child = spawn(process.execPath, [bin, command], { env, stdio: ["ignore", "pipe", "pipe"] });
  const started: Started = {
    child,
    output: "",
    exit: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  };
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      started.output += chunk.toString();
      if (/Vigil is up on|vigil worker running/.test(started.output)) resolve(started);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void started.exit.then(() => resolve(started));
  });
}

// Real processes against one server database: the race is between connections, so only the
// server variant can have it (the embedded database belongs to one process).
describeEachDatabase("instances started together", () => {
  const name = `vigil_test_start_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  const processes: Started[] = [];
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 2 });
  });

  it("two servers and a worker on a fresh database all start, and the first key is made once", async () => {
    await admin.unsafe(`create database ${name}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    const env = {
      ...process.env,
      DATABASE_URL: url.toString(),
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      VIGIL_API_KEY: "",
      VIGIL_OTLP_THREADS: "0",
    };
    processes.push(...(await Promise.all([start("serve", env), start("serve", env), start("worker", env)])));
    for (const p of processes) {
      expect(p.child.exitCode, p.output).toBeNull();
      expect(p.output).not.toMatch(/deadlock|duplicate key/);
    }
    // Exactly one process found the database without a project, and printed the key it made.
    expect(processes.filter((p) => p.output.includes("shown once, store it now"))).toHaveLength(1);
    const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      expect(await db`select name from projects`).toEqual([{ name: "default" }]);
      expect((await db`select count(*)::int as n from api_keys`)[0]).toEqual({ n: 1 });
    } finally {
      await db.end({ timeout: 2 });
    }
    for (const p of processes) p.child.kill("SIGTERM");
    expect(await Promise.all(processes.map((p) => p.exit))).toEqual([0, 0, 0]);
  }, 120_000);
}, ["postgres"]);
