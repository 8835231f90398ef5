import { spawnSync } from "node:child_process";
import { join } from "node:path";
import pino from "pino";
import { expect, it, vi } from "vitest";
import { loadConfig } from "../src/config.ts";
import { startService } from "../src/main.ts";
import { describeEachDatabase } from "./helpers/db.ts";

// These tests start the CLI as child processes (tsx compiles it each time): on a loaded 2-core
// machine one start takes 5–10 s, so the default 30 s is too short for a test that runs several.
vi.setConfig({ testTimeout: 120_000 });

const bin = join(import.meta.dirname, "../bin/vigil.js");

// Two processes (service and CLI) can share a database only on a server: the embedded one is
// locked to one process (see main.test.ts), so this suite runs on Postgres alone.
describeEachDatabase(
  "vigil keys against a running service",
  (db) => {
    it("create → works, list shows prefix only, revoke → 401", async () => {
      const env = { ...process.env, DATABASE_URL: db.url!, LOG_LEVEL: "silent" };
      const service = await startService(
        loadConfig({
          DATABASE_URL: db.url!,
          PORT: "0",
          HOST: "127.0.0.1",
          LOG_LEVEL: "silent",
          VIGIL_API_KEY: "vgl_ci-key-0000000000000000",
        }),
        pino({ level: "silent" }),
        { database: db.database },
      );
      try {
        const created = spawnSync(process.execPath, [bin, "keys", "create", "--project", "ml-team"], {
          env,
          encoding: "utf8",
        });
        expect(created.status, created.stderr).toBe(0);
        const key = /vgl_[A-Za-z0-9_-]+/.exec(created.stdout)?.[0];
        expect(key).toBeDefined();
        const url = `http://127.0.0.1:${service.port}/api/v1/whoami`;
        const who = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
        expect(await who.json()).toMatchObject({ project: { name: "ml-team" } });

        const listed = spawnSync(process.execPath, [bin, "keys", "list", "--project", "ml-team", "--json"], {
          env,
          encoding: "utf8",
        });
        const rows = JSON.parse(listed.stdout) as Array<{ id: string; prefix: string }>;
        expect(rows).toHaveLength(1);
        expect(listed.stdout).not.toContain(key!);
        expect(key!.startsWith(rows[0]!.prefix)).toBe(true);

        const revoked = spawnSync(process.execPath, [bin, "keys", "revoke", rows[0]!.id], {
          env,
          encoding: "utf8",
        });
        expect(revoked.status, revoked.stderr).toBe(0);
        // The service cached the key; the CLI's revocation reaches it by NOTIFY, not by a 30 s TTL.
        await expect
          .poll(async () => (await fetch(url, { headers: { authorization: `Bearer ${key}` } })).status, {
            timeout: 3000,
          })
          .toBe(401);
        const again = spawnSync(process.execPath, [bin, "keys", "revoke", rows[0]!.id], {
          env,
          encoding: "utf8",
        });
        expect(again.status).toBe(1);
        expect(again.stderr).toContain("no active key");
      } finally {
        // The suite owns the database; the service must not close it.
        await service.jobs.stop(2000);
        service.server.close();
      }
    });
  },
  ["postgres"],
);
