import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, otelEnabled } from "../src/config.ts";

describe("config", () => {
  it("has defaults for an empty environment", () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.VIGIL_DATA_DIR).toBe(".vigil/data");
    expect(config.LOG_LEVEL).toBe("info");
    expect(config.VIGIL_BODY_LIMIT).toBe(16 * 1024 * 1024);
  });

  it("treats empty strings as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" }).PORT).toBe(8080);
  });

  it("parses sizes and numbers", () => {
    const config = loadConfig({ PORT: "9000", VIGIL_BODY_LIMIT: "2mb", VIGIL_RUN_JOBS: "false" });
    expect(config.PORT).toBe(9000);
    expect(config.VIGIL_BODY_LIMIT).toBe(2 * 1024 * 1024);
    expect(config.VIGIL_RUN_JOBS).toBe(false);
  });

  it("retention periods in days: 30 by default, 0 keeps forever, anything but a whole number is refused", () => {
    const keys = [
      "VIGIL_PREDICTION_RETENTION_DAYS",
      "VIGIL_ALERT_PAYLOAD_RETENTION_DAYS",
      "VIGIL_EMBEDDINGS_KEEP_DAYS",
    ] as const;
    for (const key of keys) {
      expect(loadConfig({})[key], key).toBe(30);
      expect(loadConfig({ [key]: "0" })[key], key).toBe(0);
      expect(loadConfig({ [key]: "90" })[key], key).toBe(90);
      for (const bad of ["-1", "1.5", "a week"])
        expect(() => loadConfig({ [key]: bad }), `${key}=${bad}`).toThrow(
          new RegExp(`${key}: expected a whole number of days \\(0 = keep forever\\)`),
        );
    }
  });

  it("alert retry window: 300 s by default, 0 allowed, anything but whole seconds refused", () => {
    expect(loadConfig({}).VIGIL_ALERT_RETRY_WINDOW_SECONDS).toBe(300);
    expect(loadConfig({ VIGIL_ALERT_RETRY_WINDOW_SECONDS: "0" }).VIGIL_ALERT_RETRY_WINDOW_SECONDS).toBe(0);
    for (const bad of ["-5", "1.5", "5m"])
      expect(() => loadConfig({ VIGIL_ALERT_RETRY_WINDOW_SECONDS: bad }), bad).toThrow(
        /VIGIL_ALERT_RETRY_WINDOW_SECONDS: expected whole seconds/,
      );
  });

  it("backend_flush_after: 256kB by default, PostgreSQL's units, 0 for the server's own", () => {
    expect(loadConfig({}).VIGIL_DB_BACKEND_FLUSH_AFTER).toBe("256kB");
    expect(loadConfig({ VIGIL_DB_BACKEND_FLUSH_AFTER: "1MB" }).VIGIL_DB_BACKEND_FLUSH_AFTER).toBe("1MB");
    expect(loadConfig({ VIGIL_DB_BACKEND_FLUSH_AFTER: "0" }).VIGIL_DB_BACKEND_FLUSH_AFTER).toBe("0");
    expect(() => loadConfig({ VIGIL_DB_BACKEND_FLUSH_AFTER: "256; drop" })).toThrow(
      /VIGIL_DB_BACKEND_FLUSH_AFTER: expected a size PostgreSQL understands/,
    );
  });

  it("rejects a bad PORT with one line naming the variable and value", () => {
    expect(() => loadConfig({ PORT: "abc" })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: "abc" });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain("PORT");
      expect(message).toContain('"abc"');
      expect(message).not.toContain("\n");
    }
    expect(() => loadConfig({ PORT: "70000" })).toThrow(/PORT/);
  });

  it("reports every bad variable at once, without echoing secrets", () => {
    const error = (() => {
      try {
        loadConfig({ LOG_LEVEL: "loud", DATABASE_URL: "mysql://u:secret@h/db", VIGIL_API_KEY: "short" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/LOG_LEVEL/);
    expect(error?.message).toMatch(/DATABASE_URL: expected a postgres/);
    expect(error?.message).toMatch(/VIGIL_API_KEY/);
    expect(error?.message).not.toContain("secret");
  });

  it("turns self-telemetry on only when an exporter is configured", () => {
    expect(otelEnabled(loadConfig({}))).toBe(false);
    expect(otelEnabled(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }))).toBe(true);
    expect(otelEnabled(loadConfig({ OTEL_TRACES_EXPORTER: "none" }))).toBe(false);
    expect(
      otelEnabled(
        loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" }),
      ),
    ).toBe(false);
  });

  describe("GitHub App", () => {
    const pem = generateKeyPairSync("rsa", {
      modulusLength: 1024,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }).privateKey;
    const app = { GITHUB_APP_ID: "123", GITHUB_WEBHOOK_SECRET: "hook-secret-value" };

    it("is optional, and takes its key inline (\\n escapes too) or from a file", () => {
      expect(loadConfig({}).GITHUB_API_URL).toBe("https://api.github.com");
      expect(() => loadConfig({ ...app, GITHUB_PRIVATE_KEY: pem })).not.toThrow();
      expect(() => loadConfig({ ...app, GITHUB_PRIVATE_KEY: pem.replace(/\n/g, "\\n") })).not.toThrow();
      const dir = mkdtempSync(join(tmpdir(), "vigil-key-"));
      writeFileSync(join(dir, "app.pem"), pem);
      expect(() => loadConfig({ ...app, GITHUB_PRIVATE_KEY_PATH: join(dir, "app.pem") })).not.toThrow();
      expect(() => loadConfig({ ...app, GITHUB_PRIVATE_KEY_PATH: join(dir, "missing.pem") })).toThrow(
        /GITHUB_PRIVATE_KEY_PATH: cannot read the key file \(ENOENT\)/,
      );
    });

    it("wants all of id, key and webhook secret, a key that is one, and never echoes the secret", () => {
      expect(() => loadConfig({ GITHUB_APP_ID: "123" })).toThrow(
        /GITHUB_WEBHOOK_SECRET: required with the other GITHUB_\* App variables; GITHUB_PRIVATE_KEY: required/,
      );
      expect(() => loadConfig({ ...app, GITHUB_PRIVATE_KEY: "not a key" })).toThrow(
        /GITHUB_PRIVATE_KEY: not a PEM private key/,
      );
      expect(() => loadConfig({ ...app, GITHUB_PRIVATE_KEY: pem, GITHUB_PRIVATE_KEY_PATH: "/x" })).toThrow(
        /not both/,
      );
      const error = (() => {
        try {
          loadConfig({
            GITHUB_WEBHOOK_SECRET: "hook-secret-value",
            GITHUB_APP_ID: "abc",
            GITHUB_PRIVATE_KEY: pem,
          });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error?.message).toMatch(/GITHUB_APP_ID: expected the App's numeric id/);
      expect(error?.message).not.toContain("hook-secret-value");
      expect(() => loadConfig({ VIGIL_SECRET_KEY: "short" })).toThrow(
        /VIGIL_SECRET_KEY: must be at least 32 characters/,
      );
    });
  });
});
