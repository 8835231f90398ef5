import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fingerprintException, maskMessage, normaliseFrame } from "../../src/traces/fingerprint.ts";
import { detectFormat, parseStack } from "../../src/traces/stack.ts";

type Sample = { type: string; message: string; stacktrace: string };
const load = (name: string): Record<string, Sample> =>
  JSON.parse(readFileSync(join(import.meta.dirname, "fixtures/stacks", `${name}.json`), "utf8"));
// Real traces, produced by fixtures/stacks/generate.sh with node, python3 (+ numpy) and a JDK.
const js = load("javascript");
const py = load("python");
const java = load("java");
const fp = (s: Sample, service = "checkout") => fingerprintException({ ...s, service }).fingerprint;

describe("stack parsing (real samples)", () => {
  it("detects the format", () => {
    for (const s of Object.values(js)) expect(detectFormat(s.stacktrace)).toBe("javascript");
    for (const s of Object.values(py)) expect(detectFormat(s.stacktrace)).toBe("python");
    for (const s of Object.values(java)) expect(detectFormat(s.stacktrace)).toBe("java");
    expect(detectFormat("just a message")).toBe("unknown");
  });

  it("V8: innermost frame first, node internals and node_modules are not application frames", () => {
    const { frames } = parseStack(js["js-checkout-1"]!.stacktrace);
    expect(frames[0]).toMatchObject({ function: "loadUser", line: 4, inApp: true });
    expect(frames[0]!.file).toMatch(/app\.mjs$/);
    expect(frames[1]).toMatchObject({ function: "checkout", inApp: true });
    const fs = parseStack(js["js-async-fs"]!.stacktrace).frames;
    expect(fs[0]).toMatchObject({ function: "open", file: "node:internal/fs/promises", inApp: false });
    expect(fs.some((f) => f.inApp)).toBe(true);
    const vendored = parseStack(
      "Error: x\n    at Parser.parse (/srv/app/node_modules/pg-protocol/dist/parser.js:39:38)\n    at handle (/srv/app/src/db.js:10:3)",
    ).frames;
    expect(vendored.map((f) => f.inApp)).toEqual([false, true]);
  });

  it("Python: most recent call first, the last traceback of a chain, site-packages and stdlib are library frames", () => {
    const { frames } = parseStack(py["py-checkout-1"]!.stacktrace);
    expect(frames.map((f) => f.function)).toEqual(["load_user", "checkout", "<module>"]);
    expect(frames[0]).toMatchObject({ line: 6, inApp: true });
    const chained = parseStack(py["py-chained"]!.stacktrace).frames;
    expect(chained.map((f) => f.function)).toEqual(["parse_config", "<module>"]);
    const numpy = parseStack(py["py-numpy"]!.stacktrace).frames;
    expect(numpy[0]!.file).toMatch(/site-packages\/numpy\//);
    expect(numpy[0]!.inApp).toBe(false);
    expect(numpy.find((f) => f.inApp)?.function).toBe("invert");
  });

  it("Java: the thrown exception's frames (not its causes), JDK frames are library frames", () => {
    const { frames } = parseStack(java["java-checkout-1"]!.stacktrace);
    expect(frames.map((f) => f.function)).toEqual(["App.loadUser", "App.checkout", "App.main"]);
    expect(frames[0]).toMatchObject({ file: "App.java", line: 6, inApp: true });
    const caused = parseStack(java["java-caused"]!.stacktrace).frames;
    expect(caused.map((f) => f.function)).toEqual(["App.parse", "App.main"]);
    const lambda = parseStack(java["java-lambda"]!.stacktrace).frames;
    expect(lambda.map((f) => [f.function, f.inApp])).toEqual([
      ["App.lambda$main$0", true],
      ["java.lang.Iterable.forEach", false],
      ["App.main", true],
    ]);
  });
});

describe("fingerprints", () => {
  it.each([
    ["javascript", js, "js"],
    ["python", py, "py"],
    ["java", java, "java"],
  ])("%s: same site with different ids → one group; another call site → another group", (_, set, p) => {
    const a = set[`${p}-checkout-1`]!;
    const b = set[`${p}-checkout-2`]!;
    const c = set[`${p}-refund`]!;
    expect(a.message).not.toBe(b.message);
    expect(fp(a)).toBe(fp(b));
    expect(fp(a)).not.toBe(fp(c));
  });

  it("line numbers, paths and memory addresses do not matter", () => {
    const s = js["js-checkout-1"]!;
    const moved = {
      ...s,
      stacktrace: s.stacktrace.replace(/app\.mjs:(\d+)/g, (_, n) => `app.mjs:${Number(n) + 40}`),
    };
    const elsewhere = {
      ...s,
      stacktrace: s.stacktrace.replaceAll("/work/main/test/", "/srv/deploy/releases/42/"),
    };
    expect(fp(moved)).toBe(fp(s));
    expect(fp(elsewhere)).toBe(fp(s));
    expect(
      normaliseFrame({
        function: "App$$Lambda/0x000071b3c8003a00.accept",
        file: "Unknown Source",
        inApp: true,
      }),
    ).toBe(
      normaliseFrame({
        function: "App$$Lambda/0x0000deadbeef0000.accept",
        file: "Unknown Source",
        inApp: true,
      }),
    );
  });

  it("different exception types or services are different groups", () => {
    const s = java["java-checkout-1"]!;
    expect(fp({ ...s, type: "java.lang.RuntimeException" })).not.toBe(fp(s));
    expect(fp(s, "billing")).not.toBe(fp(s, "checkout"));
  });

  it("application frames outrank library frames", () => {
    const r = fingerprintException(py["py-numpy"]!);
    expect("frames" in r.basis && r.basis.frames[0]).toMatch(/^invert @ app\.py$/);
  });

  it("without a stack: the type and the message with ids masked", () => {
    const a = fingerprintException({
      type: "TimeoutError",
      message: "query 8812 timed out after 30.5s",
      stacktrace: "",
    });
    const b = fingerprintException({
      type: "TimeoutError",
      message: "query 17 timed out after 12s",
      stacktrace: "",
    });
    const c = fingerprintException({ type: "TimeoutError", message: "lock not acquired", stacktrace: "" });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.fingerprint).not.toBe(c.fingerprint);
    expect(a.basis).toEqual({ type: "TimeoutError", message: "query <n> timed out after <n>s" });
    expect(maskMessage("user 3f2b9c1e-1d2a-4c3b-9e8f-0a1b2c3d4e5f (ann@example.com) at 0x7ffe12 'x'")).toBe(
      "user <uuid> (<email>) at <hex> <str>",
    );
  });
});
