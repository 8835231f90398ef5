import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../src/config.ts";
import { startService } from "../src/main.ts";

// These tests start the CLI as child processes (tsx compiles it each time): on a loaded 2-core
// machine one start takes 5–10 s, so the default 30 s is too short for a test that runs several.
vi.setConfig({ testTimeout: 120_000 });

const log = pino({ level: "silent" });
const bin = join(import.meta.dirname, "../bin/vigil.js");

describe("service lifecycle (embedded database on disk)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "vigil-main-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", VIGIL_DATA_DIR: dataDir, LOG_LEVEL: "silent" });

  it("first start prints a key; a restart keeps the data and the key still works", async () => {
    const first = await startService(config, log);
    expect(first.createdKey).toMatch(/^vgl_/);
    const url = `http://127.0.0.1:${first.port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const auth = { authorization: `Bearer ${first.createdKey}` };
    expect((await fetch(`${url}/api/v1/whoami`, { headers: auth })).status).toBe(200);
    await first.shutdown();

    const second = await startService(config, log);
    try {
      expect(second.createdKey).toBeUndefined();
      const res = await fetch(`http://127.0.0.1:${second.port}/api/v1/whoami`, { headers: auth });
      expect(res.status).toBe(200);
    } finally {
      await second.shutdown();
    }
  });

  it("a second process cannot open the same data directory", async () => {
    const service = await startService(config, log);
    try {
      const other = spawnSync(process.execPath, [bin, "keys", "list"], {
        env: { ...process.env, VIGIL_DATA_DIR: dataDir, DATABASE_URL: "" },
        encoding: "utf8",
      });
      expect(other.status).not.toBe(0);
      expect(other.stderr).toContain("in use by another Vigil process");
    } finally {
      await service.shutdown();
    }
  });

  it("shutdown finishes in-flight requests, refuses new ones, then closes the database", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const service = await startService(config, log, {
      beforeListen: (app) =>
        app.get("/test/slow", async (c) => {
          entered();
          await gate;
          // The database must still be open while a request is in flight.
          await service.deps.database.ping();
          return c.json({ done: true });
        }),
    });
    const url = `http://127.0.0.1:${service.port}`;
    const slow = fetch(`${url}/test/slow`);
    await inside;
    const stopped = service.shutdown();
    await new Promise((r) => setTimeout(r, 100));
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    release();
    const res = await slow;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await stopped;
    await expect(service.deps.database.ping()).rejects.toThrow();
  });

  it("an idle keep-alive connection outlives Node's 5 s default (clients reuse it), and shutdown still closes it", async () => {
    const service = await startService(config, log);
    const socket = connect(service.port, "127.0.0.1");
    let received = "";
    socket.on("data", (d) => {
      received += d.toString();
    });
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    const responses = () => received.match(/HTTP\/1\.1 \d+/g) ?? [];
    const get = async (n: number) => {
      socket.write("GET /healthz HTTP/1.1\r\nHost: vigil\r\nConnection: keep-alive\r\n\r\n");
      await vi.waitFor(() => expect(responses()).toHaveLength(n), { timeout: 5000 });
    };
    await get(1);
    // Node's default keepAliveTimeout (5 s) closes such a socket about 6 s after its last response.
    await new Promise((r) => setTimeout(r, 7_000));
    expect(socket.destroyed).toBe(false);
    await get(2);
    expect(responses()).toEqual(["HTTP/1.1 200", "HTTP/1.1 200"]);
    await service.shutdown();
    await closed; // the idle socket does not keep shutdown waiting 65 s
  }, 60_000);

  it("shutdown closes a keep-alive connection once its in-flight response is sent, not after VIGIL_SHUTDOWN_TIMEOUT", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // Far beyond this test's own timeout: waiting for it fails the test.
    const service = await startService({ ...config, VIGIL_SHUTDOWN_TIMEOUT: 600 }, log, {
      beforeListen: (app) =>
        app.get("/test/slow", async (c) => {
          await gate;
          return c.json({ done: true });
        }),
    });
    const socket = connect(service.port, "127.0.0.1");
    let received = "";
    socket.on("data", (d) => {
      received += d.toString();
    });
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    socket.write("GET /test/slow HTTP/1.1\r\nHost: vigil\r\nConnection: keep-alive\r\n\r\n");
    await new Promise((r) => setTimeout(r, 200));
    const stopped = service.shutdown();
    release();
    await closed;
    await stopped;
    expect(received).toMatch(/^HTTP\/1\.1 200[\s\S]*\{"done":true\}$/);
  }, 60_000);
});

describe("cli", () => {
  it("bad environment: exits non-zero with one clear line, no stack trace", () => {
    const run = spawnSync(process.execPath, [bin, "serve"], {
      env: { ...process.env, PORT: "abc" },
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^vigil: Invalid configuration: PORT: .*"abc"/);
  });

  it("--help lists the commands", () => {
    const run = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    expect(run.status).toBe(0);
    for (const command of ["serve", "worker", "migrate", "keys"]) expect(run.stdout).toContain(command);
  });
});
