/**
 * `npm run bench:demo`: how long a new user waits for `vigil demo` — from the command to the
 * printed URL and key, with every page's data in place — against the bare start of the same
 * embedded Vigil (the baseline, measured in the same runs: the time until "Vigil is up").
 *
 *   npm run bench:demo -- [runs=3]
 */
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";

const runs = Number(process.argv[2] ?? 3);
const bin = join(import.meta.dirname, "../bin/vigil.js");

interface Run {
  upMs: number;
  readyMs: number;
  stopMs: number;
  spans: number;
  predictions: number;
}

function once(): Promise<Run> {
  const { VIGIL_URL: _u, VIGIL_API_KEY: _k, DATABASE_URL: _d, ...env } = process.env;
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, "demo", "--port", "0", "--json"], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let upMs = 0;
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (b: Buffer) => {
      stderr += b;
      if (!upMs && stderr.includes("Vigil is up")) upMs = performance.now() - t0;
    });
    child.stdout.on("data", (b: Buffer) => {
      stdout += b;
      if (!stdout.endsWith("\n")) return;
      const readyMs = performance.now() - t0;
      const result = JSON.parse(stdout);
      const t1 = performance.now();
      child.once("exit", (code) =>
        code === 0
          ? resolve({
              upMs,
              readyMs,
              stopMs: performance.now() - t1,
              spans: result.traces.spans,
              predictions: result.predictions.inserted,
            })
          : reject(new Error(`exit ${code}\n${stderr}`)),
      );
      child.kill("SIGINT");
    });
    child.once("exit", (code) => {
      if (!stdout) reject(new Error(`vigil demo exited ${code} before it was ready:\n${stderr}`));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

console.log(`vigil demo, ${runs} runs (load ${loadavg()[0]!.toFixed(1)})`);
const all: Run[] = [];
for (let i = 0; i < runs; i++) {
  const r = await once();
  all.push(r);
  console.log(
    `  run ${i + 1}: up ${s(r.upMs)}, ready ${s(r.readyMs)} (story ${s(r.readyMs - r.upMs)}), ` +
      `stopped in ${s(r.stopMs)}; ${r.spans} spans, ${r.predictions} predictions`,
  );
}
const up = median(all.map((r) => r.upMs));
const ready = median(all.map((r) => r.readyMs));
console.log(
  `median: ready in ${s(ready)} = ${(ready / up).toFixed(2)}× the bare start (${s(up)}); ` +
    `the story itself ${s(ready - up)}; target: ready < 60 s`,
);
console.log(`load after: ${loadavg()[0]!.toFixed(1)}`);
