import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { join } from "node:path";
import postgres from "postgres";
import { TEST_DATABASE_URL } from "../helpers/db.ts";

/** Real `vigil` processes and scratch databases for the slow reliability tests. */

const bin = join(import.meta.dirname, "../../bin/vigil.js");

export interface VigilProcess {
  command: "serve" | "worker";
  child: ChildProcess;
  /** stdout and stderr so far (the last 200 kB). */
  output(): string;
  /** The exit code, or the signal's name. */
  exit: Promise<number | string | null>;
}

const running = new Set<VigilProcess>();
// Should the test process end without its afterAll (a crash, a timeout), no child outlives it.
process.once("exit", () => {
  for (const proc of running) proc.child.kill("SIGKILL");
});

/** `vigil serve|worker` as its own process; resolves once it says it is up. Rejects if it exits first. */
export function startVigil(
  command: "serve" | "worker",
  env: NodeJS.ProcessEnv,
  timeoutMs = 180_000,
): Promise<VigilProcess> {
  const child = spawn(process.execPath, [bin, command], {
    // A worker says it is up in its log, at info.
    env: { ...process.env, ...env, ...(command === "worker" ? { LOG_LEVEL: "info" } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const proc: VigilProcess = {
    command,
    child,
    output: () => text,
    exit: new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal))),
  };
  running.add(proc);
  void proc.exit.then(() => running.delete(proc));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`vigil ${command} did not start in ${timeoutMs} ms:\n${text.slice(-4000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      text = (text + chunk.toString()).slice(-200_000);
      if (/Vigil is up on|vigil worker running/.test(text)) {
        clearTimeout(timer);
        resolve(proc);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void proc.exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`vigil ${command} exited (${code}) before it was up:\n${text.slice(-4000)}`));
    });
  });
}

/** kill -9, and wait until the process is gone. */
export async function killHard(proc: VigilProcess): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGKILL");
  await proc.exit;
}

/** For afterAll: every process started here and still running, killed (-9) and waited for. */
export async function killAllVigils(): Promise<void> {
  await Promise.all([...running].map(killHard));
}

/** A loopback port free right now (the server is started on it later, and again after each kill). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An empty, uniquely named database on the shared local server; `drop` removes it (forcibly). */
export async function scratchDatabase(
  label: string,
  server = TEST_DATABASE_URL,
): Promise<{ url: string; sql: postgres.Sql; drop(): Promise<void> }> {
  const name = `vigil_rel_${label}_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
  return {
    url: url.toString(),
    sql,
    async drop() {
      await sql.end({ timeout: 2 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 2 });
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true, or throws after `timeoutMs` with `what`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}
