/**
 * `vigil serve` as its own process for the benches that measure it over HTTP: a free loopback port,
 * the given environment (an empty value removes a variable: no DATABASE_URL is the embedded
 * database), jobs off, ready once /readyz answers.
 */
import { type ChildProcess, spawn } from "node:child_process";
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
