/**
 * `vigil serve` as its own process for the benches that measure it over HTTP: a free loopback port,
 * the given environment (an empty value removes a variable: no DATABASE_URL is the embedded
 * database), jobs off, ready once /readyz answers; and what the process used (peak RSS, CPU time).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startServer(
  key: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === "") delete merged[k];
  const child = spawn(
    process.execPath,
    [...nodeArgs, join(import.meta.dirname, "../bin/vigil.js"), "serve"],
    {
      env: {
        ...merged,
        PORT: String(port),
        HOST: "127.0.0.1",
        VIGIL_API_KEY: key,
        LOG_LEVEL: "warn",
        VIGIL_RUN_JOBS: "false",
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return { child, base };
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the Vigil server did not become ready");
}

export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** BENCH_SERVER_NODE_ARGS: extra node flags for the server alone (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"). */
export const serverNodeArgs = (): string[] =>
  (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);

/** The process's peak resident memory (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** USER_HZ: the unit of /proc CPU times, 100 on every Linux Node.js runs on. */
const CLOCK_TICKS = 100;

/** CPU seconds the process (every thread) has used, user and system. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
