/**
 * npm run bench:drift — drift statistics in TypeScript vs scipy, side by side in one run.
 *
 * 1. KS, Wasserstein, Cramér–von Mises and PSI on 10k, 100k and 1M values per sample (the same
 *    Float64 data is written to a temp file and timed in scipy/numpy when python3 + scipy exist).
 *    Each timing includes sorting (the TS side sorts each sample once), median of 3 runs.
 * 2. compareDatasets on 50 columns × 100k rows (in-memory), and the same through the HTTP route
 *    as a multipart CSV upload, each in a child process so its peak RSS is its own.
 * Targets (issue 4): TS ≤ 0.5× scipy at 1M; 50×100k compare < 2 s with peak RSS < 500 MB.
 */
import { spawnSync } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binNumeric, binNumericSorted } from "../src/drift/stats/binning.ts";
import { wassersteinNormedSorted } from "../src/drift/stats/cdf-distance.ts";
import { cramerVonMisesSorted } from "../src/drift/stats/cvm.ts";
import { psi } from "../src/drift/stats/divergence.ts";
import { generateSample } from "../src/drift/stats/generate.ts";
import { compareDatasets, type Dataset } from "../src/drift/stats/index.ts";
import { ksTestSorted } from "../src/drift/stats/ks.ts";
import { sortedCopy } from "../src/drift/stats/numeric.ts";

type Fn = (a: Float64Array, b: Float64Array) => number;

const TESTS: Record<string, Fn> = {
  ks: (a, b) => ksTestSorted(sortedCopy(a), sortedCopy(b)).pValue,
  wasserstein: (a, b) => wassersteinNormedSorted(sortedCopy(a), sortedCopy(b)),
  cramer_von_mises: (a, b) => cramerVonMisesSorted(sortedCopy(a), sortedCopy(b)).pValue,
  psi: (a, b) => {
    const bins = binNumeric(a, b);
    return psi(bins.reference, bins.current);
  },
  // compareDatasets' path: the column is sorted once for all its tests, so PSI gets sorted samples
  // (the sort is not timed here; numpy's side is the same full psi() as above).
  psi_presorted: (a, b) => {
    const bins = binNumericSorted(presorted(a), presorted(b));
    return psi(bins.reference, bins.current);
  },
};

const sortedCache = new WeakMap<Float64Array, Float64Array>();
function presorted(a: Float64Array): Float64Array {
  let s = sortedCache.get(a);
  if (!s) {
    s = sortedCopy(a);
    sortedCache.set(a, s);
  }
  return s;
}

const PY = String.raw`
import json, sys, time
import numpy as np
from scipy import stats
d = sys.argv[1]
sizes = json.loads(sys.argv[2])
def psi(a, b):
    e = np.histogram_bin_edges(np.concatenate([a, b]), bins=30)
    p = np.histogram(a, e)[0] / len(a); q = np.histogram(b, e)[0] / len(b)
    for v in (p, q):
        nz = v[v != 0].min(); v[v == 0] = nz / 1e6 if nz <= 1e-4 else 1e-4
    return np.sum((p - q) * np.log(p / q))
fns = {
  "ks": lambda a, b: stats.ks_2samp(a, b).pvalue,
  "wasserstein": lambda a, b: stats.wasserstein_distance(a, b) / max(np.std(a), 0.001),
  "cramer_von_mises": lambda a, b: stats.cramervonmises_2samp(a, b).pvalue,
  "psi": psi,
  "psi_presorted": psi,
}
out = {}
for n in sizes:
    a = np.fromfile(f"{d}/a{n}.f64"); b = np.fromfile(f"{d}/b{n}.f64")
    for name, f in fns.items():
        ts = []
        for _ in range(3):
            t0 = time.perf_counter(); v = f(a, b); ts.append(time.perf_counter() - t0)
        out[f"{name}:{n}"] = dict(ms=sorted(ts)[1] * 1000, value=float(v))
print(json.dumps(out))
`;

function median3(fn: () => number): { ms: number; value: number } {
  const times: number[] = [];
  let value = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    value = fn();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return { ms: times[1]!, value };
}

function sideBySide(): void {
  const sizes = [10_000, 100_000, 1_000_000];
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-drift-"));
  const data = new Map<number, [Float64Array, Float64Array]>();
  for (const n of sizes) {
    const a = generateSample({ dist: "normal", n, seed: 1 });
    const b = generateSample({ dist: "normal", n, seed: 2, loc: 0.01, scale: 1.02 });
    data.set(n, [a, b]);
    writeFileSync(join(dir, `a${n}.f64`), new Uint8Array(a.buffer));
    writeFileSync(join(dir, `b${n}.f64`), new Uint8Array(b.buffer));
  }
  let py: Record<string, { ms: number; value: number }> | undefined;
  const run = spawnSync("python3", ["-c", PY, dir, JSON.stringify(sizes)], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
  });
  if (run.status === 0) py = JSON.parse(run.stdout);
  else
    console.log(
      `(scipy not available: ${run.error?.message ?? run.stderr.trim().split("\n").at(-1)}) — TS only`,
    );
  rmSync(dir, { recursive: true, force: true });

  console.log("test               n        TS ms   scipy ms   TS/scipy   agree");
  for (const n of sizes) {
    const [a, b] = data.get(n)!;
    for (const [name, fn] of Object.entries(TESTS)) {
      fn(a, b); // warm-up (JIT)
      const ts = median3(() => fn(a, b));
      const ref = py?.[`${name}:${n}`];
      const ratio = ref ? (ts.ms / ref.ms).toFixed(2) : "—";
      const agree = ref
        ? Math.abs(ts.value - ref.value) <= 1e-9 * Math.abs(ref.value) + 1e-14
          ? "yes"
          : `NO (${ref.value})`
        : "";
      console.log(
        `${name.padEnd(17)}  ${String(n).padStart(7)}  ${ts.ms.toFixed(1).padStart(7)}  ${(ref ? ref.ms.toFixed(1) : "—").padStart(8)}  ${ratio.padStart(8)}   ${agree}`,
      );
    }
  }
}

/** 50 columns × 100k rows: 40 numerical (default → Wasserstein), 10 integer-coded categorical (→ JS). */
function wideDataset(seedBase: number, shift: number): Dataset {
  const d: Dataset = {};
  for (let c = 0; c < 40; c++) {
    d[`num${c}`] = generateSample({
      dist: "normal",
      n: 100_000,
      seed: seedBase + c,
      loc: c % 4 === 0 ? shift : 0,
    });
  }
  for (let c = 0; c < 10; c++)
    d[`cat${c}`] = generateSample({ dist: "int", n: 100_000, seed: seedBase + 100 + c, scale: 6 });
  return d;
}

function toCsv(d: Dataset): string {
  const names = Object.keys(d);
  const cols = names.map((n) => d[n] as Float64Array);
  const lines = [names.join(",")];
  for (let i = 0; i < 100_000; i++) lines.push(cols.map((c) => String(c[i])).join(","));
  return `${lines.join("\n")}\n`;
}

const BOUNDARY = "vigil-bench-boundary";

/** A multipart body streamed from the files on disk, as an HTTP client would send it. */
async function* multipartFromFiles(files: [field: string, path: string][]): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  for (const [field, path] of files) {
    yield enc.encode(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="${field}.csv"\r\n` +
        "Content-Type: text/csv\r\n\r\n",
    );
    for await (const chunk of createReadStream(path)) yield chunk as Uint8Array;
    yield enc.encode("\r\n");
  }
  yield enc.encode(`--${BOUNDARY}--\r\n`);
}

async function wide(mode: "engine" | "route", dir?: string): Promise<void> {
  let ms: number;
  let drifted: number;
  if (mode === "engine") {
    const ref = wideDataset(1000, 0);
    const cur = wideDataset(2000, 0.5);
    const t0 = performance.now();
    const r = compareDatasets(ref, cur);
    ms = performance.now() - t0;
    drifted = r.driftedColumns;
  } else {
    // The CSV files were written by the parent; this process only streams them through the route,
    // so its peak RSS is the server side's (busboy + CSV reader + typed columns + engine).
    const { driftRoutes } = await import("../src/drift/compare/routes.ts");
    const app = driftRoutes({ config: { VIGIL_UPLOAD_LIMIT: 512 * 1024 * 1024 } } as never);
    const files: [string, string][] = [
      ["reference", join(dir!, "ref.csv")],
      ["current", join(dir!, "cur.csv")],
    ];
    const t0 = performance.now();
    const res = await app.request("/api/v1/drift/compare", {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      body: ReadableStream.from(multipartFromFiles(files)),
      duplex: "half",
    } as RequestInit);
    const body = (await res.json()) as { driftedColumns: number };
    ms = performance.now() - t0;
    drifted = body.driftedColumns;
  }
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ mode, ms, drifted, peakRssMb: rss }));
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (arg === "engine" || arg === "route") return wide(arg, process.argv[3]);
  console.log(`node ${process.version}, ${new Date().toISOString()}\n`);
  sideBySide();
  console.log("\n50 columns × 100k rows (40 numerical → Wasserstein, 10 categorical → Jensen–Shannon)");
  const dir = mkdtempSync(join(tmpdir(), "vigil-bench-wide-"));
  writeFileSync(join(dir, "ref.csv"), toCsv(wideDataset(1000, 0)));
  writeFileSync(join(dir, "cur.csv"), toCsv(wideDataset(2000, 0.5)));
  const mb = (f: string) => (statSync(join(dir, f)).size / 1e6).toFixed(0);
  console.log(`(CSV files: reference ${mb("ref.csv")} MB, current ${mb("cur.csv")} MB)`);
  for (const mode of ["engine", "route"] as const) {
    const child = spawnSync(process.execPath, ["--import", "tsx", process.argv[1]!, mode, dir], {
      encoding: "utf8",
    });
    const line = child.stdout.trim().split("\n").at(-1) ?? "";
    try {
      const r = JSON.parse(line) as { ms: number; drifted: number; peakRssMb: number };
      const what =
        mode === "engine" ? "compareDatasets (in-memory columns)" : "POST multipart CSV (stream + compare)";
      console.log(
        `${what.padEnd(38)} ${r.ms.toFixed(0).padStart(6)} ms   peak RSS ${r.peakRssMb.toFixed(0)} MB   drifted ${r.drifted}/50`,
      );
    } catch {
      console.log(`${mode}: failed\n${child.stderr}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

await main();
