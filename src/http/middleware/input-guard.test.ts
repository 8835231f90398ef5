import fc from "fast-check";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { ApiError, errorBody } from "../errors.ts";
import { INPUT_LIMITS, inputGuard, JsonScanner } from "./input-guard.ts";

/** What src/app.ts does with errors, reduced to what these tests look at. */
function appWith(options: Parameters<typeof inputGuard>[0] = {}) {
  const app = new Hono();
  app.onError((error, c) =>
    error instanceof ApiError
      ? c.json(errorBody(error.code, error.message), error.status)
      : c.json(errorBody("bad_request", String(error)), 400),
  );
  app.use(inputGuard(options));
  const seen = { bytes: 0 };
  // Reads as a streaming route does.
  app.post("/stream", async (c) => {
    for await (const chunk of c.req.raw.body ?? []) seen.bytes += chunk.length;
    return c.json({ ok: true });
  });
  // Reads as hono's validator does: a failed read becomes its own 400.
  app.post("/json", async (c) => {
    try {
      return c.json({ value: await c.req.json() });
    } catch {
      throw new Error("Malformed JSON in request body");
    }
  });
  app.get("/items/:name", (c) => c.json({ name: c.req.param("name"), q: c.req.query("q") ?? null }));
  return { app, seen };
}

const post = (app: Hono, path: string, body: RequestInit["body"], type = "application/json") =>
  app.request(path, {
    method: "POST",
    body,
    headers: { "content-type": type },
    duplex: "half",
  } as RequestInit);

const errorOf = async (res: Response) => ({
  status: res.status,
  ...((await res.json()) as { error: { code: string; message: string } }).error,
});

/** `text` as a stream of `size`-byte chunks, so escapes and surrogate pairs straddle chunk edges. */
const chunked = (text: string, size: number) => {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + size));
      at += size;
    },
  });
};

/** Scans `text` in chunks of `size`; the error it throws, or undefined. */
function scan(text: string, size = 7, limits = INPUT_LIMITS): ApiError | undefined {
  const scanner = new JsonScanner(limits);
  const bytes = new TextEncoder().encode(text);
  try {
    for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size));
  } catch (error) {
    return error as ApiError;
  }
  return undefined;
}

describe("JsonScanner", () => {
  it("passes any JSON text of well-formed strings, however it is chunked", () => {
    const noNul = fc.jsonValue({ maxDepth: 5 }).filter((v) => !JSON.stringify(v).includes("\\u0000"));
    fc.assert(
      fc.property(noNul, fc.integer({ min: 1, max: 16 }), (value, size) => {
        expect(scan(JSON.stringify(value), size)).toBeUndefined();
      }),
    );
  });

  it("finds NUL and lone surrogates written as escapes, wherever the chunks split them", () => {
    for (const bad of ["\u0000", "\ud800", "\udc00", "a\ud800b", "\udbff\ud800", "\ud83d"]) {
      for (const size of [1, 2, 3, 5, 64]) {
        expect(scan(JSON.stringify({ k: [1, `x${bad}`] }), size)?.code, JSON.stringify(bad)).toBe(
          "invalid_text",
        );
        expect(scan(JSON.stringify({ [bad]: 1 }), size)?.code).toBe("invalid_text");
      }
    }
    // A pair is one character: fine, escaped or raw, uppercase or not.
    expect(scan(JSON.stringify("🙂"), 1)).toBeUndefined();
    expect(scan('"\\uD83D\\uDE42 \\ud83d\\ude42"', 1)).toBeUndefined();
    expect(scan('"\\\\u0000"')).toBeUndefined(); // an escaped backslash, then text
  });

  it("refuses a string exactly when it has NUL or a lone surrogate", () => {
    const storable = (s: string) => !/\p{Cs}/u.test(s) && !s.includes("\u0000");
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 12 }), fc.integer({ min: 1, max: 8 }), (s, size) => {
        expect(scan(JSON.stringify({ [s]: [s] }), size) === undefined).toBe(storable(s));
      }),
      { numRuns: 300 },
    );
  });

  it("finds a surrogate encoded raw in UTF-8 (not valid UTF-8)", () => {
    const scanner = new JsonScanner(INPUT_LIMITS);
    expect(() => scanner.push(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]))).toThrow(/surrogate/);
    // U+D7FF (ED 9F BF) is not a surrogate.
    expect(() =>
      new JsonScanner(INPUT_LIMITS).push(new Uint8Array([0x22, 0xed, 0x9f, 0xbf, 0x22])),
    ).not.toThrow();
  });

  it("bounds depth and string length, counting only outside strings", () => {
    const limits = { ...INPUT_LIMITS, maxDepth: 3, maxString: 10 };
    expect(scan("[[[1]]]", 2, limits)).toBeUndefined();
    expect(scan("[[[[1]]]]", 2, limits)?.code).toBe("too_deep");
    expect(scan('[[["[[[[[["]]]', 2, limits)).toBeUndefined();
    expect(scan("[[[1]]] [[[2]]]", 2, limits)).toBeUndefined(); // NDJSON: depth per value
    expect(scan(JSON.stringify("a".repeat(10)), 4, limits)).toBeUndefined();
    expect(scan(JSON.stringify("a".repeat(11)), 4, limits)?.status).toBe(413);
  });
});

describe("inputGuard", () => {
  it("passes clean bodies through byte for byte", async () => {
    const { app, seen } = appWith();
    const body = JSON.stringify({ a: "🙂", b: [1, 2, { c: "\\u0000 as text" }] });
    const res = await post(app, "/json", body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ value: JSON.parse(body) });
    expect((await post(app, "/stream", chunked(body, 3))).status).toBe(200);
    expect(seen.bytes).toBe(new TextEncoder().encode(body).length);
  });

  it("answers its own error even where the route turned the failed read into another", async () => {
    const { app } = appWith();
    const res = await post(app, "/json", '{"a":"\\u0000"}');
    expect(await errorOf(res)).toMatchObject({ status: 400, code: "invalid_text" });
    expect(
      await errorOf(await post(app, "/stream", chunked(`${"[".repeat(10_000)}${"]".repeat(10_000)}`, 100))),
    ).toMatchObject({
      status: 400,
      code: "too_deep",
    });
  });

  it("stops reading a streamed body at the first problem", async () => {
    const { app, seen } = appWith();
    const body = `["\\u0000"${",1".repeat(100_000)}]`;
    const res = await post(app, "/stream", chunked(body, 1024));
    expect(res.status).toBe(400);
    expect(seen.bytes).toBeLessThan(body.length / 10);
  });

  it("looks for NUL in text bodies and leaves binary ones alone", async () => {
    const { app } = appWith();
    expect((await post(app, "/stream", "create table t (a int)", "application/sql")).status).toBe(200);
    expect(await errorOf(await post(app, "/stream", "a,b\n1,\u0000", "text/csv"))).toMatchObject({
      code: "invalid_text",
    });
    expect(
      (await post(app, "/stream", new Uint8Array([0, 0xed, 0xa0, 0x80]), "application/x-protobuf")).status,
    ).toBe(200);
  });

  it("refuses NUL, malformed UTF-8 and overlong values in the path and query", async () => {
    const { app } = appWith({ maxParam: 20, maxParams: 3 });
    expect(await (await app.request("/items/a%20b?q=%F0%9F%99%82")).json()).toEqual({ name: "a b", q: "🙂" });
    for (const [url, code] of [
      ["/items/a%00b", "invalid_text"],
      ["/items/x?q=%00", "invalid_text"],
      ["/items/x?%00=1", "invalid_text"],
      ["/items/%ED%A0%80", "invalid_text"],
      ["/items/x?q=%E0%A4%A", "invalid_text"],
      [`/items/${"a".repeat(21)}`, "parameter_too_long"],
      [`/items/x?q=${"%41".repeat(21)}`, "parameter_too_long"],
      ["/items/x?a=1&b=2&c=3&d=4", "too_many_parameters"],
    ] as const) {
      expect({ url, ...(await errorOf(await app.request(url))) }).toMatchObject({ status: 400, code });
    }
  });
});
