import { afterEach, describe, expect, it } from "vitest";
import { ThreadPool } from "../../src/lib/thread-pool.ts";
import { runOwnProcess } from "../helpers/own-process.ts";
import { type EchoIn, echo } from "./fixtures/echo.ts";

class Coded extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const entry = new URL("./fixtures/echo-thread.mjs", import.meta.url);
const pools: ThreadPool<EchoIn, ReturnType<typeof echo>>[] = [];
const pool = (size: number) => {
  const p = new ThreadPool<EchoIn, ReturnType<typeof echo>>(size, {
    name: "echo thread",
    entry,
    inline: echo,
    youngGenerationMb: 16,
    transfer: (input) => (input.bytes ? [input.bytes.buffer as ArrayBuffer] : []),
    revive: (e) => (typeof e.code === "string" ? new Coded(e.message, e.code) : undefined),
  });
  pools.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe("ThreadPool", () => {
  it("size 0 runs the work inline, on the main thread", async () => {
    await expect(pool(0).run({ n: 2 })).resolves.toEqual({ doubled: 4, sum: 0, threadId: 0 });
  });

  it("answers from a thread what the work answers inline, and hands buffers over", async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const out = await pool(1).run({ n: 21, bytes });
    expect(out).toMatchObject({ doubled: 42, sum: 6 });
    expect(out.threadId).toBeGreaterThan(0);
    expect(bytes.buffer.byteLength).toBe(0); // transferred, not copied
  });

  it("reuses an idle thread, adds threads up to size under load, then picks the least busy", async () => {
    const p = pool(2);
    const first = await p.run({ n: 1 });
    expect((await p.run({ n: 1 })).threadId).toBe(first.threadId);
    const busy = await Promise.all([
      p.run({ n: 1, spinMs: 150 }),
      p.run({ n: 1, spinMs: 150 }),
      p.run({ n: 1 }),
      p.run({ n: 1 }),
    ]);
    const threads = busy.map((o) => o.threadId);
    expect(new Set(threads).size).toBe(2);
    // Tasks 3 and 4 went one to each thread (each then owed one answer), not both to one.
    expect(threads[2]).not.toBe(threads[3]);
  });

  it("errors come back as the caller's own when revive knows them, else with the thread's stack", async () => {
    const p = pool(1);
    const coded = await p.run({ n: 9, fail: "range" }).catch((e: unknown) => e);
    expect(coded).toBeInstanceOf(Coded);
    expect(coded).toMatchObject({ code: "too_big", message: expect.stringMatching(/n 9 is too big/) });
    const plain = await p.run({ n: 1, fail: "type" }).catch((e: unknown) => e);
    expect(plain).not.toBeInstanceOf(Coded);
    expect((plain as Error).message).toMatch(/^echo thread: TypeError: not a number\n\s+at echo/);
    await expect(p.run({ n: 1 })).resolves.toMatchObject({ doubled: 2 }); // the thread lives on
  });

  it("a thread that ends fails what it owed, and the next task gets a new thread", async () => {
    const p = pool(1);
    const before = await p.run({ n: 1 });
    await expect(p.run({ n: 1, fail: "exit" })).rejects.toThrow(/echo thread exited with code 3/);
    const after = await p.run({ n: 1 });
    expect(after.threadId).not.toBe(before.threadId);
  });

  it("close fails what is owed", async () => {
    const p = pool(1);
    const pending = p.run({ n: 1, spinMs: 2000 });
    await p.close();
    await expect(pending).rejects.toThrow(/exited/);
  });

  it("keeps the process alive only while a thread owes an answer", () => {
    const out = runOwnProcess(`
      import { ThreadPool } from "@src/lib/thread-pool.ts";
      import { echo } from "${new URL("./fixtures/echo.ts", import.meta.url).pathname}";
      const pool = new ThreadPool(1, { name: "echo", entry: new URL("${entry.href}"), inline: echo, youngGenerationMb: 16 });
      console.log((await pool.run({ n: 1, spinMs: 300 })).doubled);
      console.log((await pool.run({ n: 2 })).doubled);
    `);
    expect(out, out.stderr).toMatchObject({ status: 0, signal: null, stdout: "2\n4\n" });
  });
});
