import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ApiRequestError,
  ApiUnreachableError,
  apiClient,
  MAX_RETRY_AFTER_SECONDS,
  retryDelayMs,
} from "../../src/http/api-client.ts";

/**
 * The CLI client's own behaviour (retries, Retry-After, error shapes) against a loopback server
 * that answers from a script: the busy and failing answers a real Vigil gives only under load.
 * The happy paths against the real app are in test/schemas/cli-remote.test.ts and test/rag/cli.test.ts.
 */
type Answer = { status: number; body?: string; headers?: Record<string, string> };
const seen: { method: string; url: string; auth?: string; type?: string; body: string; at: number }[] = [];
let script: Answer[] = [];
let server: Server;
let env: NodeJS.ProcessEnv;

const read = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
};

beforeAll(async () => {
  server = createServer(async (req, res) => {
    seen.push({
      method: req.method!,
      url: req.url!,
      auth: req.headers.authorization,
      type: req.headers["content-type"],
      body: await read(req),
      at: performance.now(),
    });
    const answer = script.shift() ?? { status: 500, body: "script exhausted" };
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    res.end(answer.body ?? "");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  env = {
    VIGIL_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    VIGIL_API_KEY: "k".repeat(20),
  };
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
  script = [];
});

describe("apiClient", () => {
  it("needs VIGIL_API_KEY, and drops VIGIL_URL's trailing slash", () => {
    expect(() => apiClient({ VIGIL_URL: env.VIGIL_URL })).toThrow(/VIGIL_API_KEY/);
    expect(apiClient(env).base).toBe(env.VIGIL_URL!.replace(/\/$/, ""));
  });

  it("retries a 429 after Retry-After seconds, then a 503 with backoff, sending the same request each time", async () => {
    script = [
      { status: 429, headers: { "retry-after": "1" }, body: '{"error":{"code":"busy","message":"busy"}}' },
      { status: 503 },
      { status: 200, body: '{"ok":true}' },
    ];
    const answer = await apiClient(env).post<{ ok: boolean }>("/api/v1/things", { a: 1 });
    expect(answer).toEqual({ ok: true });
    expect(seen).toHaveLength(3);
    for (const r of seen)
      expect(r).toMatchObject({
        method: "POST",
        url: "/api/v1/things",
        auth: `Bearer ${env.VIGIL_API_KEY}`,
        type: "application/json",
        body: '{"a":1}',
      });
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950); // Retry-After: 1
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(950); // second backoff step: 1 s
  });

  it("gives up after its attempts with the last status, and reports the server's error object", async () => {
    script = [
      { status: 503 },
      { status: 503, body: '{"error":{"code":"database_unavailable","message":"db down"}}' },
    ];
    const busy = await apiClient(env, fetch, { attempts: 2 })
      .get("/x")
      .catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(ApiRequestError);
    expect(busy).toMatchObject({ status: 503, code: "database_unavailable", message: "503 db down" });

    script = [
      {
        status: 400,
        body: '{"error":{"code":"bad_request","message":"fields: required","details":[{"path":"fields"}]}}',
      },
    ];
    const bad = await apiClient(env)
      .get("/x")
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({
      status: 400,
      code: "bad_request",
      message: "400 fields: required",
      details: [{ path: "fields" }],
    });
    expect(seen).toHaveLength(3); // a 400 is not retried
  });

  it("sends query strings without undefined values, and text bodies with their content type", async () => {
    script = [{ status: 200, body: "[]" }, { status: 204 }];
    const client = apiClient(env);
    expect(await client.get("/q", { a: "x y", n: 2, skip: undefined, b: false })).toEqual([]);
    expect(
      await client.request("PUT", "/t", { text: "a: 1\n", contentType: "application/yaml" }),
    ).toBeUndefined();
    expect(seen.map((r) => [r.method, r.url, r.type ?? null, r.body])).toEqual([
      ["GET", "/q?a=x+y&n=2&b=false", null, ""],
      ["PUT", "/t", "application/yaml", "a: 1\n"],
    ]);
  });

  it("a 200 that is not JSON (a proxy's page) is an error, not undefined", async () => {
    script = [{ status: 200, body: "<html>hi</html>", headers: { "content-type": "text/html" } }];
    await expect(apiClient(env).get("/page")).rejects.toThrow(/GET \/page: the answer is not JSON/);
  });

  it("an unreachable server is an ApiUnreachableError naming the URL and the cause", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const error = await apiClient({ ...env, VIGIL_URL: `http://127.0.0.1:${port}` }, fetch, { attempts: 2 })
      .get("/x")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiUnreachableError);
    expect((error as Error).message).toBe(
      `cannot reach Vigil at http://127.0.0.1:${port} (ECONNREFUSED); is it running? (VIGIL_URL)`,
    );
  });
});

describe("retryDelayMs", () => {
  it("follows Retry-After seconds up to the cap, else backs off exponentially", () => {
    expect(retryDelayMs("2", 0)).toBe(2000);
    expect(retryDelayMs("86400", 0)).toBe(MAX_RETRY_AFTER_SECONDS * 1000);
    expect(retryDelayMs(null, 0)).toBe(500);
    expect(retryDelayMs(null, 3)).toBe(4000);
    // An HTTP-date or garbage is not seconds: back off instead.
    expect(retryDelayMs("Wed, 21 Oct 2015 07:28:00 GMT", 1)).toBe(1000);
    expect(retryDelayMs("0", 1)).toBe(1000);
  });
});
