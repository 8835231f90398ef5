import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { createGzip, gzipSync } from "node:zlib";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { ApiError, errorBody } from "../errors.ts";
import { decompress, decompressSync } from "./decompress.ts";

const LIMIT = 1024 * 1024;

/** What src/app.ts does with an ApiError, reduced to what these tests look at. */
function appWith(limit = LIMIT) {
  const app = new Hono();
  app.onError((error, c) =>
    error instanceof ApiError
      ? c.json(errorBody(error.code, error.message), error.status)
      : c.json(errorBody("internal", String(error)), 500),
  );
  /** Bytes the route read, counted as they arrived (also when reading then failed). */
  const seen = { bytes: 0, runs: 0, headers: new Headers() };
  app.post("/stream", decompress({ limit }), async (c) => {
    seen.runs++;
    seen.headers = new Headers(c.req.raw.headers);
    const chunks: Uint8Array[] = [];
    for await (const chunk of c.req.raw.body ?? []) {
      seen.bytes += chunk.length;
      chunks.push(chunk);
    }
    return c.body(Buffer.concat(chunks));
  });
  app.post("/text", decompress({ limit }), async (c) => c.json({ text: await c.req.text() }));
  const post = (path: string, body: RequestInit["body"], encoding?: string) =>
    app.request(path, {
      method: "POST",
      body,
      headers: encoding === undefined ? {} : { "content-encoding": encoding },
      duplex: "half",
    } as RequestInit);
  return { post, seen };
}

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;

/** `bytes` zeros, gzipped as a stream (never held inflated): ~1 KB of gzip per MB. */
async function zerosGzipped(bytes: number): Promise<Buffer> {
  const mb = Buffer.alloc(1024 * 1024);
  return buffer(
    Readable.from(
      (function* () {
        for (let left = bytes; left > 0; left -= mb.length) yield mb.subarray(0, Math.min(left, mb.length));
      })(),
    ).pipe(createGzip()),
  );
}

/** A request body sent in `chunk`-byte pieces, counting what the server pulled. */
function counted(bytes: Uint8Array, chunk = 16 * 1024) {
  const pulled = { bytes: 0 };
  let offset = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      const piece = bytes.subarray(offset, offset + chunk);
      offset += piece.length;
      pulled.bytes += piece.length;
      controller.enqueue(piece);
    },
  });
  return { stream, pulled };
}

describe("decompress", () => {
  it("a gzip bomb (200 MB of zeros) is a 413 once the limit is passed: the route never sees more", async () => {
    const bomb = await zerosGzipped(200 * 1024 * 1024);
    const t = appWith();
    // 1 KB pieces: each inflates to about the limit, so how much was read shows where reading stopped.
    const body = counted(bomb, 1024);
    const before = process.memoryUsage();
    const res = await t.post("/stream", body.stream, "gzip");
    const after = process.memoryUsage();
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toEqual({
      code: "payload_too_large",
      message: `Decompressed body exceeds ${LIMIT} bytes`,
    });
    expect(t.seen.bytes).toBeLessThanOrEqual(LIMIT);
    expect(t.seen.bytes).toBeGreaterThan(LIMIT / 2);
    // Reading the request stopped there too (what was read is a few pieces plus read-ahead buffers).
    expect(body.pulled.bytes).toBeLessThan(bomb.length / 2);
    // Nothing near 200 MB was held (heap or buffers).
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    expect(grown).toBeLessThan(50 * 1024 * 1024);
  });

  it("up to the limit inflates whole; one byte more is a 413", async () => {
    const t = appWith();
    const exact = Buffer.alloc(LIMIT, 7);
    const ok = await t.post("/stream", gzipSync(exact), "gzip");
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(exact)).toBe(true);
    expect((await t.post("/stream", gzipSync(Buffer.alloc(LIMIT + 1, 7)), "gzip")).status).toBe(413);
  });

  it("gzip and x-gzip (any case) reach the route inflated, without Content-Encoding or Content-Length", async () => {
    const text = "naïve ☃ ".repeat(10_000);
    for (const encoding of ["gzip", "x-gzip", " GZip "]) {
      const t = appWith();
      const res = await t.post("/text", gzipSync(text), encoding);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ text });
      const streamed = await t.post("/stream", gzipSync(text), encoding);
      expect(await streamed.text()).toBe(text);
      expect(t.seen.headers.get("content-encoding")).toBeNull();
      expect(t.seen.headers.get("content-length")).toBeNull();
    }
  });

  it("identity or no Content-Encoding: the body passes through untouched", async () => {
    for (const encoding of [undefined, "identity", "Identity"]) {
      const t = appWith();
      const res = await t.post("/stream", "not gzip at all", encoding);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("not gzip at all");
      if (encoding) expect(t.seen.headers.get("content-encoding")).toBe(encoding);
    }
    // The limit is on inflating only (the app's body limit covers plain bodies).
    const big = "x".repeat(LIMIT + 10);
    expect((await appWith().post("/stream", big)).status).toBe(200);
  });

  it("a body that is not gzip, or is cut short, is a 400", async () => {
    const t = appWith();
    const bad = await t.post("/stream", "definitely not gzip", "gzip");
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({ code: "bad_request", message: /^Body is not valid gzip: / });
    const whole = gzipSync("x".repeat(100_000));
    const cut = await t.post("/text", whole.subarray(0, whole.length - 10), "gzip");
    expect(cut.status).toBe(400);
    expect((await errorOf(cut)).message).toMatch(/not valid gzip: unexpected end of file/);
  });

  it("any other Content-Encoding is a 415 before the route runs", async () => {
    for (const encoding of ["br", "deflate", "gzip, br", "zstd"]) {
      const t = appWith();
      const res = await t.post("/stream", "whatever", encoding);
      expect(res.status).toBe(415);
      expect(await errorOf(res)).toEqual({
        code: "unsupported_encoding",
        message: `Content-Encoding ${encoding} is not supported (gzip is)`,
      });
      expect(t.seen.runs).toBe(0);
    }
  });
});

describe("decompressSync (a body in memory, as the OTLP prepare threads have it)", () => {
  const statusOf = (body: Uint8Array, encoding: string | undefined, limit = LIMIT) => {
    try {
      return { body: Buffer.from(decompressSync(body, encoding, limit)).toString() };
    } catch (error) {
      const e = error as ApiError;
      return { status: e.status, code: e.code, message: e.message };
    }
  };

  it("answers as the middleware does: same negotiation, limit, codes and messages", async () => {
    const plain = Buffer.from("hello");
    expect(statusOf(plain, undefined)).toEqual({ body: "hello" });
    expect(statusOf(plain, "identity")).toEqual({ body: "hello" });
    expect(statusOf(gzipSync(plain), "x-gzip")).toEqual({ body: "hello" });
    expect(statusOf(gzipSync(Buffer.alloc(LIMIT)), "gzip")).toEqual({ body: "\0".repeat(LIMIT) });

    const cases: [Uint8Array, string][] = [
      [await zerosGzipped(200 * 1024 * 1024), "gzip"],
      [Buffer.from("definitely not gzip"), "gzip"],
      [plain, "br"],
    ];
    for (const [body, encoding] of cases) {
      const res = await appWith().post("/stream", new Uint8Array(body), encoding);
      const error = await errorOf(res);
      expect(statusOf(body, encoding)).toEqual({ status: res.status, ...error });
    }
  });
});
